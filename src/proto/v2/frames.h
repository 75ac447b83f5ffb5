// Protocol version 2: the frames (docs/PROTOCOL.md, part II). A v2 frame on the stream is a
// 4-byte big-endian length N followed by N bytes of one JSON object (UTF-8) whose "t" member names
// the frame type. Members a receiver does not know are ignored; a frame type the server does not
// know is answered with an `error` (code unknown_type) and the session goes on; a client ignores
// frame types it does not know.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace qc::proto::v2 {

inline constexpr std::int64_t kVersion = 2;
inline constexpr std::size_t kLengthPrefixBytes = 4;
// The largest frame body a server accepts from a client (the same bound as a v1 PDU).
inline constexpr std::size_t kMaxClientFrameBytes = 64 * 1024;
// Conversations: "all" (broadcast: every account), "d:<lo>:<hi>" (the direct conversation of two
// accounts, by immutable account id), "#name" (a room; the key is the room name in lower case).
inline constexpr std::string_view kBroadcastConv = "all";

using RequestId = std::uint64_t;  // chosen by the client, echoed in the answer; <= 2^53 - 1

// --- client -> server -------------------------------------------------------------------------
// The last message id a client has seen, per conversation (resume).
struct Since {
  std::string conv;
  std::uint64_t id = 0;
  friend bool operator==(const Since&, const Since&) = default;
};

struct Login {  // {"t":"login","rid":1,"user":"alice","password":"pw","device":"laptop-3f9a"}
  RequestId rid = 0;
  std::string user;
  std::string password;
  std::string device;  // optional: empty = a new device id chosen by the server
  // optional, on the wire {"#team":40,"d:1:2":17}: the last id seen per conversation. After the
  // welcome and the presence snapshot the server sends, per conversation of the account, what
  // came after it (after the account's read cursor where a conversation is not named), as `page`
  // frames, then `synced`. The initialiser keeps Login{rid, user, password, device} warning-free.
  std::vector<Since> since = {};
  // optional: the epoch of the ids in `since` (the msg frames' `epoch`). A server whose epoch
  // differs ignores `since` (the ids belong to another database) and starts after the read cursor.
  std::uint64_t epoch = 0;
  friend bool operator==(const Login&, const Login&) = default;
};
// {"t":"send","rid":2,"to":["bob","cam"],"text":"hi","cid":"c-17"} (direct, one per named pair)
// {"t":"send","rid":3,"conv":"all","text":"hi"}                     (broadcast)
// Exactly one of `to` (1..max_targets names) and `conv` is given.
struct Send {
  RequestId rid = 0;
  std::vector<std::string> to;
  std::string conv;
  std::string text;
  std::string cid;  // optional client message id (1-64 bytes): a re-send is acknowledged again
  friend bool operator==(const Send&, const Send&) = default;
};
// Rooms. {"t":"join","rid":6,"room":"#team"}: creates the room when there is none (the creator
// is its operator); answered by `room`, then a `page` of its latest messages.
struct Join {
  RequestId rid = 0;
  std::string room;
  friend bool operator==(const Join&, const Join&) = default;
};
struct Leave {  // {"t":"leave","rid":7,"room":"#team"}: answered by ok
  RequestId rid = 0;
  std::string room;
  friend bool operator==(const Leave&, const Leave&) = default;
};
struct ListRooms {  // {"t":"rooms","rid":8}: answered by room_list
  RequestId rid = 0;
  friend bool operator==(const ListRooms&, const ListRooms&) = default;
};
struct SetTopic {  // {"t":"topic","rid":9,"room":"#team","topic":"release"}: operator only; ok
  RequestId rid = 0;
  std::string room;
  std::string topic;  // empty: clears it
  friend bool operator==(const SetTopic&, const SetTopic&) = default;
};
struct ListMembers {  // {"t":"members","rid":10,"room":"#team"}: answered by member_list
  RequestId rid = 0;
  std::string room;
  friend bool operator==(const ListMembers&, const ListMembers&) = default;
};
struct RemoveMember {  // {"t":"remove","rid":11,"room":"#team","user":"bob"}: operator only; ok
  RequestId rid = 0;
  std::string room;
  std::string user;
  friend bool operator==(const RemoveMember&, const RemoveMember&) = default;
};
// History: {"t":"history","rid":12,"conv":"#team","before":120,"limit":50} or, for a direct
// conversation, "with":"bob" instead of "conv". At most one of before/after; neither = the latest.
// Answered by `page`.
struct History {
  RequestId rid = 0;
  std::string conv;
  std::string with;
  std::optional<std::uint64_t> before;
  std::optional<std::uint64_t> after;
  std::uint32_t limit = 0;  // 0: the server's default (50); capped by the server (500)
  friend bool operator==(const History&, const History&) = default;
};
// {"t":"read","rid":13,"conv":"d:1:2","id":17}: the account has read conv up to id (the cursor
// only moves forward). Answered by ok; the account's other sessions get `cursor`.
struct Read {
  RequestId rid = 0;
  std::string conv;
  std::uint64_t id = 0;
  friend bool operator==(const Read&, const Read&) = default;
};
// Accounts users manage themselves. {"t":"passwd","rid":15,"old":"p1","new":"p2"}: changes the
// logged-in account's password (the old one is checked); answered by ok, and every other session
// of the account is closed. {"t":"register","rid":1,"user":"dan","password":"p4"}: before login,
// creates an account where the server allows it; answered by ok, then the client logs in.
struct Passwd {
  RequestId rid = 0;
  std::string old_password;  // "old" on the wire
  std::string new_password;  // "new"
  friend bool operator==(const Passwd&, const Passwd&) = default;
};
struct Register {
  RequestId rid = 0;
  std::string user;
  std::string password;
  friend bool operator==(const Register&, const Register&) = default;
};
struct Ping {  // {"t":"ping","rid":4}: keep-alive; answered by pong
  RequestId rid = 0;
  friend bool operator==(const Ping&, const Ping&) = default;
};
struct Logout {  // {"t":"logout","rid":5}: answered by bye, then the server closes
  RequestId rid = 0;
  friend bool operator==(const Logout&, const Logout&) = default;
};

