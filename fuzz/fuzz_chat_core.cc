// Drives chat::Core with a sequence of operations on up to 4 connections, v1 and v2 sessions
// mixed, and checks, after every step, the invariants a transport and a client rely on: nothing
// goes to a connection that is closed, or in the other protocol's encoding; no message or
// presence change reaches a session that is not logged in; no message reaches a session twice;
// each v2 session's presence view (snapshot + changes) is the set of accounts online whenever no
// change is pending. The core's Store / ReadStore actions are answered by an in-memory store
// (tests/unit/chat/fake_store.h) when the input says so, first in first out; with stored messages
// (inputs of odd length) no message is delivered before the store has committed it, and a login's
// catch-up pages and the live messages of a session never overlap. Any violation aborts.
//
// The input is read front to back, one byte per argument (0 once it runs out):
//   opcode%12, slot%4, then per opcode
//   0 open | 1 bytes: len (x2), data | 2 close | 3 the answer to the latest password check
//   (ok%3) or account change (passwd, register: result%5), whichever came last |
//   4 advance time: seconds | 5 canned PDU: which, split point | 6 stray ticket: ticket%8 |
//   7 stream end (FIN) | 8 the transport heard from the slot's peer after a probe |
//   9 canned v2 frame (or the VERSIONS PDU that selects v2): which, split point |
//   10 the store answers the oldest requests: count%4 + 1 | 11 the store's next answers: status%3
//   (ok, queue full, failed)
// At the end the store answers what is left.
// Slots 0 and 1 offer v2 (ALPN quicchat); slots 2 and 3 are echo-protocol clients (v1 only, one
// PDU per packet).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "chat/core.h"
#include "chat/presence.h"
#include "fake_store.h"
#include "proto/codec.h"
#include "proto/v2/codec.h"
#include "util/log.h"

namespace {

using qc::chat::Action;
using qc::chat::ConnHandle;
using qc::proto::MsgType;

constexpr int kSlots = 4;
constexpr std::size_t kOnePacketLimit = 300;  // small, so that fuzzed messages cross it

// Reads the fuzz input front to back, so hand-written seeds read like the operations they are.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  std::uint8_t byte() { return done() ? 0 : data_[pos_++]; }
  std::string bytes(std::size_t n) {
    n = std::min(n, size_ - pos_);
    std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// Aborts on a violated invariant, naming its line (seen when replaying one input).
void check_at(bool ok, int line) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_chat_core: invariant at line %d violated\n", line);
  std::abort();
}
#define check(ok) check_at((ok), __LINE__)

std::string canned_pdu(std::uint8_t which) {
  using namespace qc::proto;
  switch (which % 9) {
    case 0:
      return encode(make_pdu(MsgType::Login, encode_login({"alice", "p1"})));
    case 1:
      return encode(make_pdu(MsgType::Login, encode_login({"bob", "p2"})));
    case 2:
      return encode(make_pdu(MsgType::Broadcast, encode_broadcast({"hello"})));
    case 3:
      return encode(make_pdu(MsgType::OneToMany, encode_one_to_many({"1,2, 3,x,2", "meet"})));
    case 4:
      return encode(make_pdu(MsgType::Logout, std::string(kLogoutText)));
    case 5:
      return encode(make_pdu(MsgType::Versions, encode_versions_request({{1}})));
    case 6:
      return encode(make_pdu(MsgType::Alive, std::string(kAliveText)));
    case 7:
      return encode(make_pdu(MsgType::OneToOne, encode_one_to_one({"2", "hi"})));
    default:
      return encode(make_pdu(MsgType::Login, encode_login({"cam", "p3"})));
  }
}

std::string canned_v2(std::uint8_t which) {
  namespace v2 = qc::proto::v2;
  switch (which % 20) {
    case 0:
      return qc::proto::encode(
          qc::proto::make_pdu(MsgType::Versions, qc::proto::encode_versions_request({{1, 2}})));
    case 1:
      return v2::encode_frame(v2::Login{1, "alice", "p1", "a"});
    case 2:
      return v2::encode_frame(v2::Login{2, "Alice", "p1", "b"});
    case 3:
      return v2::encode_frame(v2::Login{3, "bob", "p2", ""});
    case 4:
      return v2::encode_frame(v2::Send{4, {"bob"}, {}, "hi", "c1"});
    case 5:
      return v2::encode_frame(v2::Send{5, {"alice", "zed", "cam"}, {}, "meet", "c2"});
    case 6:
      return v2::encode_frame(v2::Send{6, {}, "all", "hello", "c3"});
    case 7:
      return v2::encode_frame(v2::Ping{7});
    case 8:
      return v2::encode_frame(v2::Logout{8});
    case 9:
      return std::string("\0\0\0\x0e", 4) + R"({"t":"typing"})";
    case 10:
      return v2::encode_frame(v2::Join{10, "#team"});
    case 11:
      return v2::encode_frame(v2::Send{11, {}, "#Team", "room", "c4"});
    case 12:
      return v2::encode_frame(v2::Leave{12, "#team"});
    case 13:
      return v2::encode_frame(v2::SetTopic{13, "#team", "topic"});
    case 14:
      return v2::encode_frame(v2::RemoveMember{14, "#team", "bob"});
    case 15:
      return v2::encode_frame(v2::History{15, "all", {}, std::nullopt, std::nullopt, 0});
    case 16:
      return v2::encode_frame(v2::Read{16, "d:1:2", 1});
    case 17:
      return v2::encode_frame(v2::ListMembers{17, "#team"});
    case 18:
      return v2::encode_frame(v2::Passwd{18, "p1", "p9"});
    default:
      return v2::encode_frame(v2::Register{19, "dan", "p4"});
  }
}

// The account ids a store would give.
std::uint64_t account_id(const std::string& name) {
  const std::string key = qc::chat::name_key(name);
  return key == "alice" ? 1 : key == "bob" ? 2 : 3;
}

// What the test knows of a connection from what the core sent it.
struct ConnView {
  int version = 1;
  bool logged_in = false;
  std::set<std::string> online;  // v2: snapshot + changes, by name key
  std::set<std::tuple<std::string, std::uint64_t, std::uint64_t>> messages;  // conv, epoch, id
};

qc::chat::CoreConfig fuzz_config(bool store_messages) {
  qc::chat::CoreConfig config;
  config.store_messages = store_messages;
  config.allow_registration = true;
  return config;
}

class Driver {
 public:
  // QC_FUZZ_LOG=1 shows the core's log lines when replaying one input.
  explicit Driver(bool store_messages)
      : core_(fuzz_config(store_messages)), store_messages_(store_messages) {
    qc::log::set_level(std::getenv("QC_FUZZ_LOG") ? qc::log::Level::Debug : qc::log::Level::Off);
  }

