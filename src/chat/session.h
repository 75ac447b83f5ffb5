// One connection's server-side session: its framer, phase, login progress and deadlines.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/config.h"
#include "chat/limits.h"
#include "chat/session_phase.h"
#include "proto/framer.h"
#include "proto/v2/framer.h"

namespace qc::chat {

// A framer event kept for later (PDUs that arrive while a password check is in flight).
struct InboundItem {
  std::string pdu;                        // the PDU's bytes, when error is empty
  std::optional<proto::FrameErrc> error;  // a framing error, in stream order
  std::string detail;
};

struct Session {
  Session(ConnHandle c, std::string_view p, std::uint64_t s, const CoreConfig& config,
          TimePoint now)
      : conn(c),
        serial(s),
        peer(p),
        ip(address_without_port(p)),
        framer(config.limits.max_bytes, config.limits.max_depth),
        v2_reader(config.limits.max_bytes),
        connected_at(now),
        keepalive_at(now + std::min(config.first_pdu_timeout, config.keepalive_timeout)),
        message_bucket(config.message_rate, now) {}

  std::string_view log_user() const { return username.empty() ? std::string_view("-") : username; }
  // Whether a PDU of `bytes` (encoded) can be sent to this session's client.
  bool takes(std::size_t bytes) const {
    return !max_pdu_in_one_packet || bytes <= *max_pdu_in_one_packet;
  }

  ConnHandle conn;
  std::uint64_t serial;  // unique per session, so deadlines of an earlier session never match
  std::string peer;
  std::string ip;  // peer without the port: the key of the per-address login limit
  proto::StreamFramer framer;
  SessionPhase phase;  // decides what each inbound PDU does (session_phase.h)

  // Protocol. v2 can be chosen only by a VERSIONS that is the session's first PDU, on a connection
  // whose ALPN offers it; from the byte after that PDU the stream is read as v2 frames.
  int version = 1;
  bool offers_v2 = false;
  bool first_pdu_done = false;
  proto::v2::FrameReader v2_reader;
  TimePoint last_heard{};  // the latest whole PDU or frame: the least recent device is replaced

  // Login.
  int failed_logins = 0;
  std::string pending_username;         // the name of the latest LOGIN
  bool login_interrupted = false;       // the account's sessions ended during its password check
  std::deque<InboundItem> pending;      // PDUs received while a password check is in flight
  std::string username;                 // once authenticated
  std::uint64_t account_id = 0;         // once authenticated (0 where the store gave none)
  std::uint64_t pending_rid = 0;        // v2: the login request's id
  std::string pending_device;           // v2: the device id the login named
  std::string device;                   // v2: this session's device id, once authenticated
  std::vector<proto::v2::Since> since;  // v2: the login's last ids seen (the catch-up reads after)

  // Closed by an operator (a kick): its close lines are debug, the admin line says it.
  bool kicked = false;
  // Wall-clock ms of the login: a v1 session gets another node's messages sent after it (v1 has
  // no history; the bus may bring a message sent before the login after it).
  std::int64_t logged_in_ms = 0;

  // Stored messages (CoreConfig::store_messages): live deliveries skip this session while a read
  // that will contain them is in flight: the whole login catch-up, or a joined room's page.
  bool catching_up = false;
  std::vector<std::string> reading_convs;
  bool holds_back(std::string_view conv) const {
    return catching_up ||
           std::find(reading_convs.begin(), reading_convs.end(), conv) != reading_convs.end();
  }

  TimePoint connected_at;

  // Deadlines. keepalive_at only moves forward; retry_at is set after a failed LOGIN. Until the
  // first PDU, keepalive_at is the first-PDU deadline.
  bool heard_from = false;  // a whole PDU arrived
  TimePoint keepalive_at;
  std::optional<TimePoint> retry_at;
  std::optional<TimePoint> probe_at;  // in LOGIN_PROBING: when the probed session counts as gone
  ConnHandle probed_by = 0;           // a session in LOGIN_PROBING waits for this one's answer

  TokenBucket message_bucket;  // the per-session message rate

  // The original's client (echo-protocol) reads one PDU per packet: the largest PDU that fits one.
  std::optional<std::size_t> max_pdu_in_one_packet;
};

}  // namespace qc::chat
