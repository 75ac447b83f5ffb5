// The connection lifecycle table, every (state, event) pair, without sockets.
#include "quic/lifecycle.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace qc::quic {
namespace {

using S = ConnState;
using E = ConnEvent;

constexpr S kStates[] = {
    S::Handshaking, S::Open, S::HandshakingCloseQueued, S::OpenCloseQueued, S::Closing,
    S::Draining,    S::Dead};
constexpr E kEvents[] = {E::HandshakeDone, E::CloseCalled,     E::QueueAcked,
                         E::CloseTimeout,  E::LocalError,      E::Dropped,
                         E::PeerClosed,    E::CloseUnsendable, E::LingerOver};

static_assert(std::size(kStates) == kConnStateCount);
static_assert(std::size(kEvents) == kConnEventCount);

// Shorthands for the expected steps: {next, report, send_close, linger, retire, leaves_live}.
Step plain(S next, Report r = Report::None) { return {next, r, false, false, false, false}; }
Step closing(Report r) { return {S::Closing, r, true, true, false, true}; }
Step draining(Report r) { return {S::Draining, r, false, true, false, true}; }
Step dropped(Report r) { return {S::Dead, r, false, false, true, true}; }
Step freed() { return {S::Dead, Report::None, false, false, true, false}; }

// The expected table, written independently of the implementation; every pair not listed
// leaves the connection as it is.
const std::map<std::pair<S, E>, Step>& expected_table() {
  static const std::map<std::pair<S, E>, Step> table{
      {{S::Handshaking, E::HandshakeDone}, plain(S::Open, Report::Open)},
      {{S::Handshaking, E::CloseCalled}, plain(S::HandshakingCloseQueued)},
      {{S::Handshaking, E::LocalError}, closing(Report::ClosedUnopened)},
      {{S::Handshaking, E::Dropped}, dropped(Report::ClosedUnopened)},
      {{S::Handshaking, E::PeerClosed}, draining(Report::ClosedUnopened)},
      {{S::Open, E::CloseCalled}, plain(S::OpenCloseQueued)},
      {{S::Open, E::LocalError}, closing(Report::Closed)},
      {{S::Open, E::Dropped}, dropped(Report::Closed)},
      {{S::Open, E::PeerClosed}, draining(Report::Closed)},
      {{S::HandshakingCloseQueued, E::HandshakeDone}, plain(S::OpenCloseQueued, Report::Open)},
      {{S::HandshakingCloseQueued, E::QueueAcked}, closing(Report::ClosedUnopened)},
      {{S::HandshakingCloseQueued, E::CloseTimeout}, closing(Report::ClosedUnopened)},
      {{S::HandshakingCloseQueued, E::LocalError}, closing(Report::ClosedUnopened)},
      {{S::HandshakingCloseQueued, E::Dropped}, dropped(Report::ClosedUnopened)},
      {{S::HandshakingCloseQueued, E::PeerClosed}, draining(Report::ClosedUnopened)},
      {{S::OpenCloseQueued, E::QueueAcked}, closing(Report::Closed)},
      {{S::OpenCloseQueued, E::CloseTimeout}, closing(Report::Closed)},
      {{S::OpenCloseQueued, E::LocalError}, closing(Report::Closed)},
      {{S::OpenCloseQueued, E::Dropped}, dropped(Report::Closed)},
      {{S::OpenCloseQueued, E::PeerClosed}, draining(Report::Closed)},
      {{S::Closing, E::CloseUnsendable}, freed()},
      {{S::Closing, E::LingerOver}, freed()},
      {{S::Draining, E::LingerOver}, freed()},
  };
  return table;
}

std::string pair_name(S s, E e) {
  return std::string(conn_state_name(s)) + " + " + std::string(conn_event_name(e));
}

TEST(Lifecycle, EveryStateEventPairMatchesTheTable) {
  for (S s : kStates) {
    for (E e : kEvents) {
      SCOPED_TRACE(pair_name(s, e));
      auto it = expected_table().find({s, e});
      std::optional<Step> step = next_step(s, e);
      if (it == expected_table().end()) {
        EXPECT_FALSE(step.has_value());
      } else {
        ASSERT_TRUE(step.has_value());
        EXPECT_EQ(*step, it->second) << "next=" << conn_state_name(step->next);
      }
    }
  }
}

TEST(Lifecycle, LeavingTheLiveStatesIsWhatReportsAClose) {
  for (S s : kStates) {
    for (E e : kEvents) {
      std::optional<Step> step = next_step(s, e);
      if (!step) continue;
      SCOPED_TRACE(pair_name(s, e));
      bool leaves = is_live(s) && !is_live(step->next);
      EXPECT_EQ(step->leaves_live, leaves);
      bool reports_close = step->report == Report::Closed || step->report == Report::ClosedUnopened;
      EXPECT_EQ(reports_close, leaves);
      if (reports_close) {
        EXPECT_EQ(step->report == Report::Closed, has_opened(s));
      }
      EXPECT_EQ(step->retire, step->next == S::Dead);
      EXPECT_EQ(step->linger, step->next == S::Closing || step->next == S::Draining);
    }
  }
}

// Walks every event sequence up to length 6 from Handshaking: a close is reported at most once,
// and every path to Dead reported one.
TEST(Lifecycle, OnClosedAtMostOnceOnEveryPath) {
  struct Walk {
    S state;
    int closes;
    int opens;
  };
  std::vector<Walk> frontier{{S::Handshaking, 0, 0}};
  std::size_t dead_paths = 0;
  for (int depth = 0; depth < 6; ++depth) {
    std::vector<Walk> next;
    for (const Walk& w : frontier) {
      for (E e : kEvents) {
        std::optional<Step> step = next_step(w.state, e);
        if (!step) continue;
        Walk n{step->next, w.closes, w.opens};
        if (step->report == Report::Open) ++n.opens;
        if (step->report == Report::Closed || step->report == Report::ClosedUnopened) ++n.closes;
        EXPECT_LE(n.closes, 1);
        EXPECT_LE(n.opens, 1);
        if (n.state == S::Dead) {
          EXPECT_EQ(n.closes, 1);
          ++dead_paths;
        }
        next.push_back(n);
      }
    }
    frontier = std::move(next);
  }
  EXPECT_GT(dead_paths, 0u);
}

TEST(Lifecycle, DeadIsFinal) {
  for (E e : kEvents) EXPECT_FALSE(next_step(S::Dead, e).has_value()) << conn_event_name(e);
}

TEST(Lifecycle, ServerHearsOnlyOfConnectionsThatOpened) {
  EXPECT_TRUE(handler_hears(Report::Closed, true));
  EXPECT_TRUE(handler_hears(Report::Closed, false));
  EXPECT_FALSE(handler_hears(Report::ClosedUnopened, true));
  EXPECT_TRUE(handler_hears(Report::ClosedUnopened, false));
  EXPECT_TRUE(handler_hears(Report::Open, true));
  EXPECT_FALSE(handler_hears(Report::None, false));
}

TEST(Lifecycle, StatePredicates) {
  const std::set<S> live{S::Handshaking, S::Open, S::HandshakingCloseQueued, S::OpenCloseQueued};
  const std::set<S> opened{S::Open, S::OpenCloseQueued};
  const std::set<S> takes{S::Handshaking, S::Open};
  for (S s : kStates) {
    SCOPED_TRACE(conn_state_name(s));
    EXPECT_EQ(is_live(s), live.count(s) == 1);
    EXPECT_EQ(has_opened(s), opened.count(s) == 1);
    EXPECT_EQ(takes_data(s), takes.count(s) == 1);
  }
}

}  // namespace
}  // namespace qc::quic
