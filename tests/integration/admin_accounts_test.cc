// Accounts changed through a running server's admin socket (`quicchat user add|passwd|del NAME
// --admin-socket PATH`): the server writes its own database, an added account logs in at once,
// passwd and del end the account's sessions on every device; and an operator's action is one
// INFO line in the server's log.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "support/peer.h"
#include "support/server_process.h"
#include "support/v2_peer.h"

namespace qc::itest {
namespace {

using proto::MsgType;

std::string temp_socket_path(const char* name) {
  return (std::filesystem::temp_directory_path() /
          (std::string(name) + "-" + std::to_string(getpid()) + ".sock"))
      .string();
}

class AdminAccounts : public ::testing::Test {
 protected:
  static ServerProcessOptions options(const std::string& socket) {
    ServerProcessOptions opts;
    // Debug, so that the test can await the lines that must not be INFO.
    opts.extra_args = {"--admin-socket", socket, "--log-level", "debug"};
    return opts;
  }

  // `quicchat user SUBCOMMAND NAME --admin-socket PATH`, the password (if any) on stdin.
  CommandResult user(const std::string& subcommand, const std::string& name,
                     const std::string& password = "") {
    std::vector<std::string> args = {"user", subcommand, name, "--admin-socket", socket_};
    if (!password.empty()) args.push_back("--password-stdin");
    return run_quicchat(args, password.empty() ? "" : password + "\n");
  }

  // A v1 LOGIN (no VERSIONS) that the server must refuse with "Invalid credentials".
  void expect_login_refused(const std::string& name, const std::string& password) {
    auto peer = net_.connect(target_);
    ASSERT_TRUE(peer);
    peer->send(MsgType::Login, proto::encode_login({name, password}));
    auto reply = peer->next(10s);
    ASSERT_TRUE(reply) << name;
    EXPECT_EQ(reply->type, MsgType::LoginUnsuccessfulRetry) << name;
    EXPECT_NE(reply->msg.find("Invalid credentials"), std::string::npos) << reply->msg;
  }

  std::unique_ptr<V2Peer> v2_login(const std::string& name, const std::string& password,
                                   const std::string& device) {
    auto peer = V2Peer::connect(net_, target_);
    if (!peer || !peer->login(name, password, device)) return nullptr;
    return peer;
  }

  const std::string socket_ = temp_socket_path("qc-admin-accounts");
  ServerProcess server_{options(socket_)};
  Net net_;
  const Target target_{"127.0.0.1", server_.port(), server_.ca_file()};
};

// The name is checked before a password is read: no password is given here (no terminal, nothing
// on stdin), so a reply about the name proves nobody was asked to type one first.
TEST_F(AdminAccounts, ATakenOrUnknownNameIsSaidBeforeAnyPassword) {
  ASSERT_TRUE(server_.started()) << server_.error();
  auto taken = run_quicchat({"user", "add", "Alice", "--admin-socket", socket_});
  EXPECT_EQ(taken.status, 1) << taken.out;
  EXPECT_NE(taken.out.find("user 'Alice' already exists as 'alice'"), std::string::npos)
      << taken.out;
  auto unknown = run_quicchat({"user", "passwd", "zed", "--admin-socket", socket_});
  EXPECT_EQ(unknown.status, 1) << unknown.out;
  EXPECT_NE(unknown.out.find("no such user 'zed'"), std::string::npos) << unknown.out;
  EXPECT_TRUE(server_.wait_for_log("INFO admin action=user_add name=Alice check=true error=", 5s))
      << server_.log();
  auto added = user("add", "dora", "pw");
  EXPECT_EQ(added.status, 0) << added.out;
  EXPECT_TRUE(server_.wait_for_log("DEBUG admin action=user_add name=dora check=true peer=", 5s))
      << server_.log();
}

// Owner and mode of the database and its -wal and -shm files (those that exist).
std::map<std::string, std::pair<uid_t, mode_t>> owners(const std::string& db) {
  std::map<std::string, std::pair<uid_t, mode_t>> out;
  for (const std::string& path : {db, db + "-wal", db + "-shm"}) {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0) out[path] = {st.st_uid, st.st_mode};
  }
  return out;
}

TEST_F(AdminAccounts, AnAccountAddedThroughTheSocketLogsInAtOnce) {
  ASSERT_TRUE(server_.started()) << server_.error();
  const auto files_before = owners(server_.db_file());
  auto added = user("add", "dora", "first-pw");
  EXPECT_EQ(added.status, 0) << added.out;
  EXPECT_NE(added.out.find("added user 'dora'"), std::string::npos) << added.out;
  auto dora = net_.connect(target_);
  ASSERT_TRUE(dora);
  EXPECT_FALSE(dora->login("dora", "first-pw").empty());

  auto again = user("add", "DORA", "other");
  EXPECT_EQ(again.status, 1) << again.out;
  EXPECT_NE(again.out.find("user 'DORA' already exists as 'dora'"), std::string::npos) << again.out;
  auto invalid = user("add", "no spaces", "pw");
  EXPECT_EQ(invalid.status, 1) << invalid.out;
  EXPECT_NE(invalid.out.find("invalid username"), std::string::npos) << invalid.out;
  auto rename = run_quicchat({"user", "rename", "dora", "dot", "--admin-socket", socket_});
  EXPECT_EQ(rename.status, 2) << "rename works on the database only: " << rename.out;

  EXPECT_EQ(owners(server_.db_file()), files_before) << "the server wrote its own files";
  EXPECT_TRUE(server_.wait_for_log("INFO admin action=user_add name=dora peer=", 5s))
      << server_.log();
  EXPECT_TRUE(server_.wait_for_log(
      "INFO admin action=user_add name=DORA check=true error=\"user 'DORA' already exists as "
      "'dora'\"",
      5s))
      << server_.log();
  EXPECT_EQ(server_.log().find("first-pw"), std::string::npos) << "never the password";
}

TEST_F(AdminAccounts, PasswdThroughTheSocketEndsEveryDeviceAndTheNewPasswordWorks) {
  ASSERT_TRUE(server_.started()) << server_.error();
  auto laptop = v2_login("alice", "p1", "laptop");
  auto phone = v2_login("alice", "p1", "phone");
  auto bob = v2_login("bob", "p2", "");
  ASSERT_TRUE(laptop && phone && bob);

  auto changed = user("passwd", "alice", "new-pw");
  EXPECT_EQ(changed.status, 0) << changed.out;
  EXPECT_NE(changed.out.find("changed the password of 'alice'; 2 sessions ended"),
            std::string::npos)
      << changed.out;
  for (V2Peer* device : {laptop.get(), phone.get()}) {
    auto closed = device->wait_closed(10s);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->app_error_code, 8u);
    EXPECT_EQ(closed->reason, "kicked by the operator: password changed");
  }
  EXPECT_TRUE(bob->await_online([](const auto& online) { return !online.contains("alice"); }));
  EXPECT_FALSE(bob->closed());

