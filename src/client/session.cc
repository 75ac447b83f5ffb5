#include "client/session.h"

#include <random>
#include <utility>

#include "proto/alpn.h"

namespace qc::client {

using proto::ConnEvent;
using proto::ConnState;
using proto::MsgType;

namespace {
std::string random_cid_tag() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag;
  for (int i = 0; i < 8; ++i) tag.push_back(kHex[rd() % 16]);
  return tag;
}
}  // namespace

ClientSession::ClientSession(std::size_t max_pdu_bytes)
    : ClientSession(SessionConfig{max_pdu_bytes, 1, {}, 1}) {}

ClientSession::ClientSession(SessionConfig config)
    : limits_{.max_bytes = config.max_pdu_bytes},
      framer_(config.max_pdu_bytes),
      v2_reader_(config.max_pdu_bytes),
      max_version_(config.max_version),
      cid_tag_(config.cid_tag.empty() ? random_cid_tag() : std::move(config.cid_tag)),
      next_cid_(config.first_cid) {}

bool ClientSession::logged_in() const {
  return state() == ConnState::Authenticated || state() == ConnState::SendingMessage;
}

// The DFA only rejects transitions our own call order already rules out; a rejected one
// leaves the state as it was, which is the safe outcome, so the result is not propagated.
void ClientSession::apply(ConnEvent event) { (void)dfa_.apply(event); }

// --- transport notifications ----------------------------------------------------------------

void ClientSession::on_connecting() {
  if (state() == ConnState::Disconnected) apply(ConnEvent::Connect);
}

void ClientSession::on_open(std::string alpn, std::string peer_address) {
  alpn_ = alpn;
  on_connecting();
  if (state() == ConnState::Connecting) apply(ConnEvent::Established);
  events_.emplace_back(Connected{std::move(alpn), std::move(peer_address)});
}

void ClientSession::on_path_changed(std::string peer_address) {
  events_.emplace_back(PathChanged{std::move(peer_address)});
}

void ClientSession::on_closed(std::uint64_t app_error_code, std::string kind, std::string reason) {
  // Expected: we logged out, closed, or the server already said why (rejection).
  const bool expected = closed_locally_ || logout_requested_ || state() == ConnState::Disconnecting;
  if (state() == ConnState::Error) apply(ConnEvent::GiveUp);
  if (state() != ConnState::Disconnecting && state() != ConnState::Connecting) {
    apply(ConnEvent::Disconnect);
  }
  apply(ConnEvent::Closed);
  held_login_.reset();
  awaiting_version_ = false;
  pending_.clear();
  contexts_.clear();
  // pending_sends_ stays: the caller may resend them (same cid) on the next connection.
  events_.emplace_back(
      ConnectionClosed{expected, app_error_code, std::move(kind), std::move(reason), {}});
}

// --- requests -------------------------------------------------------------------------------

void ClientSession::queue(MsgType type, std::string msg) {
  outbox_.push_back(make_shared_bytes(proto::encode(proto::make_pdu(type, std::move(msg)))));
}

void ClientSession::send_raw(std::string bytes) {
  outbox_.push_back(make_shared_bytes(std::move(bytes)));
}

Result<void> ClientSession::start() {
  on_connecting();
  if (state() == ConnState::Connecting) apply(ConnEvent::Established);
  if (state() != ConnState::Connected) {
    return fail("bad_state",
                "cannot negotiate the version in " + std::string(proto::conn_state_name(state())));
  }
  offered_v2_ = max_version_ >= proto::v2::kVersion && alpn_ == proto::kAlpnQuicchat;
  awaiting_version_ = offered_v2_;
  queue(MsgType::Versions,
        proto::encode_versions_request(offered_v2_ ? proto::VersionsRequest{{1, 2}}
                                                   : proto::VersionsRequest{{1}}));
  return {};
}

