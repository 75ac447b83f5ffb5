#include "server/admin.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "cluster/node_record.h"
#include "io/wall_clock.h"
#include "ops/admin_protocol.h"
#include "ops/unix_socket.h"
#include "server/chat_server.h"
#include "server/metrics.h"
#include "util/log.h"

namespace qc::server {
namespace {

// An admin client is a person or a script: a minute per connection, a few at once.
constexpr ops::StreamLimits kAdminLimits{8, ops::kMaxAdminLineBytes, std::chrono::seconds(60)};

std::string iso8601_utc(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string room_line(const chat::RoomSummary& r) {
  std::string line = r.name + " members=" + std::to_string(r.members) +
                     " online=" + std::to_string(r.online) + " op=" + r.op;
  if (!r.topic.empty()) line += " topic=\"" + r.topic + "\"";
  return line;
}

std::string rooms_text(const std::vector<chat::RoomSummary>& rooms) {
  if (rooms.empty()) return "no rooms";
  std::string text;
  for (const chat::RoomSummary& r : rooms) text += room_line(r) + "\n";
  return text;
}

// The room's line, then one member a line, "*" after those online.
std::string room_text(const chat::RoomDetail& room) {
  std::string text = room_line(room.summary) + "\n";
  for (const std::string& name : room.members) {
    const bool online =
        std::find(room.online.begin(), room.online.end(), name) != room.online.end();
    text += name + (online ? " *" : "") + "\n";
  }
  return text;
}

bool is_question(const ops::AdminRequest& r) {
  return std::holds_alternative<ops::WhoRequest>(r) ||
         std::holds_alternative<ops::StatsRequest>(r) ||
         std::holds_alternative<ops::RoomsRequest>(r) ||
         std::holds_alternative<ops::RoomRequest>(r) ||
         std::holds_alternative<ops::ClusterWhoRequest>(r) ||
         std::holds_alternative<ops::NodesRequest>(r);
}

bool is_cluster_question(const ops::AdminRequest& r) {
  return std::holds_alternative<ops::ClusterWhoRequest>(r) ||
         std::holds_alternative<ops::NodesRequest>(r);
}

// One readable line per request: `admin action=kick name=bob reason="spam" sessions=1
// peer="uid=1000,pid=42"`, with `error="..."` when it was refused; `request` is null when the line
// did not decode. Questions go to debug. Never the request itself (it may hold a password).
void log_action(const std::string& peer, const ops::AdminRequest* request, const std::string& error,
                std::optional<std::size_t> sessions) {
  const auto* account = request ? std::get_if<ops::AccountRequest>(request) : nullptr;
  // A name check that passes is a question; one that fails is the operator's refused action.
  const bool question =
      request != nullptr &&
      (is_question(*request) || (account != nullptr && account->check_only && error.empty()));
  const log::Level level = question ? log::Level::Debug : log::Level::Info;
  if (!log::enabled(level)) return;
  std::vector<log::Field> fields;
  fields.emplace_back("action", request ? ops::command_name(*request) : "bad_request");
  if (request != nullptr) {
    std::visit(
        [&fields](const auto& r) {
          if constexpr (requires { r.name; }) fields.emplace_back("name", r.name);
          if constexpr (requires { r.reason; }) {
            if (!r.reason.empty()) fields.emplace_back("reason", r.reason);
          }
        },
        *request);
  }
  if (account != nullptr && account->check_only) fields.emplace_back("check", "true");
  if (sessions) fields.emplace_back("sessions", std::uint64_t{*sessions});
  if (!error.empty()) fields.emplace_back("error", error);
  fields.emplace_back("peer", peer);
  log::write(level, "admin", fields);
}

}  // namespace

Result<std::unique_ptr<AdminSocket>> AdminSocket::start(io::EventLoop& loop, ChatServer& server,
                                                        std::string path) {
  auto fd = ops::listen_unix(path);
  if (!fd) return Unexpected{fd.error()};
  std::unique_ptr<AdminSocket> admin(new AdminSocket(loop, server, std::move(path)));
  auto stream = ops::StreamServer::start(
      loop, *fd, kAdminLimits,
      [a = admin.get()](std::string& input, std::string& output, const std::string& peer) {
        return a->on_input(input, output, peer);
      });
  if (!stream) {  // (the stream server closed the socket)
    unlink(admin->path_.c_str());
    return Unexpected{stream.error()};
  }
  admin->stream_ = std::move(*stream);
  return admin;
}

AdminSocket::~AdminSocket() {
  stream_.reset();
  unlink(path_.c_str());
}

ops::StreamNext AdminSocket::on_input(std::string& input, std::string& output,
                                      const std::string& peer) {
  std::size_t newline;
  while ((newline = input.find('\n')) != std::string::npos) {
    std::string_view line(input.data(), newline);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto request = ops::decode_admin_request(line);
    input.erase(0, newline + 1);  // (`line` is not used after this)
    if (!request) {
      log_action(peer, nullptr, request.error().message, std::nullopt);
      output += ops::encode_admin_reply(ops::admin_error(request.error().message)) + '\n';
      continue;
    }
    if (auto* account = std::get_if<ops::AccountRequest>(&*request)) {
      change_account(std::move(*account), peer, stream_->serving());
      return ops::StreamNext::Wait;
    }
    if (is_cluster_question(*request) && server_.bus() != nullptr) {
      ask_cluster(std::move(*request), peer, stream_->serving());
      return ops::StreamNext::Wait;
    }
    std::optional<std::size_t> sessions;
    const ops::AdminReply reply = answer(*request, sessions);
    log_action(peer, &*request, reply.error, sessions);
    output += ops::encode_admin_reply(reply) + '\n';
  }
  if (input.size() > ops::kMaxAdminLineBytes) {
    output += ops::encode_admin_reply(ops::admin_error(
        "request line over " + std::to_string(ops::kMaxAdminLineBytes) + " bytes"));
    output += '\n';
    return ops::StreamNext::FinishWriting;
  }
  return ops::StreamNext::Continue;
}

namespace {

// The reply's start; the account's name and a closing quote follow.
std::string_view done_text(const ops::AccountRequest& r) {
  using enum ops::AccountRequest::Op;
  if (r.check_only) return r.op == Add ? "no account named '" : "there is an account named '";
  switch (r.op) {
    case Add:
      return "added user '";
    case Passwd:
      return "changed the password of '";
    case Del:
      break;
  }
  return "deleted user '";
}

}  // namespace

void AdminSocket::change_account(ops::AccountRequest request, const std::string& peer,
                                 std::uint64_t conn) {
  const ops::AdminRequest logged{
      ops::AccountRequest{request.op, request.name, "", request.check_only}};
  server_.change_account(
      std::move(request),
      [this, logged, peer, conn, alive = std::weak_ptr<bool>(alive_)](Result<std::size_t> ended) {
        if (alive.expired()) return;
        const auto& account = std::get<ops::AccountRequest>(logged);
        ops::AdminReply reply;
        std::optional<std::size_t> sessions;
        if (!ended) {
          reply = ops::admin_error(ended.error().message);
        } else {
          reply.text = std::string(done_text(account)) + account.name + "'";
          if (ops::ends_sessions(account)) {
            sessions = *ended;
            reply.text +=
                "; " + std::to_string(*ended) + " session" + (*ended == 1 ? "" : "s") + " ended";
          }
        }
        log_action(peer, &logged, reply.error, sessions);
        stream_->resume(conn, ops::encode_admin_reply(reply) + '\n');
      });
}

// The whole cluster, read from Redis by the bus; the reply waits for it.
void AdminSocket::ask_cluster(ops::AdminRequest request, const std::string& peer,
                              std::uint64_t conn) {
  server_.bus()->read_cluster([this, request, peer, conn, alive = std::weak_ptr<bool>(alive_)](
                                  Result<std::vector<cluster::ClusterNode>> nodes) {
    if (alive.expired()) return;
    ops::AdminReply reply;
    if (!nodes)
      reply = ops::admin_error(nodes.error().message);
    else if (std::holds_alternative<ops::NodesRequest>(request))
      reply.text = cluster::format_nodes(*nodes, io::unix_ms_now());
    else
      reply.text = cluster::format_cluster_who(*nodes);
    log_action(peer, &request, reply.error, std::nullopt);
    stream_->resume(conn, ops::encode_admin_reply(reply) + '\n');
  });
}

ops::AdminReply AdminSocket::answer(const ops::AdminRequest& request,
                                    std::optional<std::size_t>& sessions) {
  ops::AdminReply reply;
  if (std::holds_alternative<ops::WhoRequest>(request)) {
    reply.has_users = true;
    // Session times are the loop's steady clock; the wall clock says when that was.
    const auto wall_now = std::chrono::system_clock::now();
    for (const chat::SessionInfo& s : server_.sessions()) {
      const auto ago = std::chrono::duration_cast<std::chrono::system_clock::duration>(
          loop_.now() - s.connected_at);
      reply.users.push_back({s.user_id, s.username, s.peer, iso8601_utc(wall_now - ago)});
    }
  } else if (std::holds_alternative<ops::StatsRequest>(request)) {
    reply.text = render_stats_text(snapshot(server_));
  } else if (std::holds_alternative<ops::RoomsRequest>(request)) {
    reply.text = rooms_text(server_.rooms());
  } else if (const auto* room = std::get_if<ops::RoomRequest>(&request)) {
    auto detail = server_.room(room->name);
    if (!detail) return ops::admin_error("no room '" + room->name + "'");
    reply.text = room_text(*detail);
  } else if (std::holds_alternative<ops::ReloadRequest>(request)) {
    if (!reload_) return ops::admin_error("reload is not available");
    auto reloaded = reload_();
    if (!reloaded) return ops::admin_error(reloaded.error().message);
    reply.text = *reloaded;
  } else if (is_cluster_question(request)) {
    reply.text = "this server is not in a cluster (it runs without --cluster)";
  } else if (std::holds_alternative<ops::PurgeRequest>(request)) {
    server_.purge_now();
    reply.text = "purge started (the log's retention_purge line says what it deleted)";
  } else {
    const auto& kick = std::get<ops::KickRequest>(request);
    const std::size_t kicked = server_.kick(kick.name, kick.reason);
    sessions = kicked;
    // In a cluster the other nodes end their sessions of the account too (a bus event): none
    // here is no error, the account may be on another node.
    if (server_.bus() != nullptr)
      reply.text = "kicked " + kick.name + " on every node (" + std::to_string(kicked) +
                   " session" + (kicked == 1 ? "" : "s") + " on this one)";
    else if (kicked == 0)
      return ops::admin_error("no user '" + kick.name + "' is logged in");
    else
      reply.text = "kicked " + kick.name;
  }
  return reply;
}

}  // namespace qc::server
