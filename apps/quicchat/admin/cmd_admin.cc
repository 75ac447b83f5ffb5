// `quicchat admin --socket PATH COMMAND`: asks a running server over its admin socket (one JSON
// request line, one JSON reply line; see ops/admin_protocol.h) and prints the answer.
#include <cstdio>
#include <string>

#include "ops/admin_protocol.h"
#include "quicchat/common/admin_client.h"
#include "quicchat/common/commands.h"
#include "quicchat/common/flags.h"

namespace qc::app {
namespace {

int admin_error(const std::string& message, int code) {
  std::fprintf(stderr, "quicchat admin: %s\n", message.c_str());
  return code;
}

Result<ops::AdminRequest> request_from(const std::vector<std::string>& words, bool cluster) {
  if (words.empty())
    return fail("usage",
                "a command is required: who [--cluster], nodes, kick NAME [REASON], stats, rooms, "
                "room NAME, purge, reload");
  const std::string& cmd = words[0];
  if (cluster && (cmd != "who" || words.size() != 1))
    return fail("usage", "--cluster goes with who only");
  if (cmd == "who" && words.size() == 1)
    return cluster ? ops::AdminRequest{ops::ClusterWhoRequest{}}
                   : ops::AdminRequest{ops::WhoRequest{}};
  if (cmd == "nodes" && words.size() == 1) return ops::AdminRequest{ops::NodesRequest{}};
  if (cmd == "stats" && words.size() == 1) return ops::AdminRequest{ops::StatsRequest{}};
  if (cmd == "kick" && words.size() >= 2) {
    std::string reason;
    for (std::size_t i = 2; i < words.size(); ++i) reason += (i > 2 ? " " : "") + words[i];
    return ops::AdminRequest{ops::KickRequest{words[1], reason}};
  }
  if (cmd == "rooms" && words.size() == 1) return ops::AdminRequest{ops::RoomsRequest{}};
  if (cmd == "room" && words.size() == 2) return ops::AdminRequest{ops::RoomRequest{words[1]}};
  if (cmd == "purge" && words.size() == 1) return ops::AdminRequest{ops::PurgeRequest{}};
  if (cmd == "reload" && words.size() == 1) return ops::AdminRequest{ops::ReloadRequest{}};
  return fail(
      "usage",
      "expected: who [--cluster] | nodes | kick NAME [REASON] | stats | rooms | room NAME | "
      "purge | reload");
}

void print_who(const std::vector<ops::WhoEntry>& users) {
  std::size_t name_width = 4, peer_width = 7;
  for (const auto& u : users) {
    name_width = std::max(name_width, u.name.size());
    peer_width = std::max(peer_width, u.peer.size());
  }
  const int nw = static_cast<int>(name_width), pw = static_cast<int>(peer_width);
  std::printf("%-5s %-*s %-*s %s\n", "ID", nw, "NAME", pw, "ADDRESS", "CONNECTED SINCE");
  for (const auto& u : users) {
    std::printf("%-5llu %-*s %-*s %s\n", static_cast<unsigned long long>(u.id), nw, u.name.c_str(),
                pw, u.peer.c_str(), u.since.c_str());
  }
  std::printf("%zu logged in\n", users.size());
}

}  // namespace

int cmd_admin(const Args& args) {
  Flags flags(
      "usage: quicchat admin --socket PATH COMMAND\n\n"
      "Asks a running server through its admin socket (quicchat server --admin-socket PATH).\n"
      "Commands:\n"
      "  who                 logged-in users: id, name, address, connected since (UTC)\n"
      "  who --cluster       in a cluster: every node's online accounts, one NODE ACCOUNT a line\n"
      "  nodes               in a cluster: every node (up, or down until its record is 10 min\n"
      "                      old): address, up since, heartbeat age, accounts, sessions, bus\n"
      "                      round trip, store ok/failed and its last operation's time.\n"
      "                      Without --cluster, who --cluster and nodes say the server is not\n"
      "                      in a cluster\n"
      "  kick NAME [REASON]  close that user's session; the client prints the reason\n"
      "  stats               the server's metrics as text\n"
      "  rooms               every room: name, members, operator, topic\n"
      "  room NAME           one room and its members (* = online)\n"
      "  purge               apply message retention now (the server log says what it deleted)\n"
      "  reload              re-read the config file, certificate and key (as SIGHUP does) and\n"
      "                      say what was applied and what needs a restart\n\n"
      "Accounts go through the same socket with quicchat user add|passwd|del NAME\n"
      "--admin-socket PATH (passwd and del end the account's sessions). The server logs one\n"
      "line per request: INFO admin action=kick name=bob reason=... sessions=1 peer=...\n"
      "(who, nodes, stats, rooms and room at debug).",
      {{"socket", "", "the server's admin socket"},
       {"cluster", "", "with who: the accounts online on every node of the cluster", true}});
  if (auto r = flags.parse(args); !r) return admin_error(r.error().message, 2);
  if (flags.help_requested()) {
    std::printf("%s", flags.help_text().c_str());
    return 0;
  }
  if (flags.get("socket").empty()) return admin_error("--socket PATH is required", 2);
  auto request = request_from(flags.positional(), flags.on("cluster"));
  if (!request) return admin_error(request.error().message, 2);
  auto reply = ask_admin(flags.get("socket"), *request);
  if (!reply) return admin_error(reply.error().message, 1);
  if (!reply->ok) return admin_error(reply->error, 1);
  if (reply->has_users) {
    print_who(reply->users);
  } else {
    std::fputs(reply->text.c_str(), stdout);
    if (!reply->text.ends_with('\n')) std::fputc('\n', stdout);
  }
  return 0;
}

}  // namespace qc::app
