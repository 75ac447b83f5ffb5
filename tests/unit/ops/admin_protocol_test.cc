#include "ops/admin_protocol.h"

#include <gtest/gtest.h>

namespace qc::ops {
namespace {

TEST(AdminProtocol, DecodesTheThreeCommands) {
  auto who = decode_admin_request(R"({"cmd": "who"})");
  ASSERT_TRUE(who);
  EXPECT_TRUE(std::holds_alternative<WhoRequest>(*who));
  auto stats = decode_admin_request(R"( {"cmd":"stats","extra":1} )");
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_TRUE(std::holds_alternative<StatsRequest>(*stats));
  auto kick = decode_admin_request(R"({"cmd": "kick", "name": "bob", "reason": "spam, again"})");
  ASSERT_TRUE(kick);
  EXPECT_EQ(std::get<KickRequest>(*kick), (KickRequest{"bob", "spam, again"}));
  auto bare = decode_admin_request(R"({"cmd": "kick", "name": "bob"})");
  ASSERT_TRUE(bare);
  EXPECT_EQ(std::get<KickRequest>(*bare), (KickRequest{"bob", ""}));
}

TEST(AdminProtocol, RequestsRoundTrip) {
  for (const AdminRequest& r :
       {AdminRequest{WhoRequest{}}, AdminRequest{StatsRequest{}},
        AdminRequest{KickRequest{"bob", ""}}, AdminRequest{ReloadRequest{}},
        AdminRequest{NodesRequest{}}, AdminRequest{ClusterWhoRequest{}},
        AdminRequest{KickRequest{"\xc3\xa9lodie", "caf\xc3\xa9 \"quoted\""}}}) {
    auto back = decode_admin_request(encode_admin_request(r));
    ASSERT_TRUE(back) << encode_admin_request(r) << ": " << back.error().message;
    EXPECT_EQ(*back, r) << encode_admin_request(r);
  }
  EXPECT_EQ(encode_admin_request(ReloadRequest{}), R"({"cmd": "reload"})");
  EXPECT_EQ(encode_admin_request(NodesRequest{}), R"({"cmd": "nodes"})");
  EXPECT_EQ(encode_admin_request(ClusterWhoRequest{}), R"({"cmd": "who_cluster"})");
  EXPECT_EQ(encode_admin_request(KickRequest{"bob", "x"}),
            R"({"cmd": "kick", "name": "bob", "reason": "x"})");
}

TEST(AdminProtocol, BadRequestsSayWhy) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "malformed request"},
      {"who", "malformed request"},
      {"[1]", "malformed request"},
      {R"({"cmd": 1})", "'cmd'"},
      {R"({"name": "bob"})", "'cmd'"},
      {R"({"cmd": "reboot"})",
       "unknown command (who, kick, stats, rooms, room, purge, reload, user_add"},
      {R"({"cmd": "kick"})", "kick needs a 'name'"},
      {R"({"cmd": "kick", "name": ""})", "kick needs a 'name'"},
      {R"({"cmd": "kick", "name": 7})", "'name' must be a string"},
      {R"({"cmd": "kick", "name": "bob", "reason": ["x"]})", "'reason' must be a string"},
      {R"({"cmd": "kick", "name": "bob", "reason": "a\nb"})", "control character"},
      {R"({"cmd": "kick", "name": "bob", "reason": ")" + std::string(201, 'r') + "\"}",
       "reason over 200 bytes"},
      {R"({"cmd": "kick", "name": ")" + std::string(65, 'n') + "\"}", "bad user name"},
      {R"({"cmd": {"cmd": {"cmd": {"cmd": {"cmd": 1}}}}})", "malformed request"},
      {std::string(5000, ' '), "request over 4096 bytes"},
  };
  for (const auto& [line, why] : cases) {
    auto r = decode_admin_request(line);
    ASSERT_FALSE(r) << line;
    EXPECT_NE(r.error().message.find(why), std::string::npos) << line << ": " << r.error().message;
  }
}

using Op = AccountRequest::Op;

