// Issue 15 item 6: the right password for a name that is active on another session probes that
// session; no answer within login_probe_timeout ends it and admits the new login.
#include <gtest/gtest.h>

#include "harness.h"

namespace qc::chat::testing {
namespace {

constexpr Duration kProbe{2'000};  // CoreConfig's default
const std::string kRefused = "2 LOGIN_UNSUCCESSFUL_RETRY User already logged in. Attempts left: 2";

// alice is logged in on connection 1; connection 2 sends her right password: 1 is probed.
void probe_alice(Harness& h) {
  h.join(1, "alice");
  h.open(2);
  ASSERT_EQ(h.attempt(2, "alice", true), (Lines{"1 PROBE"}));
}

TEST(CoreLoginProbe, RightPasswordForAnActiveNameProbesItsSession) {
  Harness h;
  h.join(1, "alice");
  h.open(2);
  EXPECT_EQ(h.attempt(2, "alice", true), (Lines{"1 PROBE"}));
  EXPECT_EQ(h.core.next_deadline(), h.now + kProbe);
}

TEST(CoreLoginProbe, AnsweredProbeRefusesAsBefore) {
  Harness h;
  probe_alice(h);
  h.advance(Duration{300});
  h.core.probe_answered(1, h.now);
  EXPECT_EQ(h.drain(), (Lines{kRefused}));
  EXPECT_EQ(h.core.stats().already_logged_in, 1u);
  h.advance(kProbe);  // the probe's deadline is gone
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_EQ(render_users(h.core.active_users()), "1:alice");
  h.core.probe_answered(1, h.now);  // a late second answer changes nothing
  EXPECT_EQ(h.drain(), Lines{});
}

TEST(CoreLoginProbe, UnansweredProbeClosesTheOldSessionAndAdmitsTheNewLogin) {
  Harness h;
  h.join(1, "alice");
  h.join(3, "bob");
  h.open(2);
  h.attempt(2, "alice", true);
  h.advance(kProbe - Duration{1});
  EXPECT_EQ(h.drain(), Lines{});
  h.advance(Duration{1});
  EXPECT_EQ(h.drain(), (Lines{"3 LOGOUT_BROADCAST 2:bob", "1 CLOSE 3 no answer to a liveness probe",
                              "3 LOGIN_BROADCAST 2:bob,3:alice", "2 LOGIN_ACK 2:bob,3:alice"}));
  EXPECT_EQ(h.core.stats().logins, 3u);
  EXPECT_EQ(h.core.stats().already_logged_in, 0u);
  h.core.probe_answered(1, h.now);  // too late: nothing waits for it
  EXPECT_EQ(h.drain(), Lines{});
}

TEST(CoreLoginProbe, ProbedSessionClosingDuringTheProbeAdmitsAtOnce) {
  Harness h;
  probe_alice(h);
  h.close(1);  // the transport gave up on it (idle timeout, reset, ...)
  EXPECT_EQ(h.drain(), (Lines{"2 LOGIN_ACK 2:alice"}));
  h.advance(kProbe);
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_EQ(render_users(h.core.active_users()), "2:alice");
}

TEST(CoreLoginProbe, ProbedSessionLoggingOutDuringTheProbeAdmitsAtOnce) {
  Harness h;
  probe_alice(h);
  h.feed(1, logout_pdu());
  EXPECT_EQ(h.drain(),
            (Lines{"1 LOGOUT_ACK Logout successful", "1 CLOSE 0 logout", "2 LOGIN_ACK 2:alice"}));
}

TEST(CoreLoginProbe, WrongPasswordNeverProbes) {
  Harness h;
  h.join(1, "alice");
  h.open(2);
  EXPECT_EQ(h.attempt(2, "alice", false),
            (Lines{"2 LOGIN_UNSUCCESSFUL_RETRY Invalid credentials. Attempts left: 2"}));
  h.advance(kProbe);
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_EQ(render_users(h.core.active_users()), "1:alice");
}

TEST(CoreLoginProbe, SecondLoginDuringAProbeIsRefusedAtOnce) {
  Harness h;
  h.join(1, "alice");
  h.open(2);
  h.open(3);
  EXPECT_EQ(h.attempt(2, "alice", true), (Lines{"1 PROBE"}));
  EXPECT_EQ(h.attempt(3, "alice", true),
            (Lines{"3 LOGIN_UNSUCCESSFUL_RETRY User already logged in. Attempts left: 2"}));
  h.advance(kProbe);
  EXPECT_EQ(h.drain(), (Lines{"1 CLOSE 3 no answer to a liveness probe", "2 LOGIN_ACK 2:alice"}));
}

TEST(CoreLoginProbe, PdusDuringTheProbeWaitForItsAnswer) {
  Harness h;
  h.join(1, "alice");
  h.open(2);
  h.feed(2, login_pdu("alice", "pw") + broadcast_pdu("hi"));
  const std::uint64_t ticket = h.last_ticket();
  h.drain();
  h.core.password_checked(2, ticket, PasswordCheck::Ok, h.now);
  EXPECT_EQ(h.drain(), (Lines{"1 PROBE"}));
  h.feed(2, alive_pdu());
  EXPECT_EQ(h.drain(), Lines{});  // queued behind the probe
  h.core.probe_answered(1, h.now);
  EXPECT_EQ(h.drain(), (Lines{kRefused, "2 MSG_UNSUCCESSFUL User not authenticated",
                              "2 MSG_UNSUCCESSFUL User not authenticated"}));
}

TEST(CoreLoginProbe, NewSessionClosingDuringTheProbeLeavesTheOldOneAlone) {
  Harness h;
  probe_alice(h);
  h.close(2);
  h.advance(kProbe);
  EXPECT_EQ(h.drain(), Lines{});
  EXPECT_EQ(render_users(h.core.active_users()), "1:alice");
  h.open(3);
  EXPECT_EQ(h.attempt(3, "alice", true), (Lines{"1 PROBE"}));  // a new probe may start
}

}  // namespace
}  // namespace qc::chat::testing
