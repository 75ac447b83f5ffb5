// The chat server's logic, sans I/O: sessions, presence, routing, the login flow and deadlines.
// The transport hands it bytes and connection events with the current time; it answers with an
// outbox of actions (send this reply, deliver these PDU bytes to these connections, close that
// connection, check this password) that the server glue carries out. Nothing here touches a
// socket, a thread or the clock; log lines go to CoreConfig::log_sink.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/config.h"
#include "chat/types.h"
#include "proto/codec.h"

namespace qc::chat {

// One counter per message type, indexed by the type's wire value (proto::MsgType).
inline constexpr std::size_t kMsgTypeSlots = 0x43;
using PerMsgType = std::array<std::uint64_t, kMsgTypeSlots>;

struct CoreStats {
  std::size_t connections = 0;
  std::size_t active_users = 0;  // accounts online
  std::size_t sessions = 0;      // logged-in sessions (an account may have several v2 devices)
  std::size_t v2_sessions = 0;
  std::uint64_t replaced_sessions = 0;  // closed for a newer session of the device, or the limit
  std::uint64_t duplicate_sends = 0;    // v2 sends repeated with a known cid (not redelivered)
  bool presence_pending = false;        // v2 presence changes wait for the next flush
  std::uint64_t deliveries = 0;         // message PDUs queued to recipients
  std::uint64_t logins = 0;
  std::uint64_t failed_logins = 0;      // wrong password, or a name with no account
  std::uint64_t already_logged_in = 0;  // right password, but the name is active elsewhere
  std::uint64_t malformed_pdus = 0;
  std::uint64_t throttled_logins = 0;          // LOGIN refused by a login rate limit
  std::uint64_t rate_limited = 0;              // messages dropped by the per-session rate limit
  std::uint64_t busy_logins = 0;               // LOGIN refused: max_pending_logins checks in flight
  std::uint64_t store_unavailable_logins = 0;  // LOGIN refused: the account store was unreachable
  std::uint64_t interrupted_logins = 0;  // LOGIN refused: the account's sessions ended meanwhile
  std::size_t pending_logins = 0;        // password checks asked for and not answered yet
  PerMsgType pdus_received{};            // decoded PDUs from clients, by type
  std::uint64_t kicks = 0;               // sessions closed by an operator
  std::uint64_t password_changes = 0;    // v2 passwd requests that changed the password
  std::uint64_t registrations = 0;       // v2 register requests that created an account
  // Rooms and stored messages.
  std::uint64_t stored_messages = 0;     // messages the store committed (with store_messages)
  std::uint64_t store_failures = 0;      // writes or reads the store refused (queue full, failed)
  std::uint64_t history_reads = 0;       // history pages asked of the store (history, join)
  std::uint64_t offline_deliveries = 0;  // messages sent in login catch-up pages
  std::size_t rooms = 0;
  std::size_t store_requests_in_flight = 0;  // Store / ReadStore not answered yet
  // A cluster.
  std::uint64_t bus_events = 0;         // events other nodes published that were applied
  std::uint64_t bus_gaps_repaired = 0;  // store reads that delivered messages the bus lost
  std::uint64_t bus_gaps_skipped = 0;   // holes the store no longer had (retention): passed over
  std::uint64_t bus_duplicates = 0;     // messages already delivered here (dropped)
  std::size_t remote_online = 0;        // accounts online on other nodes only
};

// A room, as operators see it (the admin socket's `rooms` and `room NAME`).
struct RoomSummary {
  std::string name;  // as created ("#Team")
  std::string topic;
  std::string op;
  std::size_t members = 0;
  std::size_t online = 0;  // members with a session online
};
struct RoomDetail {
  RoomSummary summary;
  std::vector<std::string> members;  // sorted case-insensitively
  std::vector<std::string> online;
};

// A logged-in session, as operators see it (the admin socket's `who`).
struct SessionInfo {
  ConnHandle conn = 0;
  std::uint64_t user_id = 0;
  std::string username;
  std::string peer;
  TimePoint connected_at{};
};

class Core {
 public:
  explicit Core(CoreConfig config = {});
  ~Core();
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // `max_pdu_in_one_packet`: the peer can read only PDUs of at most this many bytes (the
  // original's client, which takes each packet's stream data for one whole PDU). Longer messages
  // are not sent to it (the sender gets an error naming it); presence lists and errors are cut.
  // `offers_v2`: the connection's ALPN allows protocol v2 (proto::alpn_offers_v2).
  void connection_opened(ConnHandle conn, std::string_view peer, TimePoint now,
                         std::optional<std::size_t> max_pdu_in_one_packet = std::nullopt,
                         bool offers_v2 = true);
  void stream_data(ConnHandle conn, std::string_view bytes, TimePoint now);
  // The client ended its stream (FIN): nothing more can arrive, so the session ends. Inside an
  // unfinished PDU that is a framing error and is answered first ("Malformed data received");
  // at a PDU boundary it ends like a logout (close code NoError).
  void stream_ended(ConnHandle conn, TimePoint now);
  // Any loss (close, idle timeout, reset, our own Close completing): ends the session like a
  // logout. Idempotent.
  void connection_closed(ConnHandle conn, std::string_view reason, TimePoint now);
  // Exactly once per VerifyPassword, also when its connection has closed meanwhile: the answer
  // frees the check's place under max_pending_logins.
  // `account`: with Ok, the account's id and its name as stored (a login may differ in case).
  void password_checked(ConnHandle conn, std::uint64_t ticket, PasswordCheck result, TimePoint now,
                        const AccountRef& account = {});
  // Exactly once per ChangePassword or CreateAccount (the same ticket), also when its connection
  // has closed meanwhile: a password that changed ends the account's other sessions either way.
  void account_changed(ConnHandle conn, std::uint64_t ticket, AccountChange result, TimePoint now);
  // The transport heard from conn's peer after an action::Probe: a login waiting on it is refused
  // ("User already logged in"). Probes that nobody waits for any more are ignored.
  void probe_answered(ConnHandle conn, TimePoint now);
  // The answer to action::Store (one result per op, in order) and to action::ReadStore. Exactly
  // once per ticket, also when the connection that caused it has closed.
  void stored(std::uint64_t ticket, std::vector<history::OpResult> results, TimePoint now);
  void read_done(std::uint64_t ticket, history::ReadResult result, TimePoint now);
  // A cluster (CoreConfig::node_id): an event `origin` published; another node's heartbeat
  // expired (its accounts are offline unless online elsewhere); the bus came Up again with every
  // other node's online accounts (what was published meanwhile is lost: every conversation
  // delivered here is read from the store after its last id).
  void bus_event(std::string_view origin, proto::bus::Event event, TimePoint now);
  void node_down(std::string_view node, TimePoint now);
  using RemoteOnline = std::vector<std::pair<std::string, std::vector<std::string>>>;
  void bus_up(const RemoteOnline& remote_online, TimePoint now);
  // The answer to action::TakeV1Ids: the first of its ids, or nullopt (the logins waiting for an
  // id are refused as when the account store is down).
  void v1_ids_taken(std::optional<std::uint64_t> first, std::uint64_t count, TimePoint now);
  void tick(TimePoint now);  // fires due deadlines (login retry window, probe, keep-alive,
                             // the v2 presence flush)

