// ClientApp's resume bookkeeping (client/resume_book.h): messages shown once across reconnects
// and restarts (the state is saved right after they are shown), unanswered sends kept on disk
// until answered, and read cursors sent for what was shown, coalesced (one `read` per
// conversation per kFlushDelay).
#include "client/resume_state.h"
#include "quicchat/client/client_app.h"

namespace qc::app {

using namespace qc::client;

namespace {
constexpr std::chrono::milliseconds kFlushDelay{500};
}  // namespace

ClientApp::~ClientApp() {
  if (flush_timer_) loop_.cancel_timer(*flush_timer_);
}

// Once per run, at the first login: the reconnects of this run keep the book in memory.
void ClientApp::load_resume_state() {
  if (resume_loaded_ || options_.state_dir.empty()) return;
  resume_loaded_ = true;
  auto loaded = client::load_resume_state(options_.state_dir, options_.state_key, username_);
  if (!loaded) {
    complain("resume_state", loaded.error().message);
    return;
  }
  book_ = ResumeBook(std::move(*loaded));
  if (book_.unacked().empty()) return;
  to_resend_.insert(to_resend_.begin(), book_.unacked().begin(), book_.unacked().end());
  say("resend", "[Sys] " + std::to_string(book_.unacked().size()) +
                    " message(s) not acknowledged when the client last stopped: sent again "
                    "after the login");
}

bool ClientApp::track(const Event& event) {
  if (const auto* m = std::get_if<Message>(&event); m && !m->conv.empty()) {
    if (!book_.accept(*m)) return false;
  } else if (const auto* a = std::get_if<Acked>(&event)) {
    for (const auto& sent : a->sent) book_.accept(sent.conv, sent.id, a->epoch);
    book_.answered(a->send.cid);
  } else if (const auto* e = std::get_if<RequestError>(&event); e && e->send) {
    book_.answered(e->send->cid);
  } else if (const auto* c = std::get_if<CatchUpDone>(&event)) {
    book_.set_unread(c->unread);
  } else if (const auto* cursor = std::get_if<CursorMoved>(&event)) {
    book_.cursor(cursor->conv, cursor->id);
  }
  if (book_.dirty()) schedule_flush();
  return true;
}

// The login's catch-up shows only what this device has not shown yet, as new messages. A page
// of history is shown whole (marked) and counts as seen and read too: otherwise the next login
// would bring a joined room's latest messages again as new.
void ClientApp::show_page(const HistoryPage& page) {
  HistoryPage shown = page;
  if (page.origin == PageOrigin::CatchUp) {
    // The server sends at most 500 per conversation: the rest is asked for, and comes the same way.
    if (page.more && !page.msgs.empty()) (void)chat_.catch_up_after(page.conv, page.msgs.back().id);
    std::erase_if(shown.msgs,
                  [this](const Message& m) { return !book_.accept(m); });
    if (shown.msgs.empty() && shown.expired == 0) return;
  } else {
    for (const Message& m : page.msgs) book_.accept(m.conv, m.id, m.epoch);
    if (!page.msgs.empty()) {
      last_history_ = ShownHistory{page.conv, page.label, page.msgs.front().id,
                                   static_cast<std::uint32_t>(page.msgs.size()), page.more};
    }
  }
  show(shown);
  save_resume_state();
  schedule_flush();
}

void ClientApp::sent_v2() {
  if (const auto& send = chat_.session().last_send()) {
    book_.sending(*send);
    save_resume_state();  // at once: a crash from here on still re-sends it
  }
  show_pending();
}

void ClientApp::schedule_flush() {
  if (flush_timer_) return;
  flush_timer_ = loop_.add_timer(loop_.now() + kFlushDelay, [this] {
    flush_timer_.reset();
    flush_reads_and_state();
  });
}

void ClientApp::flush_reads_and_state() {
  if (chat_.session().logged_in() && chat_.session().version() == proto::v2::kVersion) {
    for (const auto& read : book_.take_reads()) (void)chat_.mark_read(read.conv, read.id);
  }
  save_resume_state();
}

void ClientApp::save_resume_state() {
  if (!book_.dirty() || options_.state_dir.empty() || username_.empty()) return;
  if (auto saved = client::save_resume_state(options_.state_dir, options_.state_key, username_,
                                             book_.state());
      !saved) {
    return complain("resume_state", saved.error().message);
  }
  book_.saved();
}

}  // namespace qc::app
