// The admin socket's protocol: one JSON object per line each way. Pure (the fuzz target feeds
// the request decoder anything).
//   {"cmd": "who"}                                  -> {"ok": true, "users": [{"id": 1, "name":
//                                                      "alice", "peer": "...", "since": "..."}]}
//   {"cmd": "who_cluster"}                          -> {"ok": true, "text": "<node, account a
//   line>"}
//   {"cmd": "nodes"}                                -> {"ok": true, "text": "<one node a line>"}
//   {"cmd": "kick", "name": "bob", "reason": "..."} -> {"ok": true, "text": "kicked bob"}
//   {"cmd": "stats"}                                -> {"ok": true, "text": "<lines>"}
//   {"cmd": "rooms"}                                -> {"ok": true, "text": "<one room a line>"}
//   {"cmd": "room", "name": "#team"}                -> {"ok": true, "text": "<room, members>"}
//   {"cmd": "purge"}                                -> {"ok": true, "text": "purge started"}
//   {"cmd": "reload"}                               -> {"ok": true, "text": "<what it applied>"}
//   {"cmd": "user_add", "name": "ann", "password": "..."}    -> {"ok": true, "text": "added ..."}
//   {"cmd": "user_passwd", "name": "ann", "password": "..."} -> {"ok": true, "text": "changed
//                                                      the password of 'ann'; 2 sessions ended"}
//   {"cmd": "user_del", "name": "ann"}              -> {"ok": true, "text": "deleted ..."}
//   anything wrong                                  -> {"ok": false, "error": "<why>"}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/result.h"

namespace qc::ops {

inline constexpr std::size_t kMaxAdminLineBytes = 4096;
inline constexpr std::size_t kMaxKickReasonBytes = 200;  // it travels in a CONNECTION_CLOSE
inline constexpr std::size_t kMaxAdminNameBytes = 64;
inline constexpr std::size_t kMaxAdminPasswordBytes = 1024;

struct WhoRequest {
  static constexpr std::string_view kCommand = "who";
  friend bool operator==(const WhoRequest&, const WhoRequest&) = default;
};
// A cluster's questions (answered from Redis, so by any node for all of them).
struct ClusterWhoRequest {
  static constexpr std::string_view kCommand = "who_cluster";
  friend bool operator==(const ClusterWhoRequest&, const ClusterWhoRequest&) = default;
};
struct NodesRequest {
  static constexpr std::string_view kCommand = "nodes";
  friend bool operator==(const NodesRequest&, const NodesRequest&) = default;
};
struct StatsRequest {
  static constexpr std::string_view kCommand = "stats";
  friend bool operator==(const StatsRequest&, const StatsRequest&) = default;
};
struct KickRequest {
  static constexpr std::string_view kCommand = "kick";
  std::string name;
  std::string reason;  // may be empty
  friend bool operator==(const KickRequest&, const KickRequest&) = default;
};
struct RoomsRequest {
  static constexpr std::string_view kCommand = "rooms";
  friend bool operator==(const RoomsRequest&, const RoomsRequest&) = default;
};
struct RoomRequest {
  static constexpr std::string_view kCommand = "room";
  std::string name;
  friend bool operator==(const RoomRequest&, const RoomRequest&) = default;
};
struct PurgeRequest {
  static constexpr std::string_view kCommand = "purge";
  friend bool operator==(const PurgeRequest&, const PurgeRequest&) = default;
};
struct ReloadRequest {
  static constexpr std::string_view kCommand = "reload";
  friend bool operator==(const ReloadRequest&, const ReloadRequest&) = default;
};
// An account changed by the running server (quicchat user --admin-socket): it hashes the
// password on its hashing pool, and passwd and del end the account's sessions.
struct AccountRequest {
  enum class Op { Add, Passwd, Del };
  Op op = Op::Add;
  std::string name;
  std::string password;  // add, passwd: not empty, no NUL byte; del, and a check: empty
  // add, passwd: only whether the account is absent (add) or present (passwd), answered before
  // `quicchat user` asks for the password ("check": true; nothing is written).
  bool check_only = false;
  friend bool operator==(const AccountRequest&, const AccountRequest&) = default;
};
using AdminRequest =
    std::variant<WhoRequest, KickRequest, StatsRequest, RoomsRequest, RoomRequest, PurgeRequest,
                 ReloadRequest, AccountRequest, ClusterWhoRequest, NodesRequest>;

// "user_add", "user_passwd", "user_del".
std::string_view account_command(AccountRequest::Op op);
// passwd and del (not their checks) end the account's sessions once written.
inline bool ends_sessions(const AccountRequest& r) {
  return r.op != AccountRequest::Op::Add && !r.check_only;
}
// The request's "cmd" (a request type's kCommand), for the log.
std::string_view command_name(const AdminRequest& request);

// One request line (without its newline). The error says what is wrong, for the reply.
Result<AdminRequest> decode_admin_request(std::string_view line);
std::string encode_admin_request(const AdminRequest& request);

struct WhoEntry {
  std::uint64_t id = 0;
  std::string name;
  std::string peer;
  std::string since;  // UTC, ISO 8601: "2026-11-24T05:00:00Z"
  friend bool operator==(const WhoEntry&, const WhoEntry&) = default;
};

struct AdminReply {
  bool ok = true;
  std::string error;            // when !ok
  std::string text;             // kick, stats
  std::vector<WhoEntry> users;  // who
  bool has_users = false;
  friend bool operator==(const AdminReply&, const AdminReply&) = default;
};

AdminReply admin_error(std::string error);
std::string encode_admin_reply(const AdminReply& reply);  // one line, without the newline
Result<AdminReply> decode_admin_reply(std::string_view line);

}  // namespace qc::ops
