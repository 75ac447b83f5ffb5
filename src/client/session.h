// ClientSession: the protocol-level chat client, sans I/O. Request methods queue encoded PDUs
// (one SharedBytes per PDU) in an outbox the caller drains and writes to the chat stream;
// on_bytes() consumes whatever the stream delivered and queues Events. No sockets, no clock:
// the same object drives the terminal client, the bench and unit tests with canned bytes.
//
// State is the seed's connection DFA (client view): DISCONNECTED -> CONNECTING -> CONNECTED
// (VERSIONS and LOGIN allowed) -> AUTHENTICATED (chat allowed) -> DISCONNECTING -> DISCONNECTED.
// Login never waits for the VERSIONS reply: the original server treats VERSIONS as optional.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/events.h"
#include "client/presence.h"
#include "proto/connection_state.h"
#include "proto/framer.h"
#include "util/bytes.h"
#include "util/result.h"

namespace qc::client {

// What a client accepts from a server. Larger than what a server accepts from a client: a
// presence list grows with the number of users online (about 46 bytes each), and 64 KiB would
// stop logins once some 1,400 users are on.
inline constexpr std::size_t kMaxServerPduBytes = 8 * 1024 * 1024;

class ClientSession {
 public:
  explicit ClientSession(std::size_t max_pdu_bytes = kMaxServerPduBytes);

  // --- transport notifications -----------------------------------------------------------
  void on_connecting();
  void on_open(std::string alpn, std::string peer_address);
  void on_path_changed(std::string peer_address);
  void on_closed(std::uint64_t app_error_code, std::string kind, std::string reason);
  void on_local_close() { closed_locally_ = true; }  // we are closing without a logout
  void on_bytes(std::string_view bytes);

  // --- requests (each queues exactly one PDU, or fails without queuing) -------------------
  Result<void> start();  // VERSIONS {"versions": [1]}
  Result<void> login(std::string_view username, std::string_view password);
  Result<void> send_broadcast(std::string_view text);
  Result<void> send_direct(std::uint64_t target_id, std::string_view text);
  Result<void> send_many(const std::vector<std::uint64_t>& target_ids, std::string_view text);
  Result<void> alive();
  Result<void> logout();
  // Queues arbitrary bytes as one write (conformance tests send malformed input with it).
  void send_raw(std::string bytes);

  // --- draining ----------------------------------------------------------------------------
  std::vector<SharedBytes> take_outbox();
  std::vector<Event> take_events();
  bool has_output() const { return !outbox_.empty(); }

  // --- state -------------------------------------------------------------------------------
  proto::ConnState state() const { return dfa_.state(); }
  bool logged_in() const;
  bool logging_out() const { return logout_requested_; }
  std::optional<std::uint64_t> my_id() const { return my_id_; }
  const std::string& my_name() const { return my_name_; }
  const Presence& presence() const { return presence_; }
  std::optional<std::uint64_t> find_user_id(std::string_view name) const {
    return presence_.find_id(name);
  }

 private:
  Result<void> require_logged_in(std::string_view what) const;
  void queue(proto::MsgType type, std::string msg);
  void apply(proto::ConnEvent event);
  void on_pdu(std::string_view bytes);
  void dispatch(const proto::Pdu& pdu);
  void on_versions(const proto::Pdu& pdu);
  void on_login_ack(const proto::Pdu& pdu);
  void on_user_list(const proto::Pdu& pdu);
  void on_delivery(const proto::Pdu& pdu, MessageKind kind);
  void on_error_reply(const proto::Pdu& pdu);
  void on_logout_ack(const proto::Pdu& pdu);
  void violation(std::string detail);

  proto::DecodeLimits limits_;
  proto::StreamFramer framer_;
  proto::ConnectionDfa dfa_;
  std::vector<SharedBytes> outbox_;
  std::vector<Event> events_;
  Presence presence_;
  std::optional<std::uint64_t> my_id_;
  std::string my_name_;
  bool logout_requested_ = false;
  bool closed_locally_ = false;
};

}  // namespace qc::client