// --- server -> client -------------------------------------------------------------------------
struct Welcome {  // the answer to a successful login
  RequestId rid = 0;
  std::string user;           // the account's name as stored (the login may differ in case)
  std::uint64_t account = 0;  // immutable internal account id
  std::string device;         // this session's device id (the client keeps it)
  std::int64_t ts = 0;        // server time, milliseconds since the Unix epoch
  friend bool operator==(const Welcome&, const Welcome&) = default;
};
// Once per session right after welcome: {"t":"presence","online":["alice","bob"],"snapshot":true}
// Then only changes, coalesced: {"t":"presence","joined":["cam"],"left":["bob"]}
struct Presence {
  bool snapshot = false;
  std::vector<std::string> online;  // snapshot only
  std::vector<std::string> joined;  // changes only
  std::vector<std::string> left;
  friend bool operator==(const Presence&, const Presence&) = default;
};
// A message in conversation `conv`: "all" (broadcast) or "d:1:2" for the direct conversation
// of two accounts, by their immutable account ids, lower first. Ids ascend per conversation within
// an epoch.
struct Msg {
  std::string conv;
  std::uint64_t id = 0;
  std::uint64_t epoch = 0;
  std::int64_t ts = 0;
  std::string from;
  std::vector<std::string> to;  // direct: the recipient's name; broadcast: empty
  std::string text;
  std::string cid;  // set on the copies to the sender's own other devices, and in history
  friend bool operator==(const Msg&, const Msg&) = default;
};
struct Sent {      // one accepted message of a send
  std::string to;  // direct: the recipient's name as stored; broadcast: empty
  std::string conv;
  std::uint64_t id = 0;
  bool offline = false;  // no session of the recipient was online: nothing was delivered now
  friend bool operator==(const Sent&, const Sent&) = default;
};
struct TargetError {  // one name of a send that got no message
  std::string to;
  std::string code;
  std::string text;
  friend bool operator==(const TargetError&, const TargetError&) = default;
};
struct Ack {  // a send with at least one accepted message
  RequestId rid = 0;
  std::string cid;
  std::uint64_t epoch = 0;
  std::int64_t ts = 0;
  std::vector<Sent> sent;
  std::vector<TargetError> errors;
  bool duplicate = false;  // a re-send of a cid already accepted: nothing was delivered again
  friend bool operator==(const Ack&, const Ack&) = default;
};
// Rooms, server side.
struct RoomInfo {    // one room as listed
  std::string room;  // the name as created ("#Team")
  std::string topic;
  std::string op;  // the operator's account name
  std::uint32_t members = 0;
  bool member = false;  // the asking account is a member
  friend bool operator==(const RoomInfo&, const RoomInfo&) = default;
};
struct Room {  // the answer to join: {"t":"room","rid":6,"room":"#team","conv":"#team",...}
  RequestId rid = 0;
  RoomInfo info;
  std::string conv;  // the room's conversation ("#team": the name in lower case)
  bool created = false;
  friend bool operator==(const Room&, const Room&) = default;
};
struct RoomList {
  RequestId rid = 0;
  std::vector<RoomInfo> rooms;
  friend bool operator==(const RoomList&, const RoomList&) = default;
};
struct MemberList {
  RequestId rid = 0;
  std::string room;
  std::string op;
  std::vector<std::string> members;  // sorted case-insensitively
  std::vector<std::string> online;   // the members with a session online
  friend bool operator==(const MemberList&, const MemberList&) = default;
};
// To every member's every session: {"t":"room_event","room":"#team","event":"join","user":"cam"}.
// event: join, leave, remove (by = the operator), topic (topic = the new one).
struct RoomEvent {
  std::string room;
  std::string event;
  std::string user;
  std::string by;
  std::string topic;
  friend bool operator==(const RoomEvent&, const RoomEvent&) = default;
};
// A page of a conversation's stored messages, oldest first: the answer to history (rid set), or
// at login one per conversation with something new (rid absent). `more`: there are more in the
// direction asked (older for before/latest, newer for after). `expired`: messages after the
// asked position that retention deleted before they were delivered. `unread`: at login, the
// messages after the account's read cursor.
struct Page {
  std::optional<RequestId> rid;
  std::string conv;
  std::vector<Msg> msgs;
  bool more = false;
  std::uint64_t expired = 0;
  std::uint64_t unread = 0;
  std::uint64_t read = 0;  // the account's read cursor in conv
  friend bool operator==(const Page&, const Page&) = default;
};
struct Synced {  // the end of the login catch-up: {"t":"synced","rid":1,"unread":{"#team":3}}
  RequestId rid = 0;
  std::vector<Since> unread;  // conv -> unread count (id holds the count), only where > 0
  friend bool operator==(const Synced&, const Synced&) = default;
};
struct Cursor {  // another device of the account read conv up to id
  std::string conv;
  std::uint64_t id = 0;
  friend bool operator==(const Cursor&, const Cursor&) = default;
};
// A request that succeeded with nothing else to say (leave, topic, remove, read, passwd,
// register).
struct Ok {
  RequestId rid = 0;
  friend bool operator==(const Ok&, const Ok&) = default;
};
struct Pong {
  RequestId rid = 0;
  friend bool operator==(const Pong&, const Pong&) = default;
};
struct Bye {
  RequestId rid = 0;
  friend bool operator==(const Bye&, const Bye&) = default;
};
struct Error {  // a refused request (rid set) or a problem with no request (rid absent)
  std::optional<RequestId> rid;
  std::string code;                 // one of the codes below
  std::string text;                 // a human sentence
  std::vector<TargetError> errors;  // send: why each name got no message
  friend bool operator==(const Error&, const Error&) = default;
};
// A frame whose "t" this side does not know (its rid, when it had one).
struct Unknown {
  std::string type;
  std::optional<RequestId> rid;
  friend bool operator==(const Unknown&, const Unknown&) = default;
};