  expect_login_refused("alice", "p1");
  EXPECT_TRUE(v2_login("alice", "new-pw", "laptop"));
  EXPECT_TRUE(server_.wait_for_log("INFO admin action=user_passwd name=alice sessions=2 peer=", 5s))
      << server_.log();
}

TEST_F(AdminAccounts, DelThroughTheSocketEndsTheSessionsAndTheLoginFails) {
  ASSERT_TRUE(server_.started()) << server_.error();
  auto laptop = v2_login("cam", "p3", "laptop");
  auto phone = v2_login("cam", "p3", "phone");
  ASSERT_TRUE(laptop && phone);

  auto deleted = user("del", "Cam");
  EXPECT_EQ(deleted.status, 0) << deleted.out;
  EXPECT_NE(deleted.out.find("deleted user 'Cam'; 2 sessions ended"), std::string::npos)
      << deleted.out;
  for (V2Peer* device : {laptop.get(), phone.get()}) {
    auto closed = device->wait_closed(10s);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, "kicked by the operator: account deleted");
  }
  expect_login_refused("cam", "p3");
  auto missing = user("del", "cam");
  EXPECT_EQ(missing.status, 1) << missing.out;
  EXPECT_NE(missing.out.find("no such user 'cam'"), std::string::npos) << missing.out;
}

// The kick of a user on two devices: one INFO line (the closes, the logouts and the transport's
// quic_close lines are debug).
TEST_F(AdminAccounts, AKickIsOneInfoLine) {
  ASSERT_TRUE(server_.started()) << server_.error();
  auto laptop = v2_login("bob", "p2", "laptop");
  auto phone = v2_login("bob", "p2", "phone");
  ASSERT_TRUE(laptop && phone);
  // The client sees its login answered before the server's log line reaches the pipe: wait for
  // both INFO login lines, so that they fall before the part of the log this test counts.
  ASSERT_TRUE(server_.wait_for_log("device=phone", 10s)) << server_.log();
  ASSERT_TRUE(server_.wait_for_log("device=laptop", 10s)) << server_.log();
  const std::size_t before = server_.log().size();
  auto kick = run_quicchat({"admin", "--socket", socket_, "kick", "bob", "too", "loud"});
  EXPECT_EQ(kick.status, 0) << kick.out;
  ASSERT_TRUE(laptop->wait_closed(10s) && phone->wait_closed(10s));
  // Both connections have reported their close (at debug) by the time two quic_close lines
  // with the kick's code follow the kick.
  const auto kick_closes = [&] {
    const std::string log = server_.log().substr(before);
    std::size_t n = 0;
    for (std::size_t at = 0; (at = log.find("DEBUG quic_close ", at)) != std::string::npos; ++at) {
      if (log.find(" code=8 ", at) < log.find('\n', at)) ++n;
    }
    return n;
  };
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (kick_closes() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);  // the poll's pace
  }
  ASSERT_EQ(kick_closes(), 2u) << server_.log().substr(before);

  std::istringstream lines(server_.log().substr(before));
  std::vector<std::string> info;
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" INFO ") != std::string::npos) info.push_back(line);
  }
  ASSERT_EQ(info.size(), 1u) << server_.log().substr(before);
  EXPECT_NE(info[0].find("INFO admin action=kick name=bob reason=\"too loud\" sessions=2 peer="),
            std::string::npos)
      << info[0];
}

}  // namespace
}  // namespace qc::itest
