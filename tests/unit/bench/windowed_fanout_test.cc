// The fan-out check with the clients spread over two threads (--client-threads 2), without a
// server: the run's send puts each copy on the loop of the receiver's fleet, as a server's
// delivery would arrive there. Every copy once and in order lets the run end on the sender's
// loop through the other fleet's posted progress; one lost copy fails the run loudly.
#include "bench/scenarios/windowed_fanout.h"

#include <gtest/gtest.h>

#include <set>

namespace qc::bench {
namespace {

constexpr std::chrono::milliseconds kTimeout{10'000};

struct Harness {
  std::unique_ptr<Fleets> fleets;
  std::unique_ptr<WindowedFanout> fanout;
  FanoutRun* run = nullptr;

  Harness(std::size_t threads, std::size_t users, std::uint64_t messages, std::uint64_t window) {
    auto made = Fleets::create(Target{}, kTimeout, threads);  // nothing here connects anywhere
    EXPECT_TRUE(made.ok());
    fleets = std::move(*made);
    for (std::size_t i = 0; i < users; ++i) {
      fleets->add_user("u" + std::to_string(i), "pw");
      fleets->user(i).on_message = [this, i](const client::Message& m) {
        fanout->on_message(i, m);
      };
    }
    fanout = std::make_unique<WindowedFanout>(*fleets, std::nullopt);
    auto r = std::make_unique<FanoutRun>(*fleets, users, window, 2, messages);
    run = &fanout->add(std::move(r));
  }

  // Each copy goes to its receiver's loop, but those `lost` (user, seq) never arrive.
  void deliver(std::set<std::pair<std::size_t, std::uint64_t>> lost) {
    run->send = [this, lost](BenchUser& sender, std::string_view text) -> Result<void> {
      client::Message m;
      m.sender_name = sender.client->session().my_name();
      m.text = std::string(text);
      const std::uint64_t seq = run->sent - 1;  // send() runs after the count went up
      for (std::size_t i = 0; i < fleets->size(); ++i) {
        if (lost.contains({i, seq})) continue;
        fleets->fleet(fleets->fleet_of(i)).loop().post([this, i, m] { fanout->on_message(i, m); });
      }
      return {};
    };
  }

  Result<void> go() {
    auto started = fleets->barrier("started");
    auto finished = fleets->barrier("finished");
    return fleets->run([&](std::size_t k) {
      std::vector<Phase> phases;
      if (k == 0) phases.push_back(fanout->identify_sender());
      phases.push_back(started());
      phases.push_back(fanout->phase(k, "run", *run, kTimeout));
      phases.push_back(finished());
      return phases;
    });
  }
};

TEST(WindowedFanout, TwoThreadsSeeEveryCopyAndTheSenderFinishes) {
  Harness h(2, 7, 50, 5);
  h.deliver({});
  auto ran = h.go();
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_EQ(h.run->completed, h.run->total);
  EXPECT_EQ(h.run->deliveries(), 7u * 52u);
  EXPECT_EQ(h.run->tallies.size(), 2u);
  EXPECT_EQ(h.run->tallies[0]->users, 4u);  // users 0, 2, 4, 6
  EXPECT_EQ(h.run->tallies[1]->users, 3u);  // users 1, 3, 5
  EXPECT_EQ(h.run->tallies[1]->deliveries, 3u * 52u);
}

TEST(WindowedFanout, ALostCopyOnTheOtherThreadFailsTheRunLoudly) {
  Harness h(2, 6, 20, 4);
  h.deliver({{3, 7}});  // user 3 lives on the second thread
  auto ran = h.go();
  ASSERT_FALSE(ran.ok());
  EXPECT_NE(ran.error().message.find("client thread 1: u3: expected message 7, got 8"),
            std::string::npos)
      << ran.error().message;
}

TEST(WindowedFanout, ADuplicateIsCaughtToo) {
  Harness h(3, 6, 10, 2);
  h.deliver({});
  auto send = h.run->send;
  h.run->send = [&h, send](BenchUser& sender, std::string_view text) -> Result<void> {
    if (h.run->sent == 4) (void)send(sender, text);  // message 3 reaches everyone twice
    return send(sender, text);
  };
  auto ran = h.go();
  ASSERT_FALSE(ran.ok());
  EXPECT_NE(ran.error().message.find("(duplicate)"), std::string::npos) << ran.error().message;
}

}  // namespace
}  // namespace qc::bench
