// Test harness for chat::Core: a fake clock (a TimePoint the test advances), PDU builders, and
// the captured outbox rendered as one readable line per action, e.g.
//   "2 LOGIN_BROADCAST 1:alice,2:bob", "1 MSG_UNSUCCESSFUL Target user not available",
//   "1 CLOSE 2 login timeout", "1 VERIFY alice/p1".
#pragma once

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chat/core.h"
#include "chat/presence.h"
#include "fake_store.h"
#include "proto/bus/codec.h"
#include "proto/close_codes.h"
#include "proto/codec.h"
#include "proto/v2/codec.h"
#include "util/log.h"

namespace qc::chat::testing {

using proto::MsgType;
using Lines = std::vector<std::string>;
using namespace std::chrono_literals;

inline std::string render_users(const proto::UserList& users) {
  std::string text;
  for (const proto::UserEntry& u : users) {
    if (!text.empty()) text += ',';
    text += std::to_string(u.user_id) + ":" + u.username;
  }
  return text;
}

// The decoded body of an S->C PDU, in a compact form.
inline std::string render_body(MsgType type, const std::string& msg) {
  switch (type) {
    case MsgType::Versions: {
      auto r = proto::decode_versions_reply(msg);
      if (!r) return "<bad versions reply>";
      return r->selected_version ? "selected " + std::to_string(*r->selected_version)
                                 : "error " + *r->error;
    }
    case MsgType::LoginAck:
    case MsgType::LoginBroadcast:
    case MsgType::LogoutBroadcast: {
      auto r = proto::decode_user_list(msg);
      return r ? render_users(*r) : "<bad user list>";
    }
    case MsgType::LoginUnsuccessfulRetry:
    case MsgType::LoginUnsuccessfulDisconnect:
    case MsgType::MsgUnsuccessful: {
      auto r = proto::decode_error(msg);
      return r ? r->error : "<bad error>";
    }
    case MsgType::OneToOne:
    case MsgType::OneToMany:
    case MsgType::Broadcast: {
      auto r = proto::decode_delivery(msg);
      return r ? r->sender_username + "(" + std::to_string(r->sender_user_id) + "): " + r->msg
               : "<bad delivery>";
    }
    case MsgType::LogoutAck: {
      auto r = proto::decode_sys(msg);
      return r ? r->sys : "<bad sys>";
    }
    default:
      return msg;
  }
}

// A v2 frame (a length prefix, not '{') reads as its JSON body.
inline std::string render_pdu(ConnHandle conn, const SharedBytes& bytes) {
  if (!bytes->empty() && bytes->front() != '{') {
    if (bytes->size() < 4) return std::to_string(conn) + " <short v2 frame>";
    return std::to_string(conn) + " " + bytes->substr(4);
  }
  auto pdu = proto::decode(*bytes);
  if (!pdu) return std::to_string(conn) + " <undecodable: " + pdu.error().detail + ">";
  return std::to_string(conn) + " " + std::string(proto::msg_type_name(pdu->type)) + " " +
         render_body(pdu->type, pdu->msg);
}

// One line per recipient: a Deliver reads like the Sends it stands for.
struct Rendered {
  Lines operator()(const action::Send& a) const { return {render_pdu(a.conn, a.bytes)}; }
  Lines operator()(const action::Deliver& a) const {
    Lines lines;
    for (ConnHandle conn : a.recipients) lines.push_back(render_pdu(conn, a.bytes));
    return lines;
  }
  Lines operator()(const action::Close& a) const {
    return {std::to_string(a.conn) + " CLOSE " + std::to_string(a.code) + " " + a.reason};
  }
  Lines operator()(const action::VerifyPassword& a) const {
    return {std::to_string(a.conn) + " VERIFY " + a.username + "/" + a.password};
  }
  Lines operator()(const action::Probe& a) const { return {std::to_string(a.conn) + " PROBE"}; }
  Lines operator()(const action::Publish& a) const {
    return {"PUBLISH " + proto::bus::encode(a.event)};
  }
  Lines operator()(const action::TakeV1Ids& a) const {
    return {"TAKE_V1_IDS " + std::to_string(a.count) + " above " + std::to_string(a.above)};
  }
  Lines operator()(const action::ChangePassword& a) const {
    return {std::to_string(a.conn) + " CHANGE_PASSWORD " + a.username + " " + a.old_password +
            "->" + a.new_password};
  }
  Lines operator()(const action::CreateAccount& a) const {
    return {std::to_string(a.conn) + " CREATE_ACCOUNT " + a.username + "/" + a.password};
  }
  // "STORE append(d:1:2) create(#team) add(#team,1)", "READ page(#team) catch_up(1)"
  Lines operator()(const action::Store& a) const {
    std::string line = "STORE";
    for (const history::Op& op : a.ops) line += " " + std::visit(OpText{}, op);
    return {line};
  }
  Lines operator()(const action::ReadStore& a) const {
    if (const auto* p = std::get_if<history::ReadPage>(&a.query))
      return {"READ page(" + p->conv + ")"};
    if (std::holds_alternative<history::ReadRooms>(a.query)) return {"READ rooms"};
    return {"READ catch_up(" + std::to_string(std::get<history::ReadCatchUp>(a.query).account_id) +
            ")"};
  }
  struct OpText {
    std::string operator()(const history::AppendMessage& o) const {
      return "append(" + o.conv + ")";
    }
    std::string operator()(const history::CreateRoom& o) const { return "create(" + o.key + ")"; }
    std::string operator()(const history::AddMember& o) const {
      return "add(" + o.key + "," + std::to_string(o.account_id) + ")";
    }
    std::string operator()(const history::RemoveMember& o) const {
      return "remove(" + o.key + "," + std::to_string(o.account_id) + ")";
    }
    std::string operator()(const history::SetTopic& o) const { return "topic(" + o.key + ")"; }
    std::string operator()(const history::Enroll& o) const {
      return "enroll(" + std::to_string(o.account_id) + "," + o.conv + ")";
    }
    std::string operator()(const history::SetReadCursor& o) const {
      return "cursor(" + o.conv + "," + std::to_string(o.id) + ")";
    }
  };
};

inline std::string pdu(MsgType type, std::string body) {
  return proto::encode(proto::make_pdu(type, std::move(body)));
}
inline std::string login_pdu(std::string user, std::string password) {
  return pdu(MsgType::Login, proto::encode_login({std::move(user), std::move(password)}));
}
inline std::string versions_pdu(std::vector<std::int64_t> versions) {
  return pdu(MsgType::Versions, proto::encode_versions_request({std::move(versions)}));
}
inline std::string alive_pdu() { return pdu(MsgType::Alive, std::string(proto::kAliveText)); }
inline std::string logout_pdu() { return pdu(MsgType::Logout, std::string(proto::kLogoutText)); }
inline std::string one_to_one_pdu(std::string target, std::string msg) {
  return pdu(MsgType::OneToOne, proto::encode_one_to_one({std::move(target), std::move(msg)}));
}
inline std::string one_to_many_pdu(std::string targets, std::string msg) {
  return pdu(MsgType::OneToMany, proto::encode_one_to_many({std::move(targets), std::move(msg)}));
}
inline std::string broadcast_pdu(std::string msg) {
  return pdu(MsgType::Broadcast, proto::encode_broadcast({std::move(msg)}));
}

// A directory that knows one account besides those online (what the server's store directory
// answers for a name that is not online).
class OneAccountDirectory final : public AccountDirectory {
 public:
  explicit OneAccountDirectory(AccountRef account) : account_(std::move(account)) {}
  std::optional<AccountRef> find(std::string_view name) override {
    if (name_key(name) == name_key(account_.name)) return account_;
    return std::nullopt;
  }

