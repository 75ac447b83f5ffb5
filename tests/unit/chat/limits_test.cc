// The abuse limits of the chat core: token buckets, message rate, text size, targets, and the
// login throttles (per address and per account) that refuse attempts before any password check.
#include <gtest/gtest.h>

#include "chat/limits.h"
#include "harness.h"

namespace qc::chat::testing {
namespace {

TEST(TokenBucket, GrantsTheBurstThenRefillsAtTheRate) {
  const RateLimit rate{2, 3};  // 2 per second, 3 at once
  TimePoint t{};
  TokenBucket bucket(rate, t);
  EXPECT_TRUE(bucket.take(rate, t));
  EXPECT_TRUE(bucket.take(rate, t));
  EXPECT_TRUE(bucket.take(rate, t));
  EXPECT_FALSE(bucket.take(rate, t));
  t += 499ms;
  EXPECT_FALSE(bucket.take(rate, t));
  t += 1ms;
  EXPECT_TRUE(bucket.take(rate, t));
  EXPECT_FALSE(bucket.take(rate, t));
  t += 10s;  // never more than the burst
  EXPECT_TRUE(bucket.full(rate, t));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.take(rate, t));
  EXPECT_FALSE(bucket.take(rate, t));
}

TEST(TokenBucket, DisabledLimitAlwaysGrants) {
  const RateLimit off{0, 0};
  TokenBucket bucket(off, TimePoint{});
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(bucket.take(off, TimePoint{}));
}

TEST(TokenBucket, ClockGoingBackwardsGrantsNothingExtra) {
  const RateLimit rate{1, 1};
  TimePoint t = TimePoint{} + 10s;
  TokenBucket bucket(rate, t);
  EXPECT_TRUE(bucket.take(rate, t));
  EXPECT_FALSE(bucket.take(rate, t - 5s));
  EXPECT_FALSE(bucket.take(rate, t));
}

TEST(KeyedBuckets, KeysAreIndependent) {
  KeyedBuckets buckets(RateLimit{1, 1});
  EXPECT_TRUE(buckets.take("a", TimePoint{}));
  EXPECT_FALSE(buckets.take("a", TimePoint{}));
  EXPECT_TRUE(buckets.take("b", TimePoint{}));
}

TEST(KeyedBuckets, MemoryFollowsTheKeysActiveWithinOneRefill) {
  KeyedBuckets buckets(RateLimit{1, 1});  // full again one second after use
  TimePoint t{};
  std::size_t largest = 0;
  for (int i = 0; i < 100'000; ++i) {
    t += 1ms;  // 1000 new keys per second, each refilled after a second
    (void)buckets.take("key" + std::to_string(i), t);
    largest = std::max(largest, buckets.size());
  }
  EXPECT_LE(largest, 4096u);
}

TEST(AddressWithoutPort, StripsThePortOfV4AndV6) {
  EXPECT_EQ(address_without_port("127.0.0.1:4433"), "127.0.0.1");
  EXPECT_EQ(address_without_port("[::1]:4433"), "::1");
  EXPECT_EQ(address_without_port("::1"), "::1");
  EXPECT_EQ(address_without_port("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(address_without_port("[broken"), "[broken");
}

CoreConfig limited() {
  CoreConfig c;
  c.login_retry_window = 3600s;
  c.keepalive_timeout = 36000s;
  return c;
}

void join_alice_and_bob(Harness& h) {
  h.join(1, "alice");
  h.join(2, "bob");
  h.drain();
}

TEST(CoreMessageRate, OverTheBurstIsDroppedWithAnErrorThenRefills) {
  CoreConfig c = limited();
  c.message_rate = RateLimit{1, 2};
  Harness h(c);
  join_alice_and_bob(h);
  h.feed(1, one_to_one_pdu("2", "one"));
  h.feed(1, broadcast_pdu("two"));
  h.feed(1, one_to_many_pdu("2", "three"));
  EXPECT_EQ(h.drain(),
            (Lines{"2 ONE_TO_ONE alice(1): one", "1 BROADCAST alice(1): two",
                   "2 BROADCAST alice(1): two", "1 MSG_UNSUCCESSFUL Rate limited: slow down"}));
  EXPECT_EQ(h.core.stats().rate_limited, 1u);
  h.feed(1, alive_pdu());  // ALIVE is not a message: never limited
  EXPECT_EQ(h.drain(), Lines{});
  h.feed(2, one_to_one_pdu("1", "bob has his own budget"));
  EXPECT_EQ(h.drain(), (Lines{"1 ONE_TO_ONE bob(2): bob has his own budget"}));
  h.advance(1s);
  h.feed(1, one_to_one_pdu("2", "four"));
  EXPECT_EQ(h.drain(), (Lines{"2 ONE_TO_ONE alice(1): four"}));
}

TEST(CoreMessageRate, MalformedPdusSpendTheBudgetAndAreThenOnlyCounted) {
  CoreConfig c = limited();
  c.message_rate = RateLimit{1, 2};
  Harness h(c);
  h.join(1, "alice");
  h.drain();
  for (int i = 0; i < 5; ++i) h.feed(1, R"({"version": 1, "mtype": 50, "msg": 7})");
  const Lines replies = h.drain();
  EXPECT_EQ(replies.size(), 2u);
  EXPECT_EQ(h.core.stats().malformed_pdus, 5u);
  h.feed(1, broadcast_pdu("budget spent"));
  EXPECT_EQ(h.drain(), (Lines{"1 MSG_UNSUCCESSFUL Rate limited: slow down"}));
}

TEST(CoreMessageText, LongerThanTheLimitIsRefused) {
  CoreConfig c = limited();
  c.max_text_bytes = 5;
  Harness h(c);
  join_alice_and_bob(h);
  h.feed(1, one_to_one_pdu("2", "123456"));
  h.feed(1, broadcast_pdu("123456"));
  h.feed(1, one_to_many_pdu("2", "123456"));
  EXPECT_EQ(h.drain(), (Lines{"1 MSG_UNSUCCESSFUL Message too long: limit is 5 bytes",
                              "1 MSG_UNSUCCESSFUL Message too long: limit is 5 bytes",
                              "1 MSG_UNSUCCESSFUL Message too long: limit is 5 bytes"}));
  h.feed(1, one_to_one_pdu("2", "12345"));
  EXPECT_EQ(h.drain(), (Lines{"2 ONE_TO_ONE alice(1): 12345"}));
}

TEST(CoreApplyLive, NewLimitsHoldForSessionsAlreadyLoggedIn) {
  CoreConfig c = limited();
  Harness h(c);
  join_alice_and_bob(h);
  CoreConfig next = c;
  next.max_text_bytes = 5;
  next.login_rate_per_account = RateLimit{1.0 / 60, 1};
  h.core.apply_live(next);
  h.feed(1, one_to_one_pdu("2", "123456"));
  EXPECT_EQ(h.drain(), (Lines{"1 MSG_UNSUCCESSFUL Message too long: limit is 5 bytes"}));
  h.feed(1, one_to_one_pdu("2", "12345"));
  EXPECT_EQ(h.drain(), (Lines{"2 ONE_TO_ONE alice(1): 12345"}));
  h.open(3);
  h.attempt(3, "cam", false);
  h.feed(3, login_pdu("cam", "guess"));
  EXPECT_EQ(h.drain(),
            (Lines{"3 LOGIN_UNSUCCESSFUL_RETRY Too many login attempts. Try again later."}));
}

TEST(CoreTargets, MoreIdsThanTheLimitAreRefusedWhole) {
  CoreConfig c = limited();
  c.max_targets = 2;
  Harness h(c);
  join_alice_and_bob(h);
  h.feed(1, one_to_many_pdu("2,2,2", "x"));
  EXPECT_EQ(h.drain(), (Lines{"1 MSG_UNSUCCESSFUL Too many targets: limit is 2"}));
  h.feed(1, one_to_many_pdu("2,1", "y"));
  EXPECT_EQ(h.drain(), (Lines{"2 ONE_TO_MANY alice(1): y", "1 ONE_TO_MANY alice(1): y"}));
}

TEST(CoreLoginThrottle, PerAccountRefusesWithoutAPasswordCheck) {
  CoreConfig c = limited();
  c.login_rate_per_account = RateLimit{1.0 / 60, 2};
  Harness h(c);
  h.open(1);
  h.attempt(1, "cam", false);
  h.attempt(1, "cam", false);
  h.open(2);
  h.feed(2, login_pdu("cam", "guess"));
  EXPECT_EQ(h.drain(),
            (Lines{"2 LOGIN_UNSUCCESSFUL_RETRY Too many login attempts. Try again later."}));
  EXPECT_EQ(h.core.stats().throttled_logins, 1u);
  h.feed(2, login_pdu("alice", "p1"));  // another account is not affected
  EXPECT_EQ(h.drain(), (Lines{"2 VERIFY alice/p1"}));
  h.advance(60s);  // one token back
  h.open(3);
  h.feed(3, login_pdu("cam", "p3"));
  EXPECT_EQ(h.drain(), (Lines{"3 VERIFY cam/p3"}));
}

TEST(CoreLoginThrottle, PerAddressRefusesEveryNameFromThatAddressOnly) {
  CoreConfig c = limited();
  c.login_rate_per_ip = RateLimit{1.0 / 60, 2};
  Harness h(c);
  h.open(1);  // the harness's peers are all 127.0.0.1:<conn>
  h.open(2);
  h.attempt(1, "alice", false);
  h.attempt(2, "bob", false);
  h.feed(2, login_pdu("nosuchuser", "x"));
  EXPECT_EQ(h.drain(),
            (Lines{"2 LOGIN_UNSUCCESSFUL_RETRY Too many login attempts. Try again later."}));
  h.core.connection_opened(9, "10.1.2.3:5000", h.now);
  h.feed(9, login_pdu("bob", "p2"));
  EXPECT_EQ(h.drain(), (Lines{"9 VERIFY bob/p2"}));
}

TEST(CoreLoginThrottle, SuccessfulAttemptsAreRefunded) {
  CoreConfig c = limited();
  c.login_rate_per_ip = RateLimit{1.0 / 60, 1};
  c.login_rate_per_account = RateLimit{1.0 / 60, 1};
  Harness h(c);
  for (ConnHandle conn = 1; conn <= 5; ++conn) {  // log in and out again and again
    h.open(conn);
    EXPECT_EQ(h.attempt(conn, "alice", true),
              (Lines{std::to_string(conn) + " LOGIN_ACK " + std::to_string(conn) + ":alice"}));
    h.close(conn);
  }
  EXPECT_EQ(h.core.stats().throttled_logins, 0u);
}

TEST(CoreLoginThrottle, ThrottledAttemptsCountTowardsTheProtocolsThree) {
  CoreConfig c = limited();
  c.login_rate_per_account = RateLimit{1.0 / 60, 1};
  Harness h(c);
  h.open(1);
  h.attempt(1, "cam", false);
  h.feed(1, login_pdu("cam", "a"));
  h.feed(1, login_pdu("cam", "b"));
  EXPECT_EQ(h.drain(),
            (Lines{"1 LOGIN_UNSUCCESSFUL_RETRY Too many login attempts. Try again later.",
                   "1 LOGIN_UNSUCCESSFUL_DISCONNECT Too many login attempts. Try again later.",
                   "1 CLOSE 2 maximum login attempts exceeded"}));
}

// docs/OPERATIONS.md: `failed` is a wrong password or an unknown user; a throttled attempt never
// reached a password check and is counted as `throttled` only. Every attempt is in one result.
TEST(CoreLoginThrottle, ThrottledAttemptsAreCountedAsThrottledNotFailed) {
  CoreConfig c = limited();           // per account: 6 at once
  c.login_rate_per_ip = RateLimit{};  // the harness's peers share one address
  Harness h(c);
  for (ConnHandle conn = 1; conn <= 20; ++conn) {  // 60 guesses at cam's password
    h.open(conn);
    for (int i = 0; i < 3; ++i) h.attempt(conn, "cam", false);
  }
  const CoreStats stats = h.core.stats();
  EXPECT_EQ(stats.failed_logins, 6u);
  EXPECT_EQ(stats.throttled_logins, 54u);
  EXPECT_EQ(stats.logins + stats.failed_logins + stats.already_logged_in + stats.throttled_logins +
                stats.busy_logins,
            60u);
}

TEST(CoreLoginThrottle, InvalidNamesSpendTheAddressBudgetButCreateNoAccountBucket) {
  CoreConfig c = limited();
  c.login_rate_per_ip = RateLimit{1.0 / 60, 1};
  Harness h(c);
  h.open(1);
  h.feed(1, login_pdu("bad name!", "x"));
  EXPECT_EQ(h.drain(), (Lines{"1 LOGIN_UNSUCCESSFUL_RETRY Invalid credentials. Attempts left: 2"}));
  h.feed(1, login_pdu("alice", "p1"));
  EXPECT_EQ(h.drain(),
            (Lines{"1 LOGIN_UNSUCCESSFUL_RETRY Too many login attempts. Try again later."}));
}

// The bound on password checks in flight: LOGIN n+1 is refused at once, uses no attempt and no
// rate budget, and the slot comes back with the result (also for a session already gone).
CoreConfig bounded_logins(std::size_t max) {
  CoreConfig c = limited();
  c.max_pending_logins = max;
  return c;
}

TEST(CoreLoginQueue, RefusesBeyondTheBoundUntilACheckCompletes) {
  Harness h(bounded_logins(2));
  for (ConnHandle conn = 1; conn <= 3; ++conn) h.open(conn);
  h.feed(1, login_pdu("alice", "p1"));
  const std::uint64_t alice = h.last_ticket();
  h.feed(2, login_pdu("bob", "p2"));
  h.feed(3, login_pdu("cam", "p3"));
  EXPECT_EQ(h.drain(), (Lines{"1 VERIFY alice/p1", "2 VERIFY bob/p2",
                              "3 LOGIN_UNSUCCESSFUL_RETRY Server busy. Try again later."}));
  EXPECT_EQ(h.core.stats().busy_logins, 1u);
  EXPECT_EQ(h.core.stats().pending_logins, 2u);
  EXPECT_EQ(h.core.stats().failed_logins, 0u);
  h.core.password_checked(1, alice, PasswordCheck::Ok, h.now);
  EXPECT_EQ(h.drain(), (Lines{"1 LOGIN_ACK 1:alice"}));
  EXPECT_EQ(h.core.stats().pending_logins, 1u);
  h.feed(3, login_pdu("cam", "p3"));
  EXPECT_EQ(h.drain(), (Lines{"3 VERIFY cam/p3"}));
}

TEST(CoreLoginQueue, BusyRefusalsUseNoAttempt) {
  Harness h(bounded_logins(1));
  h.open(1);
  h.open(2);
  h.feed(1, login_pdu("alice", "p1"));
  h.drain();
  for (int i = 0; i < 5; ++i) h.feed(2, login_pdu("bob", "p2"));  // more than the three attempts
  EXPECT_EQ(h.drain(), Lines(5, "2 LOGIN_UNSUCCESSFUL_RETRY Server busy. Try again later."));
  EXPECT_EQ(h.core.stats().connections, 2u);
}

TEST(CoreLoginQueue, BusyRefusalsSpendNoLoginBudget) {
  CoreConfig c = bounded_logins(1);
  c.login_rate_per_ip = RateLimit{1.0 / 60, 2};
  c.login_rate_per_account = RateLimit{1.0 / 60, 1};
  Harness h(c);
  h.open(1);
  h.open(2);
  h.feed(1, login_pdu("alice", "p1"));
  const std::uint64_t alice = h.last_ticket();
  h.feed(2, login_pdu("bob", "p2"));
  h.feed(2, login_pdu("bob", "p2"));
  h.drain();
  h.core.password_checked(1, alice, PasswordCheck::Ok, h.now);
  h.drain();
  h.feed(2, login_pdu("bob", "p2"));  // bob's one token and the address's are still there
  EXPECT_EQ(h.drain(), (Lines{"2 VERIFY bob/p2"}));
  EXPECT_EQ(h.core.stats().throttled_logins, 0u);
}

TEST(CoreLoginQueue, AResultForAClosedSessionFreesItsSlot) {
  Harness h(bounded_logins(1));
  h.open(1);
  h.feed(1, login_pdu("alice", "p1"));
  const std::uint64_t alice = h.last_ticket();
  h.drain();
  h.close(1);
  h.open(2);
  h.feed(2, login_pdu("bob", "p2"));
  EXPECT_EQ(h.drain(), (Lines{"2 LOGIN_UNSUCCESSFUL_RETRY Server busy. Try again later."}));
  h.core.password_checked(1, alice, PasswordCheck::Ok, h.now);  // the check still ran on the pool
  h.feed(2, login_pdu("bob", "p2"));
  EXPECT_EQ(h.drain(), (Lines{"2 VERIFY bob/p2"}));
}

TEST(CoreLoginQueue, ZeroMeansNoBound) {
  CoreConfig c = bounded_logins(0);
  c.login_rate_per_ip = RateLimit{};  // 300 attempts from one address
  Harness h(c);
  Lines expected;
  for (ConnHandle conn = 1; conn <= 300; ++conn) {
    h.open(conn);
    h.feed(conn, login_pdu("u" + std::to_string(conn), "p"));
    expected.push_back(std::to_string(conn) + " VERIFY u" + std::to_string(conn) + "/p");
  }
  EXPECT_EQ(h.drain(), expected);
  EXPECT_EQ(h.core.stats().pending_logins, 300u);
}

// An unreachable account store (PostgreSQL down) is not the user's fault: its own answer, no
// attempt used, no login budget spent; the same login succeeds once the store is back.
TEST(CoreLoginStore, AnUnavailableStoreRefusesWithItsOwnAnswerAndUsesNoAttempt) {
  Harness h;
  h.open(1);
  for (int i = 0; i < 8; ++i) {  // more than the three attempts and the account's budget of six
    EXPECT_EQ(h.attempt(1, "alice", PasswordCheck::StoreUnavailable),
              (Lines{"1 LOGIN_UNSUCCESSFUL_RETRY Login unavailable: the account store cannot be "
                     "reached. Try again later."}));
  }
  EXPECT_EQ(h.core.stats().store_unavailable_logins, 8u);
  EXPECT_EQ(h.core.stats().failed_logins, 0u);
  EXPECT_EQ(h.attempt(1, "alice", true), (Lines{"1 LOGIN_ACK 1:alice"}));
}

}  // namespace
}  // namespace qc::chat::testing
