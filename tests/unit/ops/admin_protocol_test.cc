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
        AdminRequest{KickRequest{"\xc3\xa9lodie", "caf\xc3\xa9 \"quoted\""}}}) {
    auto back = decode_admin_request(encode_admin_request(r));
    ASSERT_TRUE(back) << encode_admin_request(r) << ": " << back.error().message;
    EXPECT_EQ(*back, r) << encode_admin_request(r);
  }
  EXPECT_EQ(encode_admin_request(ReloadRequest{}), R"({"cmd": "reload"})");
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
      {R"({"cmd": "reboot"})", "unknown command (who, kick, stats, rooms, room, purge, reload)"},
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
