#include "cluster/node_tracker.h"

#include <gtest/gtest.h>

namespace qc::cluster {
namespace {

using Names = std::vector<std::string>;

TEST(NodeTracker, NewNodesWithAHeartbeatAreUpAndThisNodeIsIgnored) {
  NodeTracker t("a");
  auto r = t.scan({"a", "c", "b"}, {true, true, true}, false);
  EXPECT_EQ(r.up, (Names{"c", "b"}));
  EXPECT_EQ(r.alive, (Names{"b", "c"}));
  EXPECT_TRUE(r.down.empty());
  auto again = t.scan({"a", "b", "c"}, {true, true, true}, false);
  EXPECT_TRUE(again.up.empty());
  EXPECT_TRUE(again.down.empty());
}

TEST(NodeTracker, AListedNodeWithoutHeartbeatIsDownAndStaleEvenIfNeverSeen) {
  NodeTracker t("a");
  auto r = t.scan({"b", "c"}, {true, false}, false);
  EXPECT_EQ(r.up, Names{"b"});
  EXPECT_EQ(r.down, Names{"c"});
  EXPECT_EQ(r.stale, Names{"c"});
  auto later = t.scan({"b"}, {false}, false);
  EXPECT_EQ(later.down, Names{"b"});
  EXPECT_TRUE(later.alive.empty());
  EXPECT_TRUE(t.known().empty());
}

TEST(NodeTracker, AKnownNodeMissingFromTheSetIsDownOnlyAfterTheGrace) {
  NodeTracker t("a");
  (void)t.scan({"b"}, {true}, false);
  auto in_grace = t.scan({}, {}, true);  // Redis restarted empty: b has not registered yet
  EXPECT_TRUE(in_grace.down.empty());
  EXPECT_TRUE(t.known().contains("b"));
  auto back = t.scan({"b"}, {true}, true);
  EXPECT_TRUE(back.up.empty());  // never reported down, so not up again either
  auto gone = t.scan({}, {}, false);
  EXPECT_EQ(gone.down, Names{"b"});
}

TEST(NodeTracker, ANodeBackAfterDownIsUpAgain) {
  NodeTracker t("a");
  (void)t.scan({"b"}, {true}, false);
  (void)t.scan({"b"}, {false}, false);
  auto r = t.scan({"b"}, {true}, false);
  EXPECT_EQ(r.up, Names{"b"});
}

}  // namespace
}  // namespace qc::cluster