 private:
  AccountRef account_;
};

class Harness {
 public:
  explicit Harness(CoreConfig config = {}) : core(config) { log::set_level(log::Level::Off); }

  // `limit`: the client reads PDUs of at most this many bytes (the original's, echo-protocol).
  void open(ConnHandle conn, std::optional<std::size_t> limit = std::nullopt) {
    core.connection_opened(conn, "127.0.0.1:" + std::to_string(conn), now, limit);
  }
  void feed(ConnHandle conn, std::string_view bytes) { core.stream_data(conn, bytes, now); }
  void end_stream(ConnHandle conn) { core.stream_ended(conn, now); }  // the client's FIN
  void close(ConnHandle conn) { core.connection_closed(conn, "peer closed", now); }
  void advance(Duration d) {
    now += d;
    core.tick(now);
  }

  // The outbox as lines; clears it. Store / ReadStore actions go to `store_queue`; with
  // auto_store they are answered from `store` at once, in order (what they cause is in the lines,
  // they are not), else they are shown ("STORE ...", "READ ...") and wait for release().
  Lines drain() {
    Lines lines;
    while (true) {
      std::vector<Action> actions = std::move(core.outbox());
      core.outbox().clear();
      for (Action& a : actions) {
        if (auto* p = std::get_if<action::Publish>(&a)) {  // a cluster's: see cluster_test.cc
          published.push_back(std::move(p->event));
          continue;
        }
        if (auto* t = std::get_if<action::TakeV1Ids>(&a); t != nullptr && v1_counter != nullptr) {
          v1_takes.push_back(*t);  // answered below, as the bus would (cluster_test.cc)
          continue;
        }
        const bool for_store = std::holds_alternative<action::Store>(a) ||
                               std::holds_alternative<action::ReadStore>(a);
        if (for_store && auto_store) {
          store_queue.push_back(std::move(a));
          continue;
        }
        for (std::string& line : std::visit(Rendered{}, a)) lines.push_back(std::move(line));
        if (for_store) store_queue.push_back(std::move(a));
      }
      if (answer_v1_takes()) continue;
      if (!auto_store || store_queue.empty()) return lines;
      answer(store_queue.size());
    }
  }
  // Answers the first `n` store requests held back (all by default), in order; returns what the
  // core did then.
  Lines release(std::size_t n = SIZE_MAX) {
    answer(std::min(n, store_queue.size()));
    return drain();
  }
  void answer(std::size_t n) {
    for (std::size_t i = 0; i < n && !store_queue.empty(); ++i) {
      Action a = std::move(store_queue.front());
      store_queue.pop_front();
      FakeStore& answering = shared_store != nullptr ? *shared_store : store;
      if (auto* w = std::get_if<action::Store>(&a))
        core.stored(w->ticket, answering.apply(w->ops), now);
      else if (auto* r = std::get_if<action::ReadStore>(&a))
        core.read_done(r->ticket, answering.read(r->query), now);
    }
  }
  // The cluster's v1 id counter (Redis's v1:next) when set: TakeV1Ids are answered from it.
  bool answer_v1_takes() {
    if (v1_takes.empty()) return false;
    for (const action::TakeV1Ids& t : std::exchange(v1_takes, {})) {
      *v1_counter = std::max(*v1_counter + t.count, t.above + t.count);
      core.v1_ids_taken(*v1_counter - t.count + 1, t.count, now);
    }
    return true;
  }
  // The raw actions; clears the outbox.
  std::vector<Action> take() {
    std::vector<Action> actions = std::move(core.outbox());
    core.outbox().clear();
    return actions;
  }

