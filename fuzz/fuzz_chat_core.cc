// Drives chat::Core with a sequence of operations on up to 4 connections and checks, after
// every step, the invariants a transport relies on. Any violation aborts.
//
// The input is read front to back, one byte per argument (0 once it runs out):
//   opcode%9, slot%4, then per opcode
//   0 open | 1 bytes: len (x2), data | 2 close | 3 password result for the latest ticket: ok%2 |
//   4 advance time: seconds | 5 canned PDU: which, split point | 6 stray ticket: ticket%8 |
//   7 stream end (FIN) |
//   8 the transport heard from the slot's peer after a probe
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "chat/core.h"
#include "proto/codec.h"
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

void check(bool ok) {
  if (!ok) std::abort();
}

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

class Driver {
 public:
  // QC_FUZZ_LOG=1 shows the core's log lines when replaying one input.
  Driver() {
    qc::log::set_level(std::getenv("QC_FUZZ_LOG") ? qc::log::Level::Debug : qc::log::Level::Off);
  }

  void run(Reader& in) {
    while (!in.done()) {
      step(in);
      drain();
      check_presence();
    }
  }

 private:
  void step(Reader& in) {
    const int op = in.byte() % 9;
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
      case 3:
        core_.password_checked(ticket_conn_, ticket_,
                               static_cast<qc::chat::PasswordCheck>(in.byte() % 3), now_);
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
      default:
        core_.probe_answered(slots_[slot], now_);
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
    core_.connection_opened(slots_[slot], "peer", now_, limit);
  }
  void close(int slot) {
    const ConnHandle conn = slots_[slot];
    core_.connection_closed(conn, "fuzz", now_);
    open_.erase(conn);
    closed_by_core_.erase(conn);
    drain();
    for (const auto& [id, owner] : user_conn_) check(owner != conn || !active(id));
  }
  void feed(int slot, const std::string& bytes) { core_.stream_data(slots_[slot], bytes, now_); }
  void feed_canned(int slot, std::uint8_t which, std::uint8_t split) {
    const std::string pdu = canned_pdu(which);
    const std::size_t cut = split % (pdu.size() + 1);
    feed(slot, pdu.substr(0, cut));
    feed(slot, pdu.substr(cut));
  }

  void drain() {
    for (const Action& a : core_.outbox())
      std::visit([this](const auto& act) { on_action(act); }, a);
    core_.outbox().clear();
  }
  void check_recipient(ConnHandle conn) const {
    check(open_.count(conn) == 1 && closed_by_core_.count(conn) == 0);
  }
  void check_fits(ConnHandle conn, std::size_t bytes) const {
    check(limited_.count(conn) == 0 || bytes <= kOnePacketLimit);
  }
  void on_action(const qc::chat::action::Deliver& deliver) {
    check(!deliver.recipients.empty());
    check(deliver.bytes != nullptr && qc::proto::decode(*deliver.bytes).ok());
    for (ConnHandle conn : deliver.recipients) {
      check_recipient(conn);
      check_fits(conn, deliver.bytes->size());
    }
  }
  void on_action(const qc::chat::action::Send& send) {
    check_recipient(send.conn);
    check(send.bytes != nullptr);
    check_fits(send.conn, send.bytes->size());
    auto pdu = qc::proto::decode(*send.bytes);
    check(pdu.ok());
    if (pdu->type != MsgType::LoginAck) return;
    auto users = qc::proto::decode_user_list(pdu->msg);
    check(users.ok() && !users->empty());
    user_conn_[users->back().user_id] = send.conn;
  }
  void on_action(const qc::chat::action::Close& close) {
    check(open_.count(close.conn) == 1);
    check(closed_by_core_.insert(close.conn).second);
  }
  void on_action(const qc::chat::action::Probe& probe) {
    check(open_.count(probe.conn) == 1 && closed_by_core_.count(probe.conn) == 0);
  }
  void on_action(const qc::chat::action::VerifyPassword& verify) {
    check(open_.count(verify.conn) == 1 && closed_by_core_.count(verify.conn) == 0);
    ticket_conn_ = verify.conn;
    ticket_ = verify.ticket;
  }

  bool active(std::uint64_t id) const {
    for (const auto& u : core_.active_users()) {
      if (u.user_id == id) return true;
    }
    return false;
  }

  void check_presence() {
    const qc::proto::UserList users = core_.active_users();
    std::set<std::string> names;
    std::uint64_t last_id = 0;
    for (const auto& u : users) {
      check(names.insert(u.username).second);
      check(u.user_id > last_id);
      last_id = u.user_id;
      auto owner = user_conn_.find(u.user_id);
      check(owner != user_conn_.end());
      check(open_.count(owner->second) == 1 && closed_by_core_.count(owner->second) == 0);
    }
    const qc::chat::CoreStats stats = core_.stats();
    check(stats.active_users == users.size());
    check(stats.connections == open_.size());
    if (core_.next_deadline()) check(!open_.empty());
  }

  qc::chat::Core core_;
  qc::chat::TimePoint now_{};
  std::array<ConnHandle, kSlots> slots_{};
  ConnHandle next_conn_ = 1;
  std::set<ConnHandle> open_;                      // opened and not yet reported closed
  std::set<ConnHandle> limited_;                   // opened with a one-packet limit
  std::set<ConnHandle> closed_by_core_;            // the core asked to close them
  std::map<std::uint64_t, ConnHandle> user_conn_;  // user id -> connection, from LOGIN_ACKs
  ConnHandle ticket_conn_ = 0;
  std::uint64_t ticket_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader in(data, size);
  Driver driver;
  driver.run(in);
  return 0;
}