using Frame =
    std::variant<Login, Send, Ping, Logout, Welcome, Presence, Msg, Ack, Pong, Bye, Error, Unknown,
                 Join, Leave, ListRooms, SetTopic, ListMembers, RemoveMember, History, Read, Room,
                 RoomList, MemberList, RoomEvent, Page, Synced, Cursor, Ok, Passwd, Register>;

// "login", "send", ...: the value of "t".
std::string_view frame_type_name(const Frame& frame);

namespace code {                                                  // Error.code and TargetError.code
inline constexpr std::string_view kBadFrame = "bad_frame";        // not JSON / bad member
inline constexpr std::string_view kTooLarge = "too_large";        // frame over the limit
inline constexpr std::string_view kUnknownType = "unknown_type";  // a "t" the server lacks
inline constexpr std::string_view kNotLoggedIn = "not_logged_in";          // chat before login
inline constexpr std::string_view kAlreadyLoggedIn = "already_logged_in";  // login twice
inline constexpr std::string_view kBadCredentials = "bad_credentials";
inline constexpr std::string_view kTooManyAttempts = "too_many_attempts";  // then close
inline constexpr std::string_view kLoginTimeout = "login_timeout";  // no new login in time: close
inline constexpr std::string_view kThrottled = "throttled";         // login rate limits
inline constexpr std::string_view kServerBusy = "server_busy";      // password checks queued
inline constexpr std::string_view kLoginInterrupted = "login_interrupted";  // sessions ended
inline constexpr std::string_view kNoSuchUser = "no_such_user";  // a name with no account
inline constexpr std::string_view kNoSuchConv = "no_such_conv";
inline constexpr std::string_view kEmptyText = "empty_text";
inline constexpr std::string_view kTextTooLong = "text_too_long";
inline constexpr std::string_view kTooManyTargets = "too_many_targets";
inline constexpr std::string_view kRateLimited = "rate_limited";
inline constexpr std::string_view kTooLongForClient = "too_long_for_client";  // v1 echo-protocol
inline constexpr std::string_view kInternal = "internal";
// Rooms, history, storage.
inline constexpr std::string_view kBadRoomName = "bad_room_name";
inline constexpr std::string_view kNoSuchRoom = "no_such_room";
inline constexpr std::string_view kNotMember = "not_member";      // send/history/members
inline constexpr std::string_view kNotOperator = "not_operator";  // topic, remove
inline constexpr std::string_view kTooManyRooms = "too_many_rooms";
inline constexpr std::string_view kRoomFull = "room_full";
inline constexpr std::string_view kTopicTooLong = "topic_too_long";
inline constexpr std::string_view kStoreFull = "store_full";      // writer queue over its bound
inline constexpr std::string_view kOfflineFull = "offline_full";  // recipient's unread over bound
inline constexpr std::string_view kStoreFailed = "store_failed";  // the database refused (disk)
// Accounts users manage themselves (passwd, register).
inline constexpr std::string_view kWrongPassword = "wrong_password";  // passwd: the old one
inline constexpr std::string_view kBadPassword = "bad_password";      // empty, NUL, too long
inline constexpr std::string_view kBadName = "bad_name";              // register: not a name
inline constexpr std::string_view kNameTaken = "name_taken";          // register: exists
inline constexpr std::string_view kRegistrationClosed = "registration_closed";  // not allowed
}  // namespace code

}  // namespace qc::proto::v2
