// Accounts users manage themselves (v2): passwd checks the old password off the loop and ends
// the account's other sessions, keeping the caller's; register creates an account before login
// where the server allows it, within a per-address budget, with `quicchat user add`'s name rule.
#include <gtest/gtest.h>

#include "chat/presence.h"
#include "harness.h"

namespace qc::chat::testing {
namespace {

namespace v2 = proto::v2;

CoreConfig self_service_config() {
  CoreConfig c;
  c.directory = std::make_shared<OneAccountDirectory>(AccountRef{40, "Dora"});  // offline
  c.allow_registration = true;
  c.registration_rate_per_ip = RateLimit{1.0 / 3600, 2};
  c.login_rate_per_account = RateLimit{1.0 / 60, 3};
  c.keepalive_timeout = std::chrono::hours(10);  // the tests wait out the hourly budget
  return c;
}

class SelfService : public ::testing::Test {
 protected:
  // Sends `frame` on `conn`; answers the account change it asks for (if any) with `result`.
  Lines request(ConnHandle conn, const v2::Frame& frame, AccountChange result) {
    h.feed_frame(conn, frame);
    const std::uint64_t ticket = h.last_account_ticket();
    Lines lines = h.drain();
    if (ticket == 0) return lines;
    h.core.account_changed(conn, ticket, result, h.now);
    for (std::string& line : h.drain()) lines.push_back(std::move(line));
    return lines;
  }
  Harness h{self_service_config()};
};

TEST_F(SelfService, PasswdWithTheRightOldPasswordEndsEveryOtherSessionOfTheAccount) {
  h.join_v2(1, "alice", "laptop");
  h.join_v2(2, "alice", "phone");
  h.join_v2(3, "bob");
  h.drain();
  EXPECT_EQ(request(1, v2::Passwd{5, "pw-alice", "new secret"}, AccountChange::Done),
            (Lines{"1 CHANGE_PASSWORD alice pw-alice->new secret",
                   "2 CLOSE 10 password changed on another session", R"(1 {"t":"ok","rid":5})"}));
  EXPECT_EQ(h.core.stats().sessions, 2u);  // alice's laptop and bob
  EXPECT_EQ(h.core.stats().password_changes, 1u);
  h.feed_frame(1, v2::Ping{6});  // the caller's session goes on
  EXPECT_EQ(h.drain(), (Lines{R"(1 {"t":"pong","rid":6})"}));
}

TEST_F(SelfService, AWrongOldPasswordChangesNothingAndSpendsTheLoginBudget) {
  h.join_v2(1, "alice", "laptop");
  h.join_v2(2, "alice", "phone");
  for (std::uint64_t rid = 1; rid <= 3; ++rid) {
    EXPECT_EQ(request(1, v2::Passwd{rid, "guess", "x"}, AccountChange::WrongPassword),
              (Lines{"1 CHANGE_PASSWORD alice guess->x",
                     R"(1 {"t":"error","rid":)" + std::to_string(rid) +
                         R"(,"code":"wrong_password","text":"the old password is wrong"})"}));
  }
  // The account's login budget (3) is spent: no more guesses, not even by a login.
  EXPECT_EQ(
      request(1, v2::Passwd{4, "guess", "x"}, AccountChange::Done),
      (Lines{
          R"(1 {"t":"error","rid":4,"code":"throttled","text":"Too many login attempts. Try again later."})"}));
  EXPECT_EQ(h.core.stats().sessions, 2u);
  EXPECT_EQ(h.core.stats().password_changes, 0u);
}

TEST_F(SelfService, PasswdNeedsALoginAndAPasswordUserAddWouldTake) {
  h.open_v2(1);
  EXPECT_EQ(request(1, v2::Passwd{1, "a", "b"}, AccountChange::Done),
            (Lines{R"(1 {"t":"error","rid":1,"code":"not_logged_in","text":"log in first"})"}));
  h.attempt_v2(1, "alice");
  EXPECT_EQ(request(1, v2::Passwd{2, "pw-alice", ""}, AccountChange::Done),
            (Lines{R"(1 {"t":"error","rid":2,"code":"bad_password","text":"empty password"})"}));
  EXPECT_EQ(
      request(1, v2::Passwd{3, "pw-alice", std::string("a\0b", 3)}, AccountChange::Done),
      (Lines{
          R"(1 {"t":"error","rid":3,"code":"bad_password","text":"password contains a NUL byte"})"}));
}

// One change at a time per session; the answer to one that outlived its session still ends the
// account's other sessions (the password did change).
TEST_F(SelfService, PasswdInFlightAndAfterTheCallerLeft) {
  h.join_v2(1, "alice", "laptop");
  h.join_v2(2, "alice", "phone");
  h.feed_frame(1, v2::Passwd{1, "pw-alice", "n1"});
  const std::uint64_t ticket = h.last_account_ticket();
  h.drain();
  h.feed_frame(1, v2::Passwd{2, "pw-alice", "n2"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"error","rid":2,"code":"server_busy","text":"request 1 is not answered yet"})"}));
  h.close(1);
  h.drain();
  h.core.account_changed(1, ticket, AccountChange::Done, h.now);
  EXPECT_EQ(h.drain(), (Lines{"2 CLOSE 10 password changed on another session"}));
  EXPECT_EQ(h.core.stats().sessions, 0u);
}

TEST_F(SelfService, RegisterCreatesTheAccountAndTheClientLogsIn) {
  h.open_v2(1);
  EXPECT_EQ(request(1, v2::Register{1, "Dan", "p4"}, AccountChange::Done),
            (Lines{"1 CREATE_ACCOUNT Dan/p4", R"(1 {"t":"ok","rid":1})"}));
  EXPECT_EQ(h.core.stats().registrations, 1u);
  EXPECT_EQ(h.attempt_v2(1, "Dan", "", 2).size(), 3u);  // welcome, snapshot, synced
  EXPECT_EQ(
      request(1, v2::Register{3, "eve", "p"}, AccountChange::Done),
      (Lines{
          R"(1 {"t":"error","rid":3,"code":"already_logged_in","text":"this session is logged in"})"}));
}

TEST_F(SelfService, RegisterRefusesBadNamesBadPasswordsAndTakenNames) {
  h.join_v2(9, "alice");
  h.open_v2(1);
  EXPECT_EQ(
      request(1, v2::Register{1, "no spaces", "p"}, AccountChange::Done),
      (Lines{
          R"(1 {"t":"error","rid":1,"code":"bad_name","text":"an account name is 1-32 characters of A-Z a-z 0-9 _ . -"})"}));
  EXPECT_EQ(request(1, v2::Register{2, std::string(33, 'a'), "p"}, AccountChange::Done).size(), 1u);
  EXPECT_EQ(request(1, v2::Register{3, "dan", ""}, AccountChange::Done),
            (Lines{R"(1 {"t":"error","rid":3,"code":"bad_password","text":"empty password"})"}));
  // Taken: by an account online, in any case, or by one the directory knows.
  EXPECT_EQ(
      request(1, v2::Register{4, "ALICE", "p"}, AccountChange::Done),
      (Lines{R"(1 {"t":"error","rid":4,"code":"name_taken","text":"the name ALICE is taken"})"}));
  EXPECT_EQ(
      request(1, v2::Register{5, "dora", "p"}, AccountChange::Done),
      (Lines{R"(1 {"t":"error","rid":5,"code":"name_taken","text":"the name dora is taken"})"}));
  h.advance(3600s);  // one more in the budget (2 an hour)
  h.drain();         // the presence flush
  // Or by one the store already has (created meanwhile): the glue says so.
  EXPECT_EQ(
      request(1, v2::Register{6, "fay", "p"}, AccountChange::NameTaken),
      (Lines{"1 CREATE_ACCOUNT fay/p",
             R"(1 {"t":"error","rid":6,"code":"name_taken","text":"the name fay is taken"})"}));
  EXPECT_EQ(h.core.stats().registrations, 0u);
}

TEST_F(SelfService, RegisterIsRateLimitedPerAddress) {
  h.open_v2(1);
  EXPECT_EQ(request(1, v2::Register{1, "dan", "p"}, AccountChange::Done).back(),
            R"(1 {"t":"ok","rid":1})");
  EXPECT_EQ(request(1, v2::Register{2, "dora", "p"}, AccountChange::Done).back(),
            R"(1 {"t":"error","rid":2,"code":"name_taken","text":"the name dora is taken"})");
  // Another connection from the same address shares the budget (2 an hour).
  h.core.connection_opened(2, "127.0.0.1:2", h.now);
  h.feed(2, versions_pdu({1, 2}));
  h.drain();
  EXPECT_EQ(
      request(2, v2::Register{3, "eve", "p"}, AccountChange::Done),
      (Lines{
          R"(2 {"t":"error","rid":3,"code":"throttled","text":"too many registrations from this address; try again later"})"}));
  h.advance(1800s);
  EXPECT_EQ(
      request(2, v2::Register{4, "eve", "p"}, AccountChange::Done).back(),
      R"(2 {"t":"error","rid":4,"code":"throttled","text":"too many registrations from this address; try again later"})");
  h.advance(1800s);
  EXPECT_EQ(request(2, v2::Register{5, "eve", "p"}, AccountChange::Done).back(),
            R"(2 {"t":"ok","rid":5})");
}

TEST(SelfServiceClosed, RegistrationIsOffByDefault) {
  Harness h;
  h.open_v2(1);
  h.feed_frame(1, v2::Register{1, "dan", "p4"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(1 {"t":"error","rid":1,"code":"registration_closed","text":"this server does not allow registration"})"}));
  h.feed_frame(1, v2::Login{2, "dan", "p4", ""});  // the session goes on: a login may follow
  EXPECT_EQ(h.drain(), (Lines{"1 VERIFY dan/p4"}));
}

TEST(SelfServiceClosed, AReloadOpensAndClosesRegistration) {
  Harness h;
  CoreConfig next;
  next.allow_registration = true;
  h.core.apply_live(next);
  h.open_v2(1);
  h.feed_frame(1, v2::Register{1, "dan", "p4"});
  for (const std::string& line : h.drain()) {
    EXPECT_EQ(line.find("registration_closed"), std::string::npos) << line;
  }
  next.allow_registration = false;
  h.core.apply_live(next);
  h.open_v2(2);
  h.feed_frame(2, v2::Register{1, "eve", "p5"});
  EXPECT_EQ(
      h.drain(),
      (Lines{
          R"(2 {"t":"error","rid":1,"code":"registration_closed","text":"this server does not allow registration"})"}));
}

}  // namespace
}  // namespace qc::chat::testing
