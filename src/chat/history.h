// What the core asks of the message store, and what it answers (sans I/O). The core emits
// action::Store with a batch of operations and gets Core::stored(ticket, results) back, one
// result per operation, in order; action::Read is answered by Core::read_done(ticket, result).
// The server carries both out on one writer thread, first in first out, so a read sees exactly
// the writes asked for before it (the login catch-up relies on that: see docs/ARCHITECTURE.md).
// Ids of stored messages are given by the store, in commit order: dense and ascending per
// conversation (1, 2, 3, ...), never reused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "proto/v2/frames.h"

namespace qc::chat::history {

// --- writes -----------------------------------------------------------------------------------
struct AppendMessage {
  std::string conv;  // "all", "d:1:2", "#team"
  std::uint64_t sender_id = 0;
  std::string sender;           // the sender's name as stored
  std::vector<std::string> to;  // direct: the recipient's name (display); else empty
  std::string text;
  std::string cid;      // the client's message id, or empty (unique per sender and conv:
                        // a send to several names has one cid, one message per conv)
  std::int64_t ts = 0;  // ms since the Unix epoch
  // Direct conversations: both accounts (the conversation is listed for them at login).
  std::vector<std::uint64_t> participants;
  // When set: refuse (offline_full) if this account already has at least `offline_bound` unread
  // messages in conv (it is offline and the message would queue for it).
  std::optional<std::uint64_t> offline_account;
  std::uint64_t offline_bound = 0;
};
struct CreateRoom {  // fails with `exists` (naming the room's creator) when the key is taken
  std::string key;   // "#team"
  std::string name;  // "#Team"
  std::uint64_t op_id = 0;
  std::int64_t ts = 0;
};
struct AddMember {  // idempotent; the member's read cursor starts at the room's latest id
  std::string key;
  std::uint64_t account_id = 0;
};
struct RemoveMember {  // idempotent
  std::string key;
  std::uint64_t account_id = 0;
};
struct SetTopic {
  std::string key;
  std::string topic;
};
// Lists conv for the account at login from now on; the read cursor starts at conv's latest id
// (so "all" does not count every broadcast ever sent as unread for a new account). Idempotent.
struct Enroll {
  std::uint64_t account_id = 0;
  std::string conv;
};
struct SetReadCursor {  // moves forward only
  std::uint64_t account_id = 0;
  std::string conv;
  std::uint64_t id = 0;
};
using Op = std::variant<AppendMessage, CreateRoom, AddMember, RemoveMember, SetTopic, Enroll,
                        SetReadCursor>;

enum class Status {
  Ok,
  Exists,     // CreateRoom: the key is taken
  Duplicate,  // AppendMessage with a cid: the sender has a stored message with this cid in conv;
              // `id` is that message's id and nothing was stored (a re-send after a restart)
  OfflineFull,  // AppendMessage: offline_account's unread is at offline_bound
  QueueFull,    // the writer's queue is over its bound: nothing was stored
  Failed,       // the database refused (disk full, I/O error): nothing of the batch was stored
};
struct OpResult {
  Status status = Status::Ok;
  std::uint64_t id = 0;  // AppendMessage: the message's id in its conversation; CreateRoom's
                         // Exists: the room's operator (the creator whose insert won)
  std::string detail;    // Failed: the database's words; CreateRoom's Exists: the operator's name
};

// --- reads ------------------------------------------------------------------------------------
struct ReadPage {  // one conversation, oldest first within the page
  std::string conv;
  std::optional<std::uint64_t> before;
  std::optional<std::uint64_t> after;
  std::uint32_t limit = 50;
  std::uint64_t account_id = 0;  // whose read cursor and unread count come with the page
};
// The login catch-up of one account: every conversation listed for it (Enroll, participants of
// AppendMessage, room membership), each read after `since` where the client named it, else after
// the account's read cursor; at most `per_conv_limit` messages each (the oldest first, `more`
// set when there are others after them).
struct ReadCatchUp {
  std::uint64_t account_id = 0;
  std::vector<proto::v2::Since> since;
  std::uint32_t per_conv_limit = 500;
};
// Every room with its members, as at start (a cluster's node re-reads them when its bus comes
// back Up: the other nodes' changes meanwhile crossed no bus).
struct ReadRooms {};
using Query = std::variant<ReadPage, ReadCatchUp, ReadRooms>;

struct PageResult {
  std::string conv;
  std::vector<proto::v2::Msg> msgs;  // epoch set by the store
  bool more = false;
  std::uint64_t expired = 0;  // ids after the asked position that retention deleted
  std::uint64_t unread = 0;   // after the account's read cursor
  std::uint64_t read = 0;     // the account's read cursor
};
// The rooms and their members, loaded at start and by ReadRooms (the core keeps them in memory).
struct StoredRoom {
  std::string key;
  std::string name;
  std::string topic;
  std::uint64_t op_id = 0;
  std::string op;  // the operator's name
  std::vector<std::uint64_t> members;
  std::vector<std::string> member_names;  // the same order as members
};
struct ReadResult {
  Status status = Status::Ok;  // Ok, QueueFull or Failed
  std::string detail;
  std::vector<PageResult> pages;  // ReadPage: one; ReadCatchUp: one per conversation, unread or
                                  // new after since (conversations with nothing are left out)
  std::vector<StoredRoom> rooms;  // ReadRooms
};

}  // namespace qc::chat::history
