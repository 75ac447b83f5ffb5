// The chat core's settings (docs/SECURITY.md explains the abuse limits' defaults).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chat/accounts.h"
#include "chat/message_ids.h"
#include "chat/types.h"
#include "proto/codec.h"
#include "util/log.h"

namespace qc::chat {

// Where the core's log lines go (event name and fields, as util/log formats them). The core calls
// it on the loop thread; a server may pass one that formats and writes elsewhere.
using LogSink = std::function<void(log::Level level, std::string_view event,
                                   std::initializer_list<log::Field> fields)>;

struct CoreConfig {
  int max_login_attempts = 3;
  Duration login_retry_window{60'000};  // after a failed LOGIN, the next must come within this
  Duration keepalive_timeout{90'000};   // a session silent this long is closed (3 x 30 s)
  // A connection that has sent no whole PDU yet is closed this long after it opened (when
  // shorter than keepalive_timeout): a silent connection must not hold its place for 90 s.
  Duration first_pdu_timeout{10'000};
  // A LOGIN with the right password for a name active on another session probes that session
  // (is its client still there?) this long; no answer ends it and admits the new login.
  // 0 = no probe: "User already logged in" at once.
  Duration login_probe_timeout{2'000};
  std::size_t max_pending_pdus = 64;  // PDUs queued while a password check is in flight
  // Password checks queued or running at once (all sessions); a LOGIN beyond this is refused
  // with "server busy" instead of growing the hash queue. 0 = no bound.
  std::size_t max_pending_logins = 256;
  proto::DecodeLimits limits{};

  // Abuse limits.
  RateLimit message_rate{20, 40};                 // ONE_TO_ONE/ONE_TO_MANY/BROADCAST per session
  RateLimit login_rate_per_ip{30.0 / 60, 50};     // LOGIN attempts per source address
  RateLimit login_rate_per_account{6.0 / 60, 6};  // LOGIN attempts per account name
  // v2 self-registration (`register` before login): off unless allowed; accounts per address.
  bool allow_registration = false;
  RateLimit registration_rate_per_ip{3.0 / 3600, 3};
  std::size_t max_text_bytes = 32 * 1024;         // "msg" of a message request
  std::size_t max_targets = 100;                  // ids in one ONE_TO_MANY

  // Keys the hash that stands in the log for a LOGIN name with no account (a password typed into
  // the name field must not be logged). A server sets a random one at start.
  std::uint64_t log_hash_key = 0;

  // Protocol v2.
  std::size_t max_devices = 8;  // sessions of one account at once (v2 devices and a v1 session)
  // Presence changes are sent at most this often, coalesced: one frame per session per flush.
  Duration presence_interval{50};
  // ... and at least this much per v2 session online between two flushes (1,000 sessions:
  // 250 ms, 10,000: 2.5 s): a flush costs a packet and its ACK per session, about 15 us each on
  // a 2-core machine. At 100 us a 10,000-session set-up cost 2.2x the server CPU per session.
  std::chrono::microseconds presence_interval_per_session{250};
  // A flush is written out this many sessions at a time, the next slice this long after the
  // previous one: a flush to thousands never holds up a message for long, and its packets (and
  // the ACKs they bring back) reach the network and the clients' machines spread out, not as one
  // burst (10,000 sessions: about 0.6 s, within the 1 s between flushes).
  std::size_t presence_slice = 32;
  std::chrono::microseconds presence_slice_gap{2'000};
  Duration client_id_window{
      600'000};  // a send repeated with its cid within this is not redelivered
  std::size_t client_ids_per_account = 1000;
  // Server time for timestamps: `unix_ms` at the steady `origin` (the core reads no clock).
  TimePoint clock_origin{};
  std::int64_t clock_origin_unix_ms = 0;
  // Whether a name that is not online is an account (a v2 message to it is accepted). Empty: only
  // names online are known.
  std::shared_ptr<AccountDirectory> directory;
  // Message ids per conversation. Empty: in memory, with epoch `message_epoch`.
  std::shared_ptr<MessageSequencer> sequencer;
  std::uint64_t message_epoch = 1;

  // Rooms, history, offline delivery (docs/SECURITY.md gives the reasons for the defaults).
  // Whether v2 messages are stored (history, offline delivery, resume). Off: a message is
  // delivered and acknowledged at once, with ids from `sequencer`; rooms are stored either way.
  bool store_messages = false;
  std::vector<history::StoredRoom> rooms;  // loaded from the store at start
  std::size_t max_rooms_per_account = 100;
  std::size_t max_room_members = 10'000;
  std::size_t max_topic_bytes = 512;
  std::uint32_t history_page_default = 50;
  std::uint32_t history_page_max = 500;
  std::uint32_t catch_up_per_conv = 500;  // login catch-up: messages per conversation, at most
  std::uint64_t offline_bound = 10'000;   // unread messages queued for one offline account, per conv

  // A cluster (docs/ARCHITECTURE.md, "A cluster"): this node's name; empty = a server on its own,
  // which never publishes. A cluster needs store_messages (the store allocates the ids and
  // repairs what the bus lost).
  std::string node_id;
  // A message that came before one it follows waits this long for it; then the store is read.
  Duration bus_gap_bound{200};

  LogSink log_sink;  // empty: the process's logger (util/log), as far as its level lets through
};

}  // namespace qc::chat
