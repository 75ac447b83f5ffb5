// The admin socket of a real server: `quicchat admin who` lists the logged-in users, `kick`
// closes one session with the reason (code 8) and the others see that user leave; the socket
// file is private, replaced when stale, and removed on a clean exit.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "support/peer.h"
#include "support/server_process.h"
#include "support/v2_peer.h"

namespace qc::itest {
namespace {

using proto::MsgType;

ServerProcessOptions with_admin_socket(const std::string& path) {
  ServerProcessOptions opts;
  opts.extra_args = {"--admin-socket", path};
  return opts;
}

std::string temp_socket_path(const char* name) {
  return (std::filesystem::temp_directory_path() /
          (std::string(name) + "-" + std::to_string(getpid()) + ".sock"))
      .string();
}

TEST(AdminSocket, WhoListsUsersAndKickClosesASessionWithTheReason) {
  const std::string path = temp_socket_path("qc-admin");
  ServerProcess server(with_admin_socket(path));
  ASSERT_TRUE(server.started()) << server.error();
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  Net net;
  const Target target{"127.0.0.1", server.port(), server.ca_file()};
  auto alice = net.connect(target);
  auto bob = net.connect(target);
  ASSERT_TRUE(alice && bob);
  ASSERT_FALSE(alice->login("alice", "p1").empty());
  ASSERT_FALSE(bob->login("bob", "p2").empty());
  ASSERT_TRUE(alice->expect(MsgType::LoginBroadcast));

  auto who = run_quicchat({"admin", "--socket", path, "who"});
  EXPECT_EQ(who.status, 0) << who.out;
  EXPECT_NE(who.out.find("ID    NAME"), std::string::npos) << who.out;
  EXPECT_NE(who.out.find("alice"), std::string::npos) << who.out;
  EXPECT_NE(who.out.find("bob"), std::string::npos) << who.out;
  EXPECT_NE(who.out.find("127.0.0.1:"), std::string::npos) << who.out;
  EXPECT_NE(who.out.find("2 logged in"), std::string::npos) << who.out;

  auto kick = run_quicchat({"admin", "--socket", path, "kick", "bob", "spamming", "the", "room"});
  EXPECT_EQ(kick.status, 0) << kick.out;
  EXPECT_NE(kick.out.find("kicked bob"), std::string::npos) << kick.out;

  auto closed = bob->wait_closed(10s);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->app_error_code, 8u);
  EXPECT_EQ(closed->reason, "kicked by the operator: spamming the room");
  auto left = alice->expect(MsgType::LogoutBroadcast, 10s);
  ASSERT_TRUE(left);
  auto users = proto::decode_user_list(left->msg);
  ASSERT_TRUE(users);
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ((*users)[0].username, "alice");

