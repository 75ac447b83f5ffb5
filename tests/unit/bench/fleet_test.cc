// The fleet's phase driver: a phase that may time out without failing the run (the logout
// window, issue 15 item 5) ends and lets the run go on; any other timeout ends the run.
#include "bench/load/fleet.h"

#include <gtest/gtest.h>

namespace qc::bench {
namespace {

constexpr std::chrono::milliseconds kShort{50};

std::unique_ptr<Fleet> make_fleet() {
  auto fleet = Fleet::create(Target{}, kShort);  // no phase here connects anywhere
  EXPECT_TRUE(fleet.ok());
  return fleet.ok() ? std::move(*fleet) : nullptr;
}

Phase never_done(std::function<void()> on_timeout) {
  Phase p = wait_phase(
      "never", {}, [] { return false; }, kShort);
  p.on_timeout = std::move(on_timeout);
  return p;
}

TEST(Fleet, APhaseWithOnTimeoutEndsAndTheRunGoesOn) {
  auto fleet = make_fleet();
  ASSERT_TRUE(fleet);
  bool timed_out = false;
  bool next_ran = false;
  auto ran = fleet->run(
      {never_done([&] { timed_out = true; }), instant_phase("next", [&] { next_ran = true; })});
  EXPECT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_TRUE(timed_out);
  EXPECT_TRUE(next_ran);
}

TEST(Fleet, AnyOtherTimeoutEndsTheRunWithAnError) {
  auto fleet = make_fleet();
  ASSERT_TRUE(fleet);
  bool next_ran = false;
  auto ran = fleet->run({never_done(nullptr), instant_phase("next", [&] { next_ran = true; })});
  ASSERT_FALSE(ran.ok());
  EXPECT_NE(ran.error().message.find("phase 'never' timed out"), std::string::npos)
      << ran.error().message;
  EXPECT_FALSE(next_ran);
}

TEST(Fleet, LogoutWithNobodyLoggedInIsDoneAtOnceAndConfirmsEverything) {
  auto fleet = make_fleet();
  ASSERT_TRUE(fleet);
  fleet->add_user("alice", "p1");  // never connected: nothing to log out
  Phase logout = fleet->logout_phase();
  EXPECT_TRUE(logout.on_timeout != nullptr) << "the logout window must never fail the run";
  auto ran = fleet->run({std::move(logout)});
  EXPECT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_EQ(fleet->logouts_unconfirmed(), 0u);
}

}  // namespace
}  // namespace qc::bench
