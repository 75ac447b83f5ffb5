#include "io/manual_loop.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qc::io {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ManualLoop, TimeMovesOnlyWhenTheTestMovesIt) {
  ManualLoop loop;
  TimePoint start = loop.now();
  int fired = 0;
  loop.add_timer(start + seconds(120), [&] { ++fired; });
  EXPECT_FALSE(loop.step());  // nothing due yet
  EXPECT_EQ(loop.now(), start);
  loop.advance(seconds(119));
  EXPECT_EQ(fired, 0);
  loop.advance(seconds(1));
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(loop.now(), start + seconds(120));
}

TEST(ManualLoop, RunUntilJumpsFromTimerToTimerAndRunsIdleHooksAfterEachRound) {
  ManualLoop loop;
  TimePoint start = loop.now();
  std::vector<std::string> order;
  loop.on_idle([&] { order.push_back("idle"); });
  loop.add_timer(start + milliseconds(30), [&] { order.push_back("30"); });
  loop.add_timer(start + milliseconds(10), [&] { order.push_back("10"); });
  auto cancelled = loop.add_timer(start + milliseconds(20), [&] { order.push_back("20"); });
  loop.cancel_timer(cancelled);
  ASSERT_TRUE(loop.run_until([&] { return order.size() == 5; }));
  // The first round has nothing due but still runs the idle hooks, as a real loop does
  // before it sleeps.
  EXPECT_EQ(order, (std::vector<std::string>{"idle", "10", "idle", "30", "idle"}));
  EXPECT_EQ(loop.now(), start + milliseconds(30));
  EXPECT_FALSE(loop.run_until([] { return false; }));  // nothing left: false, not a hang
}

TEST(ManualLoop, TimersSetWhileATimerRunsWaitForTheNextRound) {
  ManualLoop loop;
  std::vector<std::string> order;
  loop.on_idle([&] { order.push_back("idle"); });
  loop.add_timer(loop.now(), [&] {
    order.push_back("first");
    loop.add_timer(loop.now(), [&] { order.push_back("second"); });
  });
  EXPECT_TRUE(loop.step());
  EXPECT_TRUE(loop.step());
  EXPECT_EQ(order, (std::vector<std::string>{"first", "idle", "second", "idle"}));
}

TEST(ManualLoop, RunStopsOnStopAndFailsWhenNothingIsLeft) {
  ManualLoop loop;
  loop.add_timer(loop.now() + seconds(5), [&] { loop.stop(); });
  EXPECT_TRUE(loop.run().ok());
  EXPECT_FALSE(loop.run().ok());
  int posted = 0;
  loop.post([&] { ++posted; });
  EXPECT_TRUE(loop.step());
  EXPECT_EQ(posted, 1);
}

TEST(ManualLoop, RunUntilGivesUpWhenTheBudgetRunsOut) {
  ManualLoop loop;
  std::function<void()> tick = [&] { loop.add_timer(loop.now() + seconds(1), tick); };
  tick();
  EXPECT_FALSE(loop.run_until([] { return false; }, 100));
}

}  // namespace
}  // namespace qc::io