  void run(Reader& in) {
    while (!in.done()) {
      step(in);
      drain();
      check_presence();
    }
    answer_store(SIZE_MAX);
    drain();
    check(store_queue_.empty());
    check(core_.stats().store_requests_in_flight == 0);  // every answer found its continuation
  }

 private:
  void step(Reader& in) {
    const int op = in.byte() % 12;
    const int slot = in.byte() % kSlots;
    switch (op) {
      case 0:
        open(slot);
        break;
      case 1:
        feed(slot, in.bytes(2 * std::size_t{in.byte()}));
        break;
      case 2:
        close(slot);
        break;
      case 3:  // the latest of the password checks and account changes (one ticket sequence)
        if (change_ticket_ > ticket_) {
          core_.account_changed(change_conn_, change_ticket_,
                                static_cast<qc::chat::AccountChange>(in.byte() % 5), now_);
        } else {
          core_.password_checked(ticket_conn_, ticket_,
                                 static_cast<qc::chat::PasswordCheck>(in.byte() % 3), now_,
                                 {account_id(ticket_user_), ticket_user_});
        }
        break;
      case 4:
        now_ += std::chrono::seconds(in.byte());
        core_.tick(now_);
        break;
      case 5: {
        const std::uint8_t which = in.byte();
        feed_canned(slot, which, in.byte());
        break;
      }
      case 6:
        core_.password_checked(slots_[slot], in.byte() % 8, qc::chat::PasswordCheck::Ok, now_);
        break;
      case 7:
        core_.stream_ended(slots_[slot], now_);
        break;
      case 8:
        core_.probe_answered(slots_[slot], now_);
        break;
      case 10:
        answer_store(in.byte() % 4 + 1);
        break;
      case 11: {
        static constexpr qc::chat::history::Status kStatus[] = {
            qc::chat::history::Status::Ok, qc::chat::history::Status::QueueFull,
            qc::chat::history::Status::Failed};
        store_.fail_writes = store_.fail_reads = kStatus[in.byte() % 3];
        break;
      }
      default: {
        const std::string frame = canned_v2(in.byte());
        const std::size_t cut = in.byte() % (frame.size() + 1);
        feed(slot, frame.substr(0, cut));
        feed(slot, frame.substr(cut));
      }
    }
  }

