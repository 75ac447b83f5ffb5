#include "ops/admin_protocol.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "proto/json_fields.h"
#include "proto/json_writer.h"

namespace qc::ops {
namespace {

namespace json = proto::detail;
using json::JsonValue;

Unexpected<Error> bad(std::string why) { return fail("bad_request", std::move(why)); }

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// An optional boolean member: false when absent, an error when present with another type.
Result<bool> optional_bool(const JsonValue& object, std::string_view key) {
  const JsonValue* v = object.find(key);
  if (v == nullptr) return false;
  if (v->kind != JsonValue::Kind::Bool)
    return bad("'" + std::string(key) + "' must be true or false");
  return v->boolean;
}

// An optional string member: "" when absent, an error when present with another type.
Result<std::string> optional_string(const JsonValue& object, std::string_view key) {
  const JsonValue* v = object.find(key);
  if (v == nullptr) return std::string();
  if (v->kind != JsonValue::Kind::String) {
    return bad("'" + std::string(key) + "' must be a string");
  }
  return v->text;
}

Result<AdminRequest> decode_kick(const JsonValue& object) {
  auto name = optional_string(object, "name");
  if (!name) return Unexpected{name.error()};
  auto reason = optional_string(object, "reason");
  if (!reason) return Unexpected{reason.error()};
  if (name->empty()) return bad("kick needs a 'name'");
  if (name->size() > kMaxAdminNameBytes || has_control(*name)) return bad("bad user name");
  if (reason->size() > kMaxKickReasonBytes) {
    return bad("reason over " + std::to_string(kMaxKickReasonBytes) + " bytes");
  }
  if (has_control(*reason)) return bad("control character in the reason");
  return AdminRequest{KickRequest{std::move(*name), std::move(*reason)}};
}

Result<AdminRequest> decode_room(const JsonValue& object) {
  auto name = optional_string(object, "name");
  if (!name) return Unexpected{name.error()};
  if (name->empty()) return bad("room needs a 'name'");
  if (name->size() > kMaxAdminNameBytes || has_control(*name)) return bad("bad room name");
  return AdminRequest{RoomRequest{std::move(*name)}};
}

constexpr std::pair<AccountRequest::Op, std::string_view> kAccountCommands[] = {
    {AccountRequest::Op::Add, "user_add"},
    {AccountRequest::Op::Passwd, "user_passwd"},
    {AccountRequest::Op::Del, "user_del"},
};

Result<AdminRequest> decode_account(AccountRequest::Op op, std::string_view cmd,
                                    const JsonValue& object) {
  auto name = optional_string(object, "name");
  if (!name) return Unexpected{name.error()};
  auto password = optional_string(object, "password");
  if (!password) return Unexpected{password.error()};
  if (name->empty()) return bad(std::string(cmd) + " needs a 'name'");
  if (name->size() > kMaxAdminNameBytes || has_control(*name)) return bad("bad user name");
  auto check = optional_bool(object, "check");
  if (!check) return Unexpected{check.error()};
  if (*check && op == AccountRequest::Op::Del) return bad("user_del takes no 'check'");
  const bool needs_password = op != AccountRequest::Op::Del && !*check;
  if (!needs_password && !password->empty())
    return bad(std::string(cmd) + (*check ? " with 'check'" : "") + " takes no 'password'");
  if (needs_password && password->empty()) return bad(std::string(cmd) + " needs a 'password'");
  if (password->size() > kMaxAdminPasswordBytes) {
    return bad("password over " + std::to_string(kMaxAdminPasswordBytes) + " bytes");
  }
  if (password->find('\0') != std::string::npos) return bad("NUL byte in the password");
  return AdminRequest{AccountRequest{op, std::move(*name), std::move(*password), *check}};
}

Result<WhoEntry> decode_who_entry(const JsonValue& v) {
  if (v.kind != JsonValue::Kind::Object) return bad("'users' must hold objects");
  auto id = json::uint_field(v, "id");
  auto name = json::string_field(v, "name");
  auto peer = json::string_field(v, "peer");
  auto since = json::string_field(v, "since");
  if (!id || !name || !peer || !since) return bad("a user entry lacks id, name, peer or since");
  return WhoEntry{*id, *name, *peer, *since};
}

}  // namespace

Result<AdminRequest> decode_admin_request(std::string_view line) {
  if (line.size() > kMaxAdminLineBytes) {
    return bad("request over " + std::to_string(kMaxAdminLineBytes) + " bytes");
  }
  auto object = json::parse_object(line, {kMaxAdminLineBytes, 4}, "request");
  if (!object) return bad("malformed request: " + object.error().detail);
  auto cmd = json::string_field(*object, "cmd");
  if (!cmd) return bad(cmd.error().detail);
  if (*cmd == "who") return AdminRequest{WhoRequest{}};
  if (*cmd == "stats") return AdminRequest{StatsRequest{}};
  if (*cmd == "kick") return decode_kick(*object);
  if (*cmd == "rooms") return AdminRequest{RoomsRequest{}};
  if (*cmd == "room") return decode_room(*object);
  if (*cmd == "purge") return AdminRequest{PurgeRequest{}};
  if (*cmd == "reload") return AdminRequest{ReloadRequest{}};
  if (*cmd == "who_cluster") return AdminRequest{ClusterWhoRequest{}};
  if (*cmd == "nodes") return AdminRequest{NodesRequest{}};
  for (const auto& [op, name] : kAccountCommands) {
    if (*cmd == name) return decode_account(op, name, *object);
  }
  return bad(
      "unknown command (who, kick, stats, rooms, room, purge, reload, user_add, "
      "user_passwd, user_del, who_cluster, nodes)");
}

std::string encode_admin_request(const AdminRequest& request) {
  std::string out;
  json::ObjectWriter w(out);
  if (std::holds_alternative<WhoRequest>(request)) {
    w.string("cmd", "who");
  } else if (std::holds_alternative<StatsRequest>(request)) {
    w.string("cmd", "stats");
  } else if (std::holds_alternative<RoomsRequest>(request)) {
    w.string("cmd", "rooms");
  } else if (const auto* room = std::get_if<RoomRequest>(&request)) {
    w.string("cmd", "room").string("name", room->name);
  } else if (std::holds_alternative<PurgeRequest>(request)) {
    w.string("cmd", "purge");
  } else if (std::holds_alternative<ReloadRequest>(request)) {
    w.string("cmd", "reload");
  } else if (std::holds_alternative<ClusterWhoRequest>(request)) {
    w.string("cmd", "who_cluster");
  } else if (std::holds_alternative<NodesRequest>(request)) {
    w.string("cmd", "nodes");
  } else if (const auto* account = std::get_if<AccountRequest>(&request)) {
    w.string("cmd", account_command(account->op)).string("name", account->name);
    if (!account->password.empty()) w.string("password", account->password);
    if (account->check_only) w.raw("check", "true");
  } else {
    const auto& kick = std::get<KickRequest>(request);
    w.string("cmd", "kick").string("name", kick.name);
    if (!kick.reason.empty()) w.string("reason", kick.reason);
  }
  w.close();
  return out;
}

std::string_view account_command(AccountRequest::Op op) {
  for (const auto& [o, name] : kAccountCommands) {
    if (o == op) return name;
  }
  return "?";
}

std::string_view command_name(const AdminRequest& request) {
  return std::visit(
      [](const auto& r) -> std::string_view {
        using R = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<R, AccountRequest>) {
          return account_command(r.op);
        } else {
          return R::kCommand;
        }
      },
      request);
}