  std::optional<TimePoint> next_deadline() const;

  // A reload: takes the limits, timeouts and rate limits of `next` (login attempts and windows,
  // keep-alive, first-PDU and probe timeouts, pending logins, decode limits, message and login
  // rates, text and target limits, devices) for what happens from now on; sessions go on. Every
  // other field is kept as the core started with it.
  void apply_live(const CoreConfig& next);

  // Actions produced since the last drain, in order. The caller carries them out and clears it.
  std::vector<Action>& outbox();

  CoreStats stats() const;
  // Active users in login order (user id, name): what LOGIN_ACK would list now.
  proto::UserList active_users() const;

  // Operators (admin.cc). Logged-in sessions in login order.
  std::vector<SessionInfo> logged_in_sessions() const;
  // Closes `username`'s sessions (every device) like a logout (the others get LOGOUT_BROADCAST),
  // with close code Kicked and the reason "kicked by the operator" (": <reason>" when given).
  // How many it closed: 0 when no such user is logged in. Each close is logged at debug only
  // (the operator's action has its one line).
  std::size_t kick(std::string_view username, std::string_view reason, TimePoint now);
  std::vector<RoomSummary> rooms() const;                       // by name
  std::optional<RoomDetail> room(std::string_view name) const;  // case-insensitive; "#" optional

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qc::chat