  void open(int slot) {
    if (open_.count(slots_[slot])) return;
    slots_[slot] = next_conn_++;
    open_.insert(slots_[slot]);
    // Slots 2 and 3 read one PDU per packet, as the original's clients do: nothing longer than
    // their limit may be sent to them.
    const auto limit = slot >= 2 ? std::optional<std::size_t>(kOnePacketLimit) : std::nullopt;
    if (limit) limited_.insert(slots_[slot]);
    views_[slots_[slot]] = ConnView{};
    core_.connection_opened(slots_[slot], "peer", now_, limit, /*offers_v2=*/!limit);
  }
  void close(int slot) {
    const ConnHandle conn = slots_[slot];
    core_.connection_closed(conn, "fuzz", now_);
    open_.erase(conn);
    closed_by_core_.erase(conn);
    views_.erase(conn);
    drain();
  }
  void feed(int slot, const std::string& bytes) { core_.stream_data(slots_[slot], bytes, now_); }
  void feed_canned(int slot, std::uint8_t which, std::uint8_t split) {
    const std::string pdu = canned_pdu(which);
    const std::size_t cut = split % (pdu.size() + 1);
    feed(slot, pdu.substr(0, cut));
    feed(slot, pdu.substr(cut));
  }

  void drain() {
    std::vector<Action> actions = std::move(core_.outbox());
    core_.outbox().clear();
    for (const Action& a : actions) std::visit([this](const auto& act) { on_action(act); }, a);
  }
  // The oldest `n` store requests, in order, as the server's writer would answer them.
  void answer_store(std::size_t n) {
    for (; n > 0 && !store_queue_.empty(); --n) {
      Action a = std::move(store_queue_.front());
      store_queue_.pop_front();
      if (const auto* w = std::get_if<qc::chat::action::Store>(&a))
        core_.stored(w->ticket, store_.apply(w->ops), now_);
      else if (const auto* r = std::get_if<qc::chat::action::ReadStore>(&a))
        core_.read_done(r->ticket, store_.read(r->query), now_);
      drain();
    }
  }
  void on_action(const qc::chat::action::Store& store) {
    check(!store.ops.empty());
    store_queue_.emplace_back(store);
  }
  void on_action(const qc::chat::action::ReadStore& read) { store_queue_.emplace_back(read); }
  // With stored messages, a message goes out only once the store has it.
  bool committed(const qc::proto::v2::Msg& m) const {
    auto it = store_.messages.find(m.conv);
    if (it == store_.messages.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const qc::proto::v2::Msg& s) { return s.id == m.id; });
  }
  void check_recipient(ConnHandle conn) const {
    check(open_.count(conn) == 1 && closed_by_core_.count(conn) == 0);
  }
  void check_fits(ConnHandle conn, std::size_t bytes) const {
    check(limited_.count(conn) == 0 || bytes <= kOnePacketLimit);
  }
  void on_action(const qc::chat::action::Deliver& deliver) {
    check(!deliver.recipients.empty());
    check(deliver.bytes != nullptr);
    for (ConnHandle conn : deliver.recipients) {
      check_recipient(conn);
      check_fits(conn, deliver.bytes->size());
      received(conn, *deliver.bytes);
    }
  }
  void on_action(const qc::chat::action::Send& send) {
    check_recipient(send.conn);
    check(send.bytes != nullptr);
    check_fits(send.conn, send.bytes->size());
    received(send.conn, *send.bytes);
  }
  void on_action(const qc::chat::action::Close& close) {
    check(open_.count(close.conn) == 1);
    check(closed_by_core_.insert(close.conn).second);
    views_[close.conn].logged_in = false;
  }