AdminReply admin_error(std::string error) {
  AdminReply r;
  r.ok = false;
  r.error = std::move(error);
  return r;
}

std::string encode_admin_reply(const AdminReply& reply) {
  std::string out;
  json::ObjectWriter w(out);
  w.raw("ok", reply.ok ? "true" : "false");
  if (!reply.ok) w.string("error", reply.error);
  if (!reply.text.empty()) w.string("text", reply.text);
  if (reply.has_users) {
    std::string users = "[";
    for (const WhoEntry& u : reply.users) {
      if (users.size() > 1) users += ", ";
      json::ObjectWriter(users)
          .unsigned_integer("id", u.id)
          .string("name", u.name)
          .string("peer", u.peer)
          .string("since", u.since)
          .close();
    }
    users += ']';
    w.raw("users", users);
  }
  w.close();
  return out;
}

Result<AdminReply> decode_admin_reply(std::string_view line) {
  auto object = json::parse_object(line, {64u << 20, 4}, "reply");
  if (!object) return bad(object.error().detail);
  const JsonValue* ok = object->find("ok");
  if (ok == nullptr || ok->kind != JsonValue::Kind::Bool) return bad("reply without 'ok'");
  AdminReply r;
  r.ok = ok->boolean;
  auto error = optional_string(*object, "error");
  auto text = optional_string(*object, "text");
  if (!error || !text) return bad("'error' and 'text' must be strings");
  r.error = *error;
  r.text = *text;
  if (const JsonValue* users = object->find("users")) {
    if (users->kind != JsonValue::Kind::Array) return bad("'users' must be an array");
    r.has_users = true;
    for (const JsonValue& v : users->items) {
      auto entry = decode_who_entry(v);
      if (!entry) return Unexpected{entry.error()};
      r.users.push_back(std::move(*entry));
    }
  }
  return r;
}

}  // namespace qc::ops