  // Ticket of the last VerifyPassword in the outbox (0 when there is none); leaves the outbox.
  std::uint64_t last_ticket() {
    std::uint64_t ticket = 0;
    for (const Action& a : core.outbox()) {
      if (auto* v = std::get_if<action::VerifyPassword>(&a)) ticket = v->ticket;
    }
    return ticket;
  }

  // Ticket of the last ChangePassword or CreateAccount in the outbox (0: none); leaves the outbox.
  std::uint64_t last_account_ticket() {
    std::uint64_t ticket = 0;
    for (const Action& a : core.outbox()) {
      if (auto* c = std::get_if<action::ChangePassword>(&a)) ticket = c->ticket;
      if (auto* c = std::get_if<action::CreateAccount>(&a)) ticket = c->ticket;
    }
    return ticket;
  }

  // LOGIN and its password result (when a check was asked for); returns what the core answered.
  Lines attempt(ConnHandle conn, const std::string& user, PasswordCheck result) {
    feed(conn, login_pdu(user, "pw-" + user));
    const std::uint64_t ticket = last_ticket();
    Lines refused = drain();
    if (ticket == 0) return refused;  // refused before any check
    core.password_checked(conn, ticket, result, now);
    return drain();
  }
  // An existing account's name with the right (true) or a wrong password.
  Lines attempt(ConnHandle conn, const std::string& user, bool ok) {
    return attempt(conn, user, ok ? PasswordCheck::Ok : PasswordCheck::WrongPassword);
  }
  // Opens `conn` and logs `user` in; the outbox is left empty.
  void join(ConnHandle conn, const std::string& user,
            std::optional<std::size_t> limit = std::nullopt) {
    open(conn, limit);
    attempt(conn, user, true);
  }

  // --- protocol v2 ---------------------------------------------------------------------------
  // Opens `conn`, selects v2 (VERSIONS [1, 2]); the outbox is left empty.
  void open_v2(ConnHandle conn) {
    open(conn);
    feed(conn, versions_pdu({1, 2}));
    drain();
  }
  void feed_frame(ConnHandle conn, const proto::v2::Frame& frame) {
    feed(conn, proto::v2::encode_frame(frame));
  }
  // A v2 login with the right password; the account's id is the one `account_id` gives.
  Lines attempt_v2(ConnHandle conn, const std::string& user, const std::string& device = {},
                   std::uint64_t rid = 1) {
    feed_frame(conn, proto::v2::Login{rid, user, "pw-" + user, device});
    const std::uint64_t ticket = last_ticket();
    Lines refused = drain();
    if (ticket == 0) return refused;
    core.password_checked(conn, ticket, PasswordCheck::Ok, now, {account_id(user), user});
    return drain();
  }
  void join_v2(ConnHandle conn, const std::string& user, const std::string& device = {}) {
    open_v2(conn);
    attempt_v2(conn, user, device);
  }
  // Accounts get ids by first use: alice 1, bob 2, ...
  std::uint64_t account_id(const std::string& user) {
    for (std::size_t i = 0; i < accounts.size(); ++i)
      if (accounts[i] == user) return i + 1;
    accounts.push_back(user);
    return accounts.size();
  }

  Core core;
  TimePoint now{};
  FakeStore store;
  FakeStore* shared_store = nullptr;  // several nodes' one store (a cluster): answers instead
  bool auto_store = true;
  std::deque<proto::bus::Event> published;  // action::Publish, in order (drain() takes them)
  std::uint64_t* v1_counter = nullptr;
  std::vector<action::TakeV1Ids> v1_takes;
  std::deque<Action> store_queue;
  std::vector<std::string> accounts;
};

}  // namespace qc::chat::testing