Result<void> ClientSession::login(std::string_view username, std::string_view password,
                                  std::string_view device, std::vector<proto::v2::Since> since,
                                  std::uint64_t since_epoch) {
  return hold_or_send_login(HeldLogin{std::string(username), std::string(password),
                                      std::string(device), std::move(since), since_epoch});
}

Result<void> ClientSession::register_and_login(std::string_view username, std::string_view password,
                                               std::string_view device) {
  HeldLogin login{std::string(username), std::string(password), std::string(device), {}, 0};
  login.register_first = true;
  return hold_or_send_login(std::move(login));
}

// Encoded once the VERSIONS reply says in which version.
Result<void> ClientSession::hold_or_send_login(HeldLogin login) {
  if (state() != ConnState::Connected) {
    return fail("bad_state", "cannot log in while " + std::string(proto::conn_state_name(state())));
  }
  held_login_ = std::move(login);
  if (!awaiting_version_) release_held_login();
  return {};
}

void ClientSession::login_v1(const HeldLogin& login) {
  queue(MsgType::Login, proto::encode_login({login.user, login.password}));
}

Result<void> ClientSession::require_v1(std::string_view what) const {
  if (version_ != proto::v2::kVersion) return {};
  return fail("v2_no_ids", "cannot " + std::string(what) + " in protocol v2: use @name");
}

Result<void> ClientSession::require_logged_in(std::string_view what) const {
  if (logged_in() && !logout_requested_) return {};
  return fail("not_logged_in", "cannot " + std::string(what) + " before logging in");
}

Result<void> ClientSession::send_broadcast(std::string_view text) {
  if (auto ok = require_logged_in("send"); !ok) return ok;
  if (version_ == proto::v2::kVersion) {
    OutgoingSend send;
    send.conv = std::string(proto::v2::kBroadcastConv);
    send.text = std::string(text);
    return send_v2(std::move(send));
  }
  queue(MsgType::Broadcast, proto::encode_broadcast({std::string(text)}));
  return {};
}

Result<void> ClientSession::send_direct(std::uint64_t target_id, std::string_view text) {
  if (auto ok = require_v1("send to a session id"); !ok) return ok;
  if (auto ok = require_logged_in("send"); !ok) return ok;
  queue(MsgType::OneToOne,
        proto::encode_one_to_one({std::to_string(target_id), std::string(text)}));
  return {};
}

Result<void> ClientSession::send_many(const std::vector<std::uint64_t>& target_ids,
                                      std::string_view text) {
  if (auto ok = require_v1("send to session ids"); !ok) return ok;
  if (auto ok = require_logged_in("send"); !ok) return ok;
  std::string ids;
  for (std::uint64_t id : target_ids) {
    if (!ids.empty()) ids.push_back(',');
    ids += std::to_string(id);
  }
  queue(MsgType::OneToMany, proto::encode_one_to_many({std::move(ids), std::string(text)}));
  return {};
}

Result<void> ClientSession::alive() {
  if (auto ok = require_logged_in("send a keep-alive"); !ok) return ok;
  if (version_ == proto::v2::kVersion) {
    const auto rid = next_rid();
    pending_[rid] = RequestKind::Ping;
    queue_v2(proto::v2::Ping{rid});
    return {};
  }
  queue(MsgType::Alive, std::string(proto::kAliveText));
  return {};
}

Result<void> ClientSession::logout() {
  if (auto ok = require_logged_in("log out"); !ok) return ok;
  if (version_ == proto::v2::kVersion) {
    const auto rid = next_rid();
    pending_[rid] = RequestKind::Logout;
    queue_v2(proto::v2::Logout{rid});
  } else {
    queue(MsgType::Logout, std::string(proto::kLogoutText));
  }
  // The state stays AUTHENTICATED until LOGOUT_ACK: messages already in flight are still valid.
  logout_requested_ = true;
  return {};
}

std::vector<SharedBytes> ClientSession::take_outbox() { return std::exchange(outbox_, {}); }
std::vector<Event> ClientSession::take_events() { return std::exchange(events_, {}); }

}  // namespace qc::client