  // Bytes for `conn`: in its protocol's encoding, and only what its state allows.
  void received(ConnHandle conn, const std::string& bytes) {
    ConnView& view = views_[conn];
    const bool v1_bytes = !bytes.empty() && bytes.front() == '{';
    check(v1_bytes == (view.version == 1));
    if (v1_bytes) return received_v1(conn, view, bytes);
    check(bytes.size() > 4);
    auto frame = qc::proto::v2::decode_body(std::string_view(bytes).substr(4));
    check(frame.ok());
    namespace v2 = qc::proto::v2;
    if (std::holds_alternative<v2::Welcome>(*frame)) {
      check(!view.logged_in);
      view.logged_in = true;
    } else if (const auto* p = std::get_if<v2::Presence>(&*frame)) {
      check(view.logged_in);
      if (p->snapshot) view.online.clear();
      for (const std::string& n : p->online)
        check(view.online.insert(qc::chat::name_key(n)).second);
      for (const std::string& n : p->joined)
        check(view.online.insert(qc::chat::name_key(n)).second);
      for (const std::string& n : p->left) check(view.online.erase(qc::chat::name_key(n)) == 1);
    } else if (const auto* m = std::get_if<v2::Msg>(&*frame)) {
      check(view.logged_in);
      check(!store_messages_ || committed(*m));
      check(view.messages.emplace(m->conv, m->epoch, m->id).second);
    } else if (const auto* page = std::get_if<v2::Page>(&*frame)) {
      check(view.logged_in);
      check(store_messages_ || page->msgs.empty());
      for (const v2::Msg& pm : page->msgs) {  // a catch-up page (no rid) overlaps no live message
        check(committed(pm));
        if (!page->rid) check(view.messages.emplace(pm.conv, pm.epoch, pm.id).second);
      }
    } else if (std::holds_alternative<v2::Bye>(*frame)) {
      view.logged_in = false;
    }
  }
  void received_v1(ConnHandle conn, ConnView& view, const std::string& bytes) {
    auto pdu = qc::proto::decode(bytes);
    check(pdu.ok());
    switch (pdu->type) {
      case MsgType::Versions: {
        auto reply = qc::proto::decode_versions_reply(pdu->msg);
        check(reply.ok());
        if (reply->selected_version == 2) {
          check(limited_.count(conn) == 0);
          view.version = 2;
        }
        return;
      }
      case MsgType::LoginAck: {
        auto users = qc::proto::decode_user_list(pdu->msg);
        check(users.ok() && !users->empty());
        view.logged_in = true;
        return;
      }
      case MsgType::OneToOne:
      case MsgType::OneToMany:
      case MsgType::Broadcast:
      case MsgType::LoginBroadcast:
      case MsgType::LogoutBroadcast:
        check(view.logged_in);
        return;
      case MsgType::LogoutAck:
        view.logged_in = false;
        return;
      default:
        return;
    }
  }
  void on_action(const qc::chat::action::Probe& probe) {
    check(open_.count(probe.conn) == 1 && closed_by_core_.count(probe.conn) == 0);
  }
  void on_action(const qc::chat::action::VerifyPassword& verify) {
    check(open_.count(verify.conn) == 1 && closed_by_core_.count(verify.conn) == 0);
    ticket_conn_ = verify.conn;
    ticket_ = verify.ticket;
    ticket_user_ = verify.username;
  }
  void on_action(const qc::chat::action::ChangePassword& change) {
    check(open_.count(change.conn) == 1 && closed_by_core_.count(change.conn) == 0);
    check(views_[change.conn].logged_in);
    change_conn_ = change.conn;
    change_ticket_ = change.ticket;
  }
  // The core under fuzz is a server on its own: it never publishes nor takes cluster v1 ids.
  void on_action(const qc::chat::action::Publish&) { check(false); }
  void on_action(const qc::chat::action::TakeV1Ids&) { check(false); }
  void on_action(const qc::chat::action::CreateAccount& create) {
    check(open_.count(create.conn) == 1 && closed_by_core_.count(create.conn) == 0);
    check(!views_[create.conn].logged_in);
    change_conn_ = create.conn;
    change_ticket_ = create.ticket;
  }

  void check_presence() {
    const qc::proto::UserList users = core_.active_users();
    std::set<std::string> names;
    std::uint64_t last_id = 0;
    for (const auto& u : users) {
      check(names.insert(qc::chat::name_key(u.username)).second);
      check(u.user_id > last_id);
      last_id = u.user_id;
    }
    std::size_t logged_in = 0;
    for (const auto& [conn, view] : views_) {
      if (!view.logged_in || closed_by_core_.count(conn)) continue;
      ++logged_in;
      if (view.version == 2 && !core_.stats().presence_pending) check(view.online == names);
    }
    const qc::chat::CoreStats stats = core_.stats();
    check(stats.active_users == users.size());
    check(stats.sessions == logged_in);
    check(stats.connections == open_.size());
    if (core_.next_deadline()) check(!open_.empty());
  }

  qc::chat::Core core_;
  bool store_messages_;
  qc::chat::testing::FakeStore store_;
  std::deque<Action> store_queue_;
  qc::chat::TimePoint now_{};
  std::array<ConnHandle, kSlots> slots_{};
  ConnHandle next_conn_ = 1;
  std::set<ConnHandle> open_;             // opened and not yet reported closed
  std::set<ConnHandle> limited_;          // opened with a one-packet limit
  std::set<ConnHandle> closed_by_core_;   // the core asked to close them
  std::map<ConnHandle, ConnView> views_;  // the open connections
  ConnHandle ticket_conn_ = 0;
  std::uint64_t ticket_ = 0;
  std::string ticket_user_;
  ConnHandle change_conn_ = 0;  // the latest ChangePassword or CreateAccount
  std::uint64_t change_ticket_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader in(data, size);
  Driver driver(size % 2 == 1);
  driver.run(in);
  return 0;
}
