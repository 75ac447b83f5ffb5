// What a ClientSession reports to its user: one variant per server PDU meaning, plus the
// transport's open/close, so that the terminal client, the bench and the conformance suite
// all consume one stream of events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "proto/codec.h"
#include "proto/v2/frames.h"

namespace qc::client {

enum class MessageKind : std::uint8_t { OneToOne, OneToMany, Broadcast, Room };

struct Connected {  // transport handshake done
  std::string alpn;
  std::string peer_address;
  std::string server = {};  // set by the terminal client: the --server entry connected to
};
struct VersionSelected {
  std::int64_t version = 0;
};
struct VersionRejected {
  std::string error;
};
struct LoginOk {
  proto::UserList users;  // active users in login order, the newcomer (us) last
  std::uint64_t my_id = 0;
};
struct LoginRetry {
  std::string error;
  std::string code = {};  // v2: the error code (bad_credentials, throttled, ...)
};
struct LoginRejected {  // LOGIN_UNSUCCESSFUL_DISCONNECT: the server ends the connection
  std::string error;
  std::string code = {};  // v2: too_many_attempts
};
struct UsersJoined {
  proto::UserList users;
};
struct UsersLeft {
  proto::UserList users;
};
struct Message {
  MessageKind kind = MessageKind::Broadcast;
  std::uint64_t sender_id = 0;  // v1 only
  std::string sender_name;
  std::string text;
  // v2 only (empty / 0 in v1): the conversation ("all", "d:1:2" or "#team"), the server's id,
  // epoch and timestamp (ms since the epoch), the recipients' names, the sender's client id.
  std::string conv = {};
  std::uint64_t id = 0;
  std::uint64_t epoch = 0;
  std::int64_t ts = 0;
  std::vector<std::string> to = {};
  std::string cid = {};
  bool own = false;  // sent by this account from another device
};
struct ServerError {  // MSG_UNSUCCESSFUL
  std::string error;
};
struct LoggedOut {
  std::string sys;
};
// --- v2 only ---------------------------------------------------------------------------------
struct Welcome {     // login accepted
  std::string user;  // as stored (the login may differ in case)
  std::uint64_t account = 0;
  std::string device;
  std::int64_t ts = 0;
};
// A send request this session made, as the answer to it names it (rid) and the user typed it.
struct OutgoingSend {
  proto::v2::RequestId rid = 0;
  std::string cid;
  std::vector<std::string> to;  // direct; empty for a broadcast
  std::string conv;             // "all" for a broadcast
  std::string text;
  friend bool operator==(const OutgoingSend&, const OutgoingSend&) = default;
};
struct Acked {  // the server accepted a send for at least one name
  OutgoingSend send;
  std::uint64_t epoch = 0;
  std::int64_t ts = 0;
  std::vector<proto::v2::Sent> sent;
  std::vector<proto::v2::TargetError> errors;  // the names that got no message
  bool duplicate = false;                      // a re-send: nothing delivered again
};
struct PresenceSnapshot {  // who is online, once after Welcome
  std::vector<std::string> online;
};
struct PresenceChanged {
  std::vector<std::string> joined;
  std::vector<std::string> left;
};
struct RequestError {  // a v2 error frame (refused request, or a problem with no request)
  std::optional<proto::v2::RequestId> rid;
  std::string code;
  std::string text;
  std::vector<proto::v2::TargetError> errors;
  std::optional<OutgoingSend> send;  // set when it refuses one of our sends
};

// --- v2 rooms, history, read cursors (issue 13) ------------------------------------------------
struct RoomJoined {  // the answer to join
  proto::v2::RequestId rid = 0;
  proto::v2::RoomInfo info;
  std::string conv;
  bool created = false;
};
struct RoomsListed {
  proto::v2::RequestId rid = 0;
  std::vector<proto::v2::RoomInfo> rooms;
  std::string topic_of;  // set when the list was asked for to show this room's topic (/topic)
};
struct MembersListed {
  proto::v2::RequestId rid = 0;
  std::string room;
  std::string op;
  std::vector<std::string> members;
  std::vector<std::string> online;
};
struct RoomChanged {  // room_event: join, leave, remove, topic
  std::string room;
  std::string event;
  std::string user;
  std::string by;
  std::string topic;
};
// A request answered by ok.
// PasswordChanged: the account's other sessions were ended. Registered: the account `user` was
// created (the login follows).
enum class Done : std::uint8_t { Left, TopicSet, Removed, Read, PasswordChanged, Registered };
struct RequestDone {
  proto::v2::RequestId rid = 0;
  Done what = Done::Read;
  std::string room;  // Left, TopicSet, Removed
  std::string user;  // Removed, PasswordChanged, Registered
  std::string conv;  // Read
  std::uint64_t id = 0;
  std::string topic = {};  // TopicSet: the new one ("" cleared it)
};
// Where a page comes from: the login's catch-up (messages not seen yet: shown as new), or the
// answer to a join or a history request (shown marked as history).
enum class PageOrigin : std::uint8_t { CatchUp, Join, History };
struct HistoryPage {
  std::optional<proto::v2::RequestId> rid;
  PageOrigin origin = PageOrigin::CatchUp;
  std::string conv;
  std::string label;  // "#team", "@bob" or "all": how the user names the conversation
  std::vector<Message> msgs;
  bool more = false;
  std::uint64_t expired = 0;
  std::uint64_t unread = 0;
  std::uint64_t read = 0;
};
struct UnreadCount {
  std::string conv;
  std::string label;
  std::uint64_t count = 0;
  friend bool operator==(const UnreadCount&, const UnreadCount&) = default;
};
struct CatchUpDone {  // synced: the login's catch-up is complete; unread counts where > 0
  std::vector<UnreadCount> unread;
};
struct CursorMoved {  // another device of the account read `conv` up to `id`
  std::string conv;
  std::uint64_t id = 0;
};

struct ProtocolViolation {  // the server sent something malformed or out of place
  std::string detail;
};
struct PathChanged {  // the connection now runs from a new local address (rebind)
  std::string peer_address;
};
struct ConnectionClosed {
  bool expected = false;  // after our logout or our own close: not a failure
  std::uint64_t app_error_code = 0;
  std::string kind;    // transport's close kind, e.g. "peer", "idle_timeout"
  std::string reason;  // human text
  // The lines of the messages sent on this connection that the server's transport had not
  // acknowledged, in the order they were sent: they may not have arrived.
  std::vector<std::string> undelivered = {};
};

using Event =
    std::variant<Connected, VersionSelected, VersionRejected, LoginOk, LoginRetry, LoginRejected,
                 UsersJoined, UsersLeft, Message, ServerError, LoggedOut, ProtocolViolation,
                 PathChanged, ConnectionClosed, Welcome, Acked, PresenceSnapshot, PresenceChanged,
                 RequestError, RoomJoined, RoomsListed, MembersListed, RoomChanged, RequestDone,
                 HistoryPage, CatchUpDone, CursorMoved>;

}  // namespace qc::client