TEST(AdminProtocol, AccountRequestsDecodeAndRoundTrip) {
  auto add = decode_admin_request(R"({"cmd": "user_add", "name": "ann", "password": "s3 cr\"et"})");
  ASSERT_TRUE(add) << add.error().message;
  EXPECT_EQ(std::get<AccountRequest>(*add), (AccountRequest{Op::Add, "ann", "s3 cr\"et"}));
  auto del = decode_admin_request(R"({"cmd": "user_del", "name": "ann"})");
  ASSERT_TRUE(del) << del.error().message;
  EXPECT_EQ(std::get<AccountRequest>(*del), (AccountRequest{Op::Del, "ann", ""}));
  for (const AdminRequest& r :
       {AdminRequest{AccountRequest{Op::Add, "ann", "p"}},
        AdminRequest{AccountRequest{Op::Passwd, "Ann", "tab\there \xc3\xa9"}},
        AdminRequest{AccountRequest{Op::Del, "ann", ""}},
        AdminRequest{AccountRequest{Op::Add, "ann", "", true}},
        AdminRequest{AccountRequest{Op::Passwd, "ann", "", true}}}) {
    auto back = decode_admin_request(encode_admin_request(r));
    ASSERT_TRUE(back) << encode_admin_request(r) << ": " << back.error().message;
    EXPECT_EQ(*back, r) << encode_admin_request(r);
  }
  EXPECT_EQ(encode_admin_request(AccountRequest{Op::Passwd, "ann", "x"}),
            R"({"cmd": "user_passwd", "name": "ann", "password": "x"})");
  EXPECT_EQ(encode_admin_request(AccountRequest{Op::Del, "ann", ""}),
            R"({"cmd": "user_del", "name": "ann"})");
  EXPECT_EQ(encode_admin_request(AccountRequest{Op::Add, "ann", "", true}),
            R"({"cmd": "user_add", "name": "ann", "check": true})");
}

TEST(AdminProtocol, BadAccountRequestsSayWhy) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({"cmd": "user_add", "password": "p"})", "user_add needs a 'name'"},
      {R"({"cmd": "user_add", "name": "ann"})", "user_add needs a 'password'"},
      {R"({"cmd": "user_passwd", "name": "ann", "password": ""})",
       "user_passwd needs a 'password'"},
      {R"({"cmd": "user_passwd", "name": "ann", "password": 7})", "'password' must be a string"},
      {R"({"cmd": "user_del", "name": "ann", "password": "p"})", "user_del takes no 'password'"},
      {R"({"cmd": "user_add", "name": "ann", "check": true, "password": "p"})",
       "user_add with 'check' takes no 'password'"},
      {R"({"cmd": "user_add", "name": "ann", "check": 1})", "'check' must be true or false"},
      {R"({"cmd": "user_del", "name": "ann", "check": true})", "user_del takes no 'check'"},
      {R"({"cmd": "user_add", "name": "a\nb", "password": "p"})", "bad user name"},
      {R"({"cmd": "user_add", "name": "ann", "password": "a\u0000b"})", "NUL byte"},
      {R"({"cmd": "user_add", "name": "ann", "password": ")" + std::string(1025, 'p') + "\"}",
       "password over 1024 bytes"},
  };
  for (const auto& [line, why] : cases) {
    auto r = decode_admin_request(line);
    ASSERT_FALSE(r) << line;
    EXPECT_NE(r.error().message.find(why), std::string::npos) << line << ": " << r.error().message;
  }
}

// The log's action= names.
TEST(AdminProtocol, EveryRequestHasItsCommandName) {
  EXPECT_EQ(command_name(WhoRequest{}), "who");
  EXPECT_EQ(command_name(KickRequest{"bob", ""}), "kick");
  EXPECT_EQ(command_name(PurgeRequest{}), "purge");
  EXPECT_EQ(command_name(NodesRequest{}), "nodes");
  EXPECT_EQ(command_name(ClusterWhoRequest{}), "who_cluster");
  EXPECT_EQ(command_name(AccountRequest{Op::Add, "a", "p"}), "user_add");
  EXPECT_EQ(command_name(AccountRequest{Op::Passwd, "a", "p"}), "user_passwd");
  EXPECT_EQ(command_name(AccountRequest{Op::Del, "a", ""}), "user_del");
}

TEST(AdminProtocol, RepliesRoundTrip) {
  AdminReply who;
  who.has_users = true;
  who.users = {{1, "alice", "127.0.0.1:5000", "2026-11-24T05:00:00Z"},
               {2, "bob", "[::1]:6000", "2026-11-24T05:01:00Z"}};
  AdminReply empty_who;
  empty_who.has_users = true;
  AdminReply text;
  text.text = "line one\nline two\n";
  for (const AdminReply& r : {who, empty_who, text, admin_error("no user 'x' is logged in")}) {
    const std::string line = encode_admin_reply(r);
    EXPECT_EQ(line.find('\n'), std::string::npos) << "one line: " << line;
    auto back = decode_admin_reply(line);
    ASSERT_TRUE(back) << line << ": " << back.error().message;
    EXPECT_EQ(*back, r) << line;
  }
  EXPECT_EQ(encode_admin_reply(empty_who), R"({"ok": true, "users": []})");
  EXPECT_EQ(encode_admin_reply(admin_error("nope")), R"({"ok": false, "error": "nope"})");
}

TEST(AdminProtocol, BadRepliesAreErrors) {
  for (const char* line : {"", "{}", R"({"ok": 1})", R"({"ok": true, "users": {}})",
                           R"({"ok": true, "users": [{"id": 1}]})", R"({"ok": true, "text": 3})"}) {
    EXPECT_FALSE(decode_admin_reply(line)) << line;
  }
}

}  // namespace
}  // namespace qc::ops
