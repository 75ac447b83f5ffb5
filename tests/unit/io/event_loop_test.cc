#include "io/event_loop.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <thread>
#include <vector>

namespace qc::io {
namespace {

std::unique_ptr<EventLoop> make_loop() {
  auto l = EventLoop::create();
  EXPECT_TRUE(l.ok());
  return std::move(*l);
}

TEST(EventLoop, TimersFireInDeadlineOrderAndCancelledOnesDoNot) {
  auto loop = make_loop();
  std::vector<int> fired;
  auto now = loop->now();
  loop->add_timer(now + std::chrono::milliseconds(30), [&] {
    fired.push_back(3);
    loop->stop();
  });
  loop->add_timer(now + std::chrono::milliseconds(10), [&] { fired.push_back(1); });
  auto cancelled =
      loop->add_timer(now + std::chrono::milliseconds(20), [&] { fired.push_back(2); });
  loop->add_timer(now, [&] { fired.push_back(0); });
  loop->cancel_timer(cancelled);
  loop->cancel_timer(9999);  // unknown: no-op
  ASSERT_TRUE(loop->run().ok());
  EXPECT_EQ(fired, (std::vector<int>{0, 1, 3}));
}

TEST(EventLoop, ManyCancelledTimersDoNotDisturbLiveOnes) {
  auto loop = make_loop();
  auto now = loop->now();
  int fired = 0;
  std::vector<EventLoop::TimerId> live;
  for (int i = 0; i < 20'000; ++i) {
    auto id = loop->add_timer(now + std::chrono::hours(1), [&] { ++fired; });
    if (i % 1000 == 0) {
      live.push_back(loop->add_timer(now + std::chrono::milliseconds(i / 1000), [&] { ++fired; }));
    }
    loop->cancel_timer(id);  // heap compaction kicks in along the way
  }
  loop->add_timer(now + std::chrono::milliseconds(25), [&] { loop->stop(); });
  ASSERT_TRUE(loop->run().ok());
  EXPECT_EQ(fired, static_cast<int>(live.size()));
}

TEST(EventLoop, PostFromAnotherThreadRunsOnTheLoop) {
  auto loop = make_loop();
  std::thread::id ran_on;
  std::thread worker([&] {
    loop->post([&] {
      ran_on = std::this_thread::get_id();
      loop->stop();
    });
  });
  ASSERT_TRUE(loop->run().ok());
  worker.join();
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(EventLoop, StopBeforeRunIsNotLost) {
  auto loop = make_loop();
  loop->stop();
  EXPECT_TRUE(loop->run().ok());  // returns at once
}

TEST(EventLoop, ReadableCallbackAndIdleHookRunAfterIt) {
  auto loop = make_loop();
  int fd = eventfd(0, EFD_NONBLOCK);
  std::vector<std::string> order;
  ASSERT_TRUE(loop->watch_readable(fd,
                                   [&] {
                                     std::uint64_t v = 0;
                                     ASSERT_EQ(read(fd, &v, sizeof v),
                                               static_cast<ssize_t>(sizeof v));
                                     order.push_back("readable");
                                   })
                  .ok());
  loop->on_idle([&] {
    if (!order.empty() && order.back() == "readable") {
      order.push_back("idle");
      loop->stop();
    }
  });
  std::uint64_t one = 1;
  ASSERT_EQ(write(fd, &one, sizeof one), static_cast<ssize_t>(sizeof one));
  ASSERT_TRUE(loop->run().ok());
  EXPECT_EQ(order, (std::vector<std::string>{"readable", "idle"}));
  loop->unwatch(fd);
  close(fd);
}

TEST(EventLoop, NowAdvancesBetweenWakeups) {
  auto loop = make_loop();
  TimePoint first = loop->now();
  TimePoint seen{};
  loop->add_timer(first + std::chrono::milliseconds(5), [&] {
    seen = loop->now();
    loop->stop();
  });
  ASSERT_TRUE(loop->run().ok());
  EXPECT_GE(seen, first + std::chrono::milliseconds(5));
}

}  // namespace
}  // namespace qc::io
