// History over v2: pages of a conversation (history), read cursors (read), and the login
// catch-up (offline delivery and resume). Who may read what: "all" anyone logged in; a direct
// conversation its two accounts; a room its members.
#include <algorithm>
#include <charconv>

#include "chat/core_impl.h"
#include "chat/login_flow.h"
#include "proto/v2/codec.h"

namespace qc::chat {
namespace {

namespace v2 = proto::v2;

// "d:<lo>:<hi>" -> whether `account` is one of the two.
bool in_direct_conv(std::string_view conv, std::uint64_t account) {
  if (account == 0 || conv.substr(0, 2) != "d:") return false;
  conv.remove_prefix(2);
  const std::size_t colon = conv.find(':');
  if (colon == std::string_view::npos) return false;
  auto number = [](std::string_view digits, std::uint64_t& out) {
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return ec == std::errc{} && end == digits.data() + digits.size() && !digits.empty();
  };
  std::uint64_t lo = 0, hi = 0;
  if (!number(conv.substr(0, colon), lo) || !number(conv.substr(colon + 1), hi)) return false;
  return lo <= hi && (lo == account || hi == account);
}

}  // namespace

void Core::Impl::hold_back(Session& s, std::string_view conv) {
  const bool was = s.catching_up || !s.reading_convs.empty();
  if (conv.empty())
    s.catching_up = true;
  else
    s.reading_convs.emplace_back(conv);
  if (!was) ++sessions_holding_back;
}

void Core::Impl::release_hold(Session& s, std::string_view conv) {
  const bool was = s.catching_up || !s.reading_convs.empty();
  if (conv.empty()) {
    s.catching_up = false;
  } else if (auto it = std::find(s.reading_convs.begin(), s.reading_convs.end(), conv);
             it != s.reading_convs.end()) {
    s.reading_convs.erase(it);
  }
  if (was && !s.catching_up && s.reading_convs.empty()) --sessions_holding_back;
}

std::optional<std::string> Core::Impl::readable_conv(Session& s, std::uint64_t rid,
                                                     std::string_view conv, std::string_view with) {
  auto refuse = [&](std::string_view code, std::string text) -> std::optional<std::string> {
    send_error_v2(s, rid, code, std::move(text));
    return std::nullopt;
  };
  if (conv.empty() == with.empty())
    return refuse(v2::code::kBadFrame, "give either 'conv' or 'with'");
  if (!with.empty()) {
    const AccountLookup found = target_account(with);
    if (found.unavailable)
      return refuse(v2::code::kStoreFailed, "the account store did not answer; try again");
    if (!found.account)
      return refuse(v2::code::kNoSuchUser, "no account named '" + std::string(with) + "'");
    return conv_of(AccountRef{s.account_id, s.username}, *found.account);
  }
  if (conv == v2::kBroadcastConv) return std::string(conv);
  if (conv.front() == '#') {
    const Room* room = existing_room(s, rid, conv);
    if (room == nullptr) return std::nullopt;
    if (!room->has(s.account_id))
      return refuse(v2::code::kNotMember, "you are not a member of " + room->name);
    return room->key;
  }
  if (in_direct_conv(conv, s.account_id)) return std::string(conv);
  return refuse(v2::code::kNoSuchConv, "no conversation '" + std::string(conv) + "'");
}

void Core::Impl::send_page(Session& s, std::optional<std::uint64_t> rid, history::PageResult page) {
  send_frame(s, v2::Page{rid, std::move(page.conv), std::move(page.msgs), page.more, page.expired,
                         page.unread, page.read});
}

void Core::Impl::on_history(Session& s, const v2::History& request) {
  if (request.before && request.after)
    return send_error_v2(s, request.rid, v2::code::kBadFrame,
                         "give at most one of 'before' and 'after'");
  const std::optional<std::string> conv = readable_conv(s, request.rid, request.conv, request.with);
  if (!conv) return;
  if (!config.store_messages)  // nothing is stored: the history is empty
    return send_frame(s, v2::Page{request.rid, *conv, {}, false, 0, 0, 0});
  const std::uint32_t limit = request.limit == 0 ? config.history_page_default
                                                 : std::min(request.limit, config.history_page_max);
  ++counters.history_reads;
  const SessionRef who = ref_of(s);
  const std::uint64_t rid = request.rid;
  const std::uint64_t ticket =
      pending_stores.add_read([this, who, rid, c = *conv](history::ReadResult& result) {
        Session* reader = live(who);
        if (result.status != history::Status::Ok) {
          count_store_result({result.status, 0, result.detail});
          if (reader == nullptr) return;
          const StoreRefusal why = read_refusal(result);
          return send_error_v2(*reader, rid, why.code, why.text);
        }
        if (reader == nullptr) return;
        send_page(*reader, rid,
                  result.pages.empty() ? history::PageResult{c, {}, false, 0, 0, 0}
                                       : std::move(result.pages.front()));
      });
  out.read_store(ticket,
                 history::ReadPage{*conv, request.before, request.after, limit, s.account_id});
}

// The cursor moves in the store first; then ok, and `cursor` to the account's other sessions.
void Core::Impl::on_read(Session& s, const v2::Read& read) {
  const std::optional<std::string> conv = readable_conv(s, read.rid, read.conv, {});
  if (!conv) return;
  const SessionRef who = ref_of(s);
  const std::uint64_t account = s.account_id;
  const std::uint64_t rid = read.rid;
  const std::uint64_t id = read.id;
  const std::uint64_t ticket = pending_stores.add_write(
      [this, who, account, rid, id, c = *conv](std::vector<history::OpResult>& results) {
        const history::OpResult r = results.empty()
                                        ? history::OpResult{history::Status::Failed, 0, "no result"}
                                        : results.front();
        Session* reader = live(who);
        if (r.status != history::Status::Ok) {
          count_store_result(r);
          if (reader == nullptr) return;
          const StoreRefusal why = store_refusal(r);
          return send_error_v2(*reader, rid, why.code, why.text);
        }
        if (reader != nullptr) send_frame(*reader, v2::Ok{rid});
        const Member* m = presence.find_account(account);
        if (m == nullptr) return;
        std::vector<ConnHandle> v1_ignored, others;
        split_by_version(m->conns, who.conn, v1_ignored, others);
        if (!others.empty())
          out.deliver(make_shared_bytes(proto::v2::encode_frame(v2::Cursor{c, id})),
                      std::move(others), false);
      });
  out.store(ticket, {history::SetReadCursor{account, *conv, id}});
}

// After welcome and the presence snapshot: the account is enrolled in "all", then everything
// after `since` (or its read cursors) is read. Until the answer, live deliveries skip this
// session: the writer runs jobs in order, so every commit whose answer comes before the read's
// is in the read, and every later one is delivered live.
void Core::Impl::start_catch_up(Session& s) {
  const std::uint64_t enroll =
      pending_stores.add_write([this](std::vector<history::OpResult>& results) {
        for (const history::OpResult& r : results) count_store_result(r);
      });
  out.store(enroll, {history::Enroll{s.account_id, std::string(v2::kBroadcastConv)}});
  hold_back(s, {});
  const SessionRef who = ref_of(s);
  const std::uint64_t rid = s.pending_rid;
  const std::uint64_t ticket = pending_stores.add_read(
      [this, who, rid](history::ReadResult& result) { catch_up_done(who, rid, result); });
  out.read_store(ticket,
                 history::ReadCatchUp{s.account_id, std::move(s.since), config.catch_up_per_conv});
  s.since.clear();
}

// One page (no rid) per conversation with something, then `synced` naming the login's rid.
void Core::Impl::catch_up_done(const SessionRef& who, std::uint64_t rid,
                               history::ReadResult& result) {
  Session* s = find_session(who.conn);
  if (s == nullptr || s->serial != who.serial) return;
  release_hold(*s, {});
  if (!s->phase.is(Phase::Authenticated)) return;
  if (result.status != history::Status::Ok) {
    count_store_result({result.status, 0, result.detail});
    const StoreRefusal why = read_refusal(result);
    return send_error_v2(*s, rid, why.code, "the messages since your last session: " + why.text);
  }
  v2::Synced synced{rid, {}};
  for (history::PageResult& page : result.pages) {
    if (page.unread > 0) synced.unread.push_back(v2::Since{page.conv, page.unread});
    if (clustered() && !page.more && !page.msgs.empty())
      order.start_at(page.conv, page.msgs.back().id);
    counters.offline_deliveries += page.msgs.size();
    send_page(*s, std::nullopt, std::move(page));
  }
  send_frame(*s, synced);
}

}  // namespace qc::chat
