#include <gtest/gtest.h>

#include "chat/login_flow.h"
#include "harness.h"

namespace qc::chat::testing {
namespace {

TEST(CoreVersions, AnswersTheSelectedVersion) {
  Harness h;
  h.open(1);
  h.feed(1, versions_pdu({1, 3}));
  EXPECT_EQ(h.drain(), (Lines{"1 VERSIONS selected 1"}));
  EXPECT_EQ(h.core.stats().connections, 1u);
}

TEST(CoreVersions, NoCommonVersionAnswersErrorAndCloses) {
  Harness h;
  h.open(1);
  h.feed(1, versions_pdu({7, 9}));
  EXPECT_EQ(h.drain(), (Lines{"1 VERSIONS error No compatible version",
                              "1 CLOSE 1 no compatible protocol version"}));
  h.feed(1, login_pdu("alice", "p1"));
  EXPECT_EQ(h.drain(), Lines{});
}

TEST(CoreVersions, AnsweredAfterLoginToo) {
  Harness h;
  h.join(1, "alice");
  h.feed(1, versions_pdu({1}));
  EXPECT_EQ(h.drain(), (Lines{"1 VERSIONS selected 1"}));
}

TEST(CoreLogin, AsksForAPasswordCheckWithoutAnsweringYet) {
  Harness h;
  h.open(1);
  h.feed(1, login_pdu("alice", "p1"));
  EXPECT_EQ(h.drain(), (Lines{"1 VERIFY alice/p1"}));
  EXPECT_TRUE(h.core.active_users().empty());
}

TEST(CoreLogin, AcksWithTheListAndBroadcastsToOthersFirst) {
  Harness h;
  h.open(1);
  EXPECT_EQ(h.attempt(1, "alice", true), (Lines{"1 LOGIN_ACK 1:alice"}));
  h.open(2);
  EXPECT_EQ(h.attempt(2, "bob", true),
            (Lines{"1 LOGIN_BROADCAST 1:alice,2:bob", "2 LOGIN_ACK 1:alice,2:bob"}));
  h.open(3);
  EXPECT_EQ(h.attempt(3, "cam", true),
            (Lines{"1 LOGIN_BROADCAST 1:alice,2:bob,3:cam", "2 LOGIN_BROADCAST 1:alice,2:bob,3:cam",
                   "3 LOGIN_ACK 1:alice,2:bob,3:cam"}));
  EXPECT_EQ(render_users(h.core.active_users()), "1:alice,2:bob,3:cam");
  EXPECT_EQ(h.core.stats().logins, 3u);
  EXPECT_EQ(h.core.stats().active_users, 3u);
}

TEST(CoreLogin, VersionsThenLogin) {
  Harness h;
  h.open(1);
  h.feed(1, versions_pdu({1}));
  EXPECT_EQ(h.drain(), (Lines{"1 VERSIONS selected 1"}));
  EXPECT_EQ(h.attempt(1, "alice", true), (Lines{"1 LOGIN_ACK 1:alice"}));
}

TEST(CoreLogin, ThreeWrongPasswordsDisconnect) {
  Harness h;
  h.open(1);
  EXPECT_EQ(h.attempt(1, "alice", false),
            (Lines{"1 LOGIN_UNSUCCESSFUL_RETRY Invalid credentials. Attempts left: 2"}));
  EXPECT_EQ(h.attempt(1, "alice", false),
            (Lines{"1 LOGIN_UNSUCCESSFUL_RETRY Invalid credentials. Attempts left: 1"}));
  EXPECT_EQ(h.attempt(1, "alice", false),
            (Lines{"1 LOGIN_UNSUCCESSFUL_DISCONNECT Maximum login attempts exceeded.",
                   "1 CLOSE 2 maximum login attempts exceeded"}));
  EXPECT_EQ(h.core.stats().failed_logins, 3u);
  EXPECT_EQ(h.core.stats().logins, 0u);
}

TEST(CoreLogin, RetryWithinTheWindowSucceeds) {
  Harness h;
  h.open(1);
  h.attempt(1, "alice", false);
  h.advance(59s);
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_EQ(h.attempt(1, "alice", true), (Lines{"1 LOGIN_ACK 1:alice"}));
  h.advance(10s);
  EXPECT_EQ(h.drain(), Lines{});  // the retry window no longer applies
}

TEST(CoreLogin, RetryWindowExpiryDisconnects) {
  Harness h;
  h.open(1);
  h.attempt(1, "alice", false);
  EXPECT_EQ(h.core.next_deadline(), h.now + 60s);
  h.advance(60s);
  EXPECT_EQ(h.drain(), (Lines{"1 LOGIN_UNSUCCESSFUL_DISCONNECT Login timeout. Please try again.",
                              "1 CLOSE 2 login timeout"}));
}

TEST(CoreLogin, AliveDuringTheRetryWindowIsNotAnAttempt) {
  Harness h;
  h.open(1);
  h.attempt(1, "alice", false);
  h.attempt(1, "alice", false);
  h.feed(1, alive_pdu());
  EXPECT_EQ(h.drain(), (Lines{"1 MSG_UNSUCCESSFUL User not authenticated"}));
  EXPECT_EQ(h.attempt(1, "alice", true), (Lines{"1 LOGIN_ACK 1:alice"}));
}

TEST(CoreLogin, AliveDoesNotExtendTheRetryWindow) {
  Harness h;
  h.open(1);
  h.attempt(1, "alice", false);
  h.advance(50s);
  h.feed(1, alive_pdu());
  h.drain();
  h.advance(10s);
  EXPECT_EQ(h.drain(), (Lines{"1 LOGIN_UNSUCCESSFUL_DISCONNECT Login timeout. Please try again.",
                              "1 CLOSE 2 login timeout"}));
}

TEST(CoreLogin, NameAlreadyActiveIsRefusedAfterTheRightPassword) {
  CoreConfig config;
  config.login_probe_timeout = Duration{0};  // no probe (probe_test.cc has the probing)
  Harness h(config);
  h.join(1, "alice");
  h.open(2);
  EXPECT_EQ(h.attempt(2, "alice", true),
            (Lines{"2 LOGIN_UNSUCCESSFUL_RETRY User already logged in. Attempts left: 2"}));
  EXPECT_EQ(h.attempt(2, "alice", false),
            (Lines{"2 LOGIN_UNSUCCESSFUL_RETRY Invalid credentials. Attempts left: 1"}));
  EXPECT_EQ(render_users(h.core.active_users()), "1:alice");
  EXPECT_EQ(h.core.stats().already_logged_in, 1u);  // not a wrong password
  EXPECT_EQ(h.core.stats().failed_logins, 1u);
}

TEST(CoreLogin, SecondLoginOnAnAuthenticatedSessionIsRefused) {
  Harness h;
  h.join(1, "alice");
  h.feed(1, login_pdu("bob", "p2"));
  EXPECT_EQ(h.drain(), (Lines{"1 MSG_UNSUCCESSFUL Already logged in"}));
  EXPECT_EQ(render_users(h.core.active_users()), "1:alice");
}

TEST(CoreLogin, InvalidUsernameFailsWithoutAPasswordCheck) {
  Harness h;
  h.open(1);
  h.feed(1, login_pdu("bad name!", "p1"));
  EXPECT_EQ(h.drain(), (Lines{"1 LOGIN_UNSUCCESSFUL_RETRY Invalid credentials. Attempts left: 2"}));
  h.feed(1, login_pdu(std::string(33, 'a'), "p1"));
  EXPECT_EQ(h.drain(), (Lines{"1 LOGIN_UNSUCCESSFUL_RETRY Invalid credentials. Attempts left: 1"}));
  h.feed(1, login_pdu("", "p1"));
  EXPECT_EQ(h.drain(), (Lines{"1 LOGIN_UNSUCCESSFUL_DISCONNECT Maximum login attempts exceeded.",
                              "1 CLOSE 2 maximum login attempts exceeded"}));
}

TEST(CoreLogin, EveryOtherTypeBeforeLoginIsNotAuthenticatedAndKeepsTheSession) {
  Harness h;
  h.open(1);
  for (const std::string& bytes :
       {alive_pdu(), one_to_one_pdu("1", "hi"), one_to_many_pdu("1,2", "hi"), broadcast_pdu("hi"),
        logout_pdu()}) {
    h.feed(1, bytes);
    EXPECT_EQ(h.drain(), (Lines{"1 MSG_UNSUCCESSFUL User not authenticated"})) << bytes;
  }
  EXPECT_EQ(h.attempt(1, "alice", true), (Lines{"1 LOGIN_ACK 1:alice"}));
}

TEST(CoreLogin, StaleOrUnknownTicketsAreIgnored) {
  Harness h;
  h.open(1);
  h.feed(1, login_pdu("alice", "p1"));
  const std::uint64_t ticket = h.last_ticket();
  h.drain();
  h.core.password_checked(1, ticket + 1, PasswordCheck::Ok, h.now);
  h.core.password_checked(9, ticket, PasswordCheck::Ok, h.now);
  EXPECT_EQ(h.drain(), Lines{});
  h.core.password_checked(1, ticket, PasswordCheck::WrongPassword, h.now);
  EXPECT_EQ(h.drain().size(), 1u);
  h.core.password_checked(1, ticket, PasswordCheck::Ok, h.now);  // already answered
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_TRUE(h.core.active_users().empty());
}

TEST(CoreLogin, ResultForAClosedSessionIsIgnored) {
  Harness h;
  h.open(1);
  h.feed(1, login_pdu("alice", "p1"));
  const std::uint64_t ticket = h.last_ticket();
  h.close(1);
  h.drain();
  h.core.password_checked(1, ticket, PasswordCheck::Ok, h.now);
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_TRUE(h.core.active_users().empty());
}

TEST(CoreLogin, PdusDuringTheCheckAreProcessedInOrderAfterIt) {
  Harness h;
  h.join(1, "bob");
  h.open(2);
  h.feed(2, login_pdu("alice", "p1") + broadcast_pdu("one"));
  const std::uint64_t ticket = h.last_ticket();
  h.feed(2, one_to_one_pdu("1", "two") + logout_pdu());
  EXPECT_EQ(h.drain(), (Lines{"2 VERIFY alice/p1"}));
  h.core.password_checked(2, ticket, PasswordCheck::Ok, h.now);
  EXPECT_EQ(h.drain(), (Lines{"1 LOGIN_BROADCAST 1:bob,2:alice", "2 LOGIN_ACK 1:bob,2:alice",
                              "1 BROADCAST alice(2): one", "2 BROADCAST alice(2): one",
                              "1 ONE_TO_ONE alice(2): two", "1 LOGOUT_BROADCAST 1:bob",
                              "2 LOGOUT_ACK Logout successful", "2 CLOSE 0 logout"}));
}

TEST(CoreLogin, QueuedLoginAfterAFailureStartsTheNextCheck) {
  Harness h;
  h.open(1);
  h.feed(1, login_pdu("alice", "bad"));
  const std::uint64_t first = h.last_ticket();
  h.feed(1, login_pdu("alice", "good") + alive_pdu());
  h.drain();
  h.core.password_checked(1, first, PasswordCheck::WrongPassword, h.now);
  EXPECT_EQ(h.drain(), (Lines{"1 LOGIN_UNSUCCESSFUL_RETRY Invalid credentials. Attempts left: 2",
                              "1 VERIFY alice/good"}));
  h.feed(1, login_pdu("x", "y"));  // Still queued behind the second check.
  const std::uint64_t second = first + 1;
  h.core.password_checked(1, second, PasswordCheck::Ok, h.now);
  EXPECT_EQ(h.drain(), (Lines{"1 LOGIN_ACK 1:alice", "1 MSG_UNSUCCESSFUL Already logged in"}));
}

TEST(CoreLogin, PendingQueueOverflowCloses) {
  CoreConfig config;
  config.max_pending_pdus = 2;
  Harness h(config);
  h.open(1);
  h.feed(1, login_pdu("alice", "p1") + alive_pdu() + alive_pdu());
  EXPECT_EQ(h.drain(), (Lines{"1 VERIFY alice/p1"}));
  h.feed(1, alive_pdu());
  EXPECT_EQ(h.drain(), (Lines{"1 CLOSE 1 too many pending requests"}));
  h.core.password_checked(1, 1, PasswordCheck::Ok, h.now);
  EXPECT_EQ(h.drain(), Lines{});
}

TEST(CoreLogin, KeepAliveExpiryDuringTheCheckWins) {
  Harness h;
  h.open(1);
  h.feed(1, versions_pdu({1}));  // past the first-PDU deadline: the keep-alive applies
  h.advance(80s);
  h.feed(1, login_pdu("alice", "p1"));
  const std::uint64_t ticket = h.last_ticket();
  h.drain();
  h.advance(90s);
  EXPECT_EQ(h.drain(), (Lines{"1 CLOSE 3 keep-alive timeout"}));
  h.core.password_checked(1, ticket, PasswordCheck::Ok, h.now);
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_TRUE(h.core.active_users().empty());
}

TEST(CoreLogin, LogsEventsButNeverThePassword) {
  Harness h;
  log::set_level(log::Level::Debug);
  ::testing::internal::CaptureStderr();
  h.open(1);
  h.feed(1, login_pdu("alice", "s3cret-pw"));
  h.core.password_checked(1, h.last_ticket(), PasswordCheck::WrongPassword, h.now);
  h.feed(1, login_pdu("alice", "s3cret-pw"));
  h.core.password_checked(1, h.last_ticket(), PasswordCheck::Ok, h.now);
  h.close(1);
  const std::string logged = ::testing::internal::GetCapturedStderr();
  log::set_level(log::Level::Off);
  EXPECT_NE(logged.find("login_failed session=1 user=alice"), std::string::npos) << logged;
  EXPECT_NE(logged.find("login session=1 user=alice user_id=1"), std::string::npos) << logged;
  EXPECT_NE(logged.find("session_closed session=1"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("s3cret"), std::string::npos) << logged;
}

// A core configuration whose log lines are appended to `lines`.
CoreConfig logging_to(std::vector<std::string>& lines) {
  CoreConfig config;
  config.log_sink = [&lines](log::Level level, std::string_view event,
                             std::initializer_list<log::Field> fields) {
    lines.push_back(log::format_line(level, event, fields));
  };
  return config;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

TEST(CoreLogin, AConfiguredLogSinkGetsTheLinesInsteadOfTheProcessLogger) {
  std::vector<std::string> lines;
  Harness h(logging_to(lines));
  log::set_level(log::Level::Debug);
  ::testing::internal::CaptureStderr();
  h.join(1, "alice");
  h.close(1);
  const std::string stderr_text = ::testing::internal::GetCapturedStderr();
  log::set_level(log::Level::Off);
  EXPECT_EQ(stderr_text, "");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("INFO login session=1 user=alice user_id=1"), std::string::npos);
  EXPECT_NE(lines[1].find("INFO logout session=1 user=alice"), std::string::npos);
  EXPECT_NE(lines[2].find("INFO session_closed session=1 user=alice"), std::string::npos);
}

// A password typed into the name field must not land in the log: a name no account can have is
// logged as a short hash, which still tells repeated attempts apart.
TEST(CoreLoginLog, ANameThatCannotExistIsLoggedAsAHash) {
  std::vector<std::string> lines;
  Harness h(logging_to(lines));
  h.open(1);
  h.feed(1, login_pdu("my secret pass!", "x"));
  h.feed(1, login_pdu("my secret pass!", "x"));
  const std::string text = joined(lines);
  EXPECT_EQ(text.find("secret"), std::string::npos) << text;
  ASSERT_EQ(lines.size(), 2u) << text;
  const std::size_t at = lines[0].find(" user_hash=");
  ASSERT_NE(at, std::string::npos) << text;
  const std::string hash = lines[0].substr(at + 11, 8);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos) << hash;
  EXPECT_NE(lines[1].find(" user_hash=" + hash + " "), std::string::npos) << text;
}

TEST(CoreLoginLog, ANameWithNoAccountIsLoggedAsAHashAnAccountsByName) {
  std::vector<std::string> lines;
  Harness h(logging_to(lines));
  h.open(1);
  h.attempt(1, "hunter2", PasswordCheck::NoSuchAccount);  // a password in the name field
  h.attempt(1, "alice", PasswordCheck::WrongPassword);
  const std::string text = joined(lines);
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  ASSERT_EQ(lines.size(), 2u) << text;
  EXPECT_NE(lines[0].find("login_failed session=1 user_hash=" + name_hash("hunter2", 0) + " "),
            std::string::npos)
      << text;
  EXPECT_NE(lines[1].find("login_failed session=1 user=alice "), std::string::npos) << text;
}

TEST(CoreLoginLog, AThrottledNameIsLoggedAsAHash) {
  std::vector<std::string> lines;
  CoreConfig config = logging_to(lines);
  config.login_rate_per_ip = RateLimit{1.0 / 60, 1};
  Harness h(config);
  h.open(1);
  h.attempt(1, "alice", false);
  h.attempt(1, "Tr0ub4dor", false);  // refused before any check: whose name it is is unknown
  const std::string text = joined(lines);
  EXPECT_EQ(text.find("Tr0ub4dor"), std::string::npos) << text;
  EXPECT_NE(text.find("user_hash="), std::string::npos) << text;
}

TEST(CoreLoginLog, TheHashIsKeyed) {
  EXPECT_EQ(name_hash("hunter2", 7), name_hash("hunter2", 7));
  EXPECT_NE(name_hash("hunter2", 7), name_hash("hunter2", 8));
  EXPECT_NE(name_hash("hunter2", 7), name_hash("hunter3", 7));
  EXPECT_EQ(name_hash("", 0).size(), 8u);
}

TEST(CoreLogin, IdsAreNeverReused) {
  Harness h;
  h.join(1, "alice");
  h.join(2, "bob");
  h.close(1);
  h.drain();
  h.open(3);
  EXPECT_EQ(h.attempt(3, "alice", true),
            (Lines{"2 LOGIN_BROADCAST 2:bob,3:alice", "3 LOGIN_ACK 2:bob,3:alice"}));
  h.feed(2, logout_pdu());
  h.drain();
  h.open(4);
  EXPECT_EQ(h.attempt(4, "bob", true),
            (Lines{"3 LOGIN_BROADCAST 3:alice,4:bob", "4 LOGIN_ACK 3:alice,4:bob"}));
}

}  // namespace
}  // namespace qc::chat::testing

namespace qc::chat::testing {
namespace {

// Names are case-insensitive, so the per-account budget is too: another case is no way around it.
TEST(CoreLoginRate, ThePerAccountBudgetIgnoresCase) {
  CoreConfig config;
  config.login_rate_per_account = RateLimit{1.0 / 60, 2};
  Harness h(config);
  h.open(1);
  h.attempt(1, "alice", false);
  h.open(2);
  h.attempt(2, "ALICE", false);
  h.open(3);
  EXPECT_EQ(h.attempt(3, "Alice", true),
            (Lines{"3 LOGIN_UNSUCCESSFUL_RETRY Too many login attempts. Try again later."}));
}

}  // namespace
}  // namespace qc::chat::testing