  auto again = run_quicchat({"admin", "--socket", path, "kick", "bob"});
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.out.find("no user 'bob' is logged in"), std::string::npos) << again.out;
  auto stats = run_quicchat({"admin", "--socket", path, "stats"});
  EXPECT_EQ(stats.status, 0) << stats.out;
  EXPECT_NE(stats.out.find("quicchat_kicks_total"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("quicchat_sessions_logged_in"), std::string::npos) << stats.out;

  EXPECT_EQ(server.terminate(), 0);
  EXPECT_FALSE(std::filesystem::exists(path)) << "removed on a clean exit";
}

TEST(AdminSocket, AStaleSocketIsReplacedALiveOneRefusedAFileKept) {
  const std::string path = temp_socket_path("qc-admin-stale");
  {
    ServerProcess crashed(with_admin_socket(path));
    ASSERT_TRUE(crashed.started()) << crashed.error();
    crashed.kill_hard();
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << "SIGKILL leaves the socket file behind";
  ServerProcess server(with_admin_socket(path));
  ASSERT_TRUE(server.started()) << server.error();
  EXPECT_EQ(run_quicchat({"admin", "--socket", path, "who"}).status, 0);

  // A second server on the same path, and one on a path that is a plain file, stop at once.
  auto second_server = [&](const std::string& socket) {
    return run_quicchat({"server", "--port", "0", "--db", server.db_file(), "--cert",
                         server.ca_file(), "--key", server.dir() + "/certs/quic_private_key.pem",
                         "--admin-socket", socket});
  };
  auto second = second_server(path);
  EXPECT_EQ(second.status, 1);
  EXPECT_NE(second.out.find("is in use by a running server"), std::string::npos) << second.out;
  EXPECT_EQ(run_quicchat({"admin", "--socket", path, "who"}).status, 0) << "the first still serves";

  const std::string file = temp_socket_path("qc-admin-file");
  std::ofstream(file) << "precious";
  auto refused = second_server(file);
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.out.find("is not a socket"), std::string::npos) << refused.out;
  std::string content;
  std::getline(std::ifstream(file), content);
  EXPECT_EQ(content, "precious");
  std::filesystem::remove(file);
  EXPECT_EQ(server.terminate(), 0);
}

// Raw lines on the socket: each bad request gets {"ok": false, ...} and the next still works;
// a line over the limit gets its error and the connection ends.
TEST(AdminSocket, BadRequestsGetAnErrorReplyAndTheNextStillWorks) {
  const std::string path = temp_socket_path("qc-admin-raw");
  ServerProcess server(with_admin_socket(path));
  ASSERT_TRUE(server.started()) << server.error();
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval guard{20, 0};  // failure guard only
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  auto ask = [&](const std::string& line) {
    const std::string out = line + "\n";
    EXPECT_EQ(send(fd, out.data(), out.size(), MSG_NOSIGNAL), static_cast<ssize_t>(out.size()));
    std::string reply;
    char c;
    while (recv(fd, &c, 1, 0) == 1 && c != '\n') reply += c;
    return reply;
  };
  EXPECT_EQ(ask("not json"),
            R"({"ok": false, "error": "malformed request: invalid literal at offset 0"})");
  EXPECT_NE(
      ask(R"({"cmd": "reboot"})").find("unknown command (who, kick, stats, rooms, room, purge"),
      std::string::npos);
  EXPECT_NE(ask(R"({"cmd": "kick"})").find("kick needs a 'name'"), std::string::npos);
  EXPECT_EQ(ask(R"({"cmd": "who"})"), R"({"ok": true, "users": []})");
  EXPECT_NE(ask(std::string(5000, 'x')).find("request line over 4096 bytes"), std::string::npos);
  char c;
  EXPECT_EQ(recv(fd, &c, 1, 0), 0) << "closed after an oversized line";
  close(fd);

  auto usage = run_quicchat({"admin", "--socket", path, "frobnicate"});
  EXPECT_EQ(usage.status, 2) << usage.out;
  auto missing = run_quicchat({"admin", "--socket", "/nonexistent/x.sock", "who"});
  EXPECT_EQ(missing.status, 1) << missing.out;
  EXPECT_NE(missing.out.find("cannot connect to /nonexistent/x.sock"), std::string::npos)
      << missing.out;
  EXPECT_EQ(server.terminate(), 0);
}

// Rooms as operators see them, and retention on demand.
TEST(AdminSocket, RoomsRoomAndPurge) {
  const std::string path = temp_socket_path("qc-admin-rooms");
  ServerProcess server(with_admin_socket(path));
  ASSERT_TRUE(server.started()) << server.error();
  Net net;
  const Target target{"127.0.0.1", server.port(), server.ca_file()};
  auto alice = V2Peer::connect(net, target);
  ASSERT_TRUE(alice);
  ASSERT_TRUE(alice->login("alice", "p1"));
  alice->send(v2::Join{0, "#Team"});
  ASSERT_TRUE(alice->expect<v2::Room>());
  ASSERT_TRUE(alice->expect<v2::Page>());
  alice->send(v2::SetTopic{0, "#team", "release"});
  ASSERT_TRUE(alice->expect<v2::Ok>());

  auto rooms = run_quicchat({"admin", "--socket", path, "rooms"});
  EXPECT_EQ(rooms.status, 0) << rooms.out;
  EXPECT_NE(rooms.out.find("#Team members=1 online=1 op=alice topic=\"release\""),
            std::string::npos)
      << rooms.out;
  auto room = run_quicchat({"admin", "--socket", path, "room", "#TEAM"});
  EXPECT_EQ(room.status, 0) << room.out;
  EXPECT_NE(room.out.find("\nalice *\n"), std::string::npos) << room.out;
  auto none = run_quicchat({"admin", "--socket", path, "room", "#nope"});
  EXPECT_EQ(none.status, 1);
  EXPECT_NE(none.out.find("no room '#nope'"), std::string::npos) << none.out;
  auto purge = run_quicchat({"admin", "--socket", path, "purge"});
  EXPECT_EQ(purge.status, 0) << purge.out;
  EXPECT_NE(purge.out.find("purge started"), std::string::npos) << purge.out;
}

}  // namespace
}  // namespace qc::itest
