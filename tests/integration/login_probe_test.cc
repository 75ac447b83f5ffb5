// Issue 15 item 6: a client killed with SIGKILL must not lock its owner out for the keep-alive
// window. A real server, a real `quicchat client` process that gets killed, then a new login for
// the same name: the server probes the dead session, ends it and admits the new login within
// about --login-probe-timeout-ms. A session whose client is alive still refuses the second login.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "proto/codec.h"
#include "support/peer.h"
#include "support/server_process.h"

extern char** environ;

namespace qc::itest {
namespace {

using proto::MsgType;
using Clock = std::chrono::steady_clock;

// `quicchat client` logged in as alice/p1, its stdin a pipe held open (so it stays).
class ClientProcess {
 public:
  explicit ClientProcess(const ServerProcess& server) {
    const std::string password_file = server.dir() + "/alice.password";
    std::ofstream(password_file) << "p1\n";
    std::vector<std::string> args = {QC_BINARY,   "client",          "--server",
                                     "127.0.0.1", "--port",          std::to_string(server.port()),
                                     "--ca",      server.ca_file(),  "--user",
                                     "alice",     "--password-file", password_file};
    // No config file of the user running the tests (~/.config/quicchat) changes the defaults.
    args.insert(args.begin() + 2, {"--config", ""});
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int in[2];
    if (pipe(in) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    stdin_ = in[1];
  }
  ~ClientProcess() {
    kill_hard();
    if (stdin_ >= 0) close(stdin_);
  }
  bool started() const { return pid_ > 0; }
  // SIGKILL: the process gets no chance to send a CONNECTION_CLOSE.
  bool kill_hard() {
    if (pid_ <= 0) return false;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
};

Target target(const ServerProcess& server) {
  return {"127.0.0.1", server.port(), server.ca_file()};
}

TEST(LoginProbe, OwnerOfAKilledClientIsAdmittedWithinTheProbeTimeout) {
  ServerProcess server;  // --login-probe-timeout-ms: the default, 2000
  ASSERT_TRUE(server.started()) << server.error();
  ClientProcess client(server);
  ASSERT_TRUE(client.started());
  ASSERT_TRUE(server.wait_for_log("INFO login session=", std::chrono::seconds(15))) << server.log();
  ASSERT_TRUE(client.kill_hard());

  Net net;
  auto alice = net.connect(target(server));
  ASSERT_TRUE(alice);
  const auto start = Clock::now();
  const proto::UserList users = alice->login("alice", "p1");
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  std::printf("alice (first client SIGKILLed) logged in again: LOGIN answered after %lld ms\n",
              static_cast<long long>(took));
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].username, "alice");
  EXPECT_GE(took, 1900);  // the probe's deadline, not the 90 s keep-alive window
  EXPECT_LT(took, 4000);
  EXPECT_TRUE(server.wait_for_log("login_probe_unanswered", std::chrono::seconds(1)));
}

TEST(LoginProbe, LiveSessionStillRefusesASecondLogin) {
  ServerProcess server;
  ASSERT_TRUE(server.started()) << server.error();
  Net net;  // both peers on one loop: the first answers the probe while the second waits
  auto first = net.connect(target(server));
  auto second = net.connect(target(server));
  ASSERT_TRUE(first && second);
  ASSERT_FALSE(first->login("alice", "p1").empty());
  const auto start = Clock::now();
  second->send(MsgType::Login, proto::encode_login({"alice", "p1"}));
  auto reply = second->expect(MsgType::LoginUnsuccessfulRetry);
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  std::printf("live session answered the probe: second login refused after %lld ms\n",
              static_cast<long long>(took));
  ASSERT_TRUE(reply);
  EXPECT_EQ(proto::decode_error(reply->msg)->error, "User already logged in. Attempts left: 2");
  EXPECT_LT(took, 1900);  // the answer, not the deadline, decided
  EXPECT_TRUE(server.wait_for_log("login_probe_answered", std::chrono::seconds(1)));
  EXPECT_FALSE(first->closed());
}

}  // namespace
}  // namespace qc::itest
