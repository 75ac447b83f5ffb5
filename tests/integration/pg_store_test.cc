// quicchat on PostgreSQL (--db postgresql://...): `quicchat user` and the server against a real
// PostgreSQL the test starts; PostgreSQL killed and restarted under a running server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "support/engines.h"
#include "support/server_process.h"
#include "support/v2_peer.h"

namespace qc::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class OnPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pg.started()) << pg.error();
    url = pg.new_database("chat");
    ASSERT_FALSE(url.empty()) << pg.error();
  }

  // A login's answer: the welcome, or the error frame's code.
  std::string try_login(ServerProcess& server, const std::string& user,
                        const std::string& password) {
    auto peer = V2Peer::connect(net, {"127.0.0.1", server.port(), server.ca_file()});
    if (!peer || peer->negotiate() != v2::kVersion) return "no v2 session";
    peer->send(v2::Login{0, user, password, ""});
    auto frame = peer->next(std::chrono::seconds(15));
    if (!frame) return "no answer";
    if (std::holds_alternative<v2::Welcome>(*frame)) return "welcome";
    if (auto* e = std::get_if<v2::Error>(&*frame)) return "error " + e->code + ": " + e->text;
    return "unexpected " + describe(*frame);
  }

  PostgresProcess pg;
  std::string url;
  Net net;
};

TEST_F(OnPostgres, UserCommandsServerLoginsStoredMessagesAndALostDatabase) {
  auto added = run_quicchat(
      {"user", "add", "alice", "--db", url, "--password-stdin", "--cost", "4"}, "p1\n");
  ASSERT_EQ(added.status, 0) << added.out;
  auto again = run_quicchat({"user", "add", "ALICE", "--db", url, "--password-stdin"}, "x\n");
  EXPECT_NE(again.status, 0);
  EXPECT_THAT(again.out, HasSubstr("user 'ALICE' already exists as 'alice'"));

  ServerProcessOptions options;
  options.accounts = {{"bob", "p2"}};  // through `quicchat user import --db URL`
  options.db = url;
  ServerProcess server(options);
  ASSERT_TRUE(server.started()) << server.error();
  EXPECT_TRUE(server.wait_for_log("db=" + url, std::chrono::seconds(5))) << server.log();

  auto listed = run_quicchat({"user", "list", "--ids", "--db", url});
  ASSERT_EQ(listed.status, 0) << listed.out;
  EXPECT_EQ(listed.out, "1 alice\n2 bob\n");

  auto alice = V2Peer::connect(net, {"127.0.0.1", server.port(), server.ca_file()});
  ASSERT_TRUE(alice);
  ASSERT_TRUE(alice->login("alice", "p1")) << server.log();
  alice->send_to({"bob"}, "kept in postgres", "c-1");
  auto ack = alice->expect<v2::Ack>();
  ASSERT_TRUE(ack) << server.log();
  ASSERT_EQ(ack->sent.size(), 1u);
  EXPECT_EQ(ack->sent[0].id, 1u);
  auto stored = pg.sql(url, "SELECT id, sender, text FROM messages");
  ASSERT_TRUE(stored.ok) << stored.out;
  EXPECT_EQ(stored.out, "1|alice|kept in postgres\n");

  // PostgreSQL gone: a login is refused at once, the log says why, the server stays up.
  pg.kill_hard();
  EXPECT_THAT(
      try_login(server, "bob", "p2"),
      HasSubstr("error store_failed: Login unavailable: the account store cannot be reached"));
  EXPECT_TRUE(server.wait_for_log("code=db_unavailable", std::chrono::seconds(10))) << server.log();
  EXPECT_THAT(server.log(), Not(HasSubstr("Segmentation")));

  // Back: the next login reconnects by itself, and bob gets what was sent while he was away.
  ASSERT_TRUE(pg.restart()) << pg.error();
  auto bob = V2Peer::connect(net, {"127.0.0.1", server.port(), server.ca_file()});
  ASSERT_TRUE(bob);
  ASSERT_TRUE(bob->login("bob", "p2")) << server.log();
  ASSERT_EQ(bob->caught_up().size(), 1u);
  ASSERT_EQ(bob->caught_up()[0].msgs.size(), 1u);
  EXPECT_EQ(bob->caught_up()[0].msgs[0].text, "kept in postgres");
  EXPECT_EQ(server.terminate(), 0) << server.log();
}

TEST_F(OnPostgres, TheServerWantsASecretFileAndNeverLogsAPassword) {
  const std::string with_password =
      "postgresql://quicchat:hunter2@127.0.0.1:" + std::to_string(pg.port()) + "/chat";
  auto no_secret = run_quicchat({"server", "--port", "0", "--db", with_password});
  EXPECT_EQ(no_secret.status, 2);
  EXPECT_THAT(no_secret.out, HasSubstr("--secret-file is required with a PostgreSQL --db"));

  pg.kill_hard();
  auto unreachable = run_quicchat({"user", "list", "--db", with_password});
  EXPECT_NE(unreachable.status, 0);
  EXPECT_THAT(unreachable.out, HasSubstr("postgresql://quicchat:***@127.0.0.1:"));
  EXPECT_THAT(unreachable.out, Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace qc::itest
