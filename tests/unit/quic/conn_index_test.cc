#include "quic/conn_index.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace qc::quic {
namespace {

int values[64];

TEST(ConnIndex, FindsWhatWasInsertedAndForgetsWhatWasErased) {
  ConnIndex<int> index;
  EXPECT_EQ(index.find(1), nullptr);
  index.insert(1, &values[1]);
  index.insert(2, &values[2]);
  EXPECT_EQ(index.find(1), &values[1]);
  EXPECT_EQ(index.find(2), &values[2]);
  EXPECT_EQ(index.find(3), nullptr);
  index.insert(1, &values[3]);  // replaces
  EXPECT_EQ(index.find(1), &values[3]);
  EXPECT_EQ(index.size(), 2u);
  index.erase(1);
  index.erase(7);  // not there: nothing happens
  EXPECT_EQ(index.find(1), nullptr);
  EXPECT_EQ(index.find(2), &values[2]);
  EXPECT_EQ(index.size(), 1u);
}

// Handles 16 apart share a home slot in a table of 16; erasing the first of a chain (which
// wraps around the end of the table) must keep the others findable.
TEST(ConnIndex, ErasingInsideAWrappedProbeChainKeepsTheRest) {
  ConnIndex<int> index;
  const ConnHandle chain[] = {15, 31, 47, 14};  // 31 and 47 wrap to slots 0 and 1; 14 stays
  for (int i = 0; i < 4; ++i) index.insert(chain[i], &values[i]);
  index.erase(15);
  EXPECT_EQ(index.find(15), nullptr);
  EXPECT_EQ(index.find(31), &values[1]);
  EXPECT_EQ(index.find(47), &values[2]);
  EXPECT_EQ(index.find(14), &values[3]);
  index.erase(31);
  EXPECT_EQ(index.find(47), &values[2]);
  EXPECT_EQ(index.size(), 2u);
}

TEST(ConnIndex, AgreesWithAHashMapOverRandomChurn) {
  ConnIndex<int> index;
  std::unordered_map<ConnHandle, int*> model;
  std::mt19937_64 rng(17);
  for (int step = 0; step < 20000; ++step) {
    const ConnHandle h = 1 + rng() % 300;  // few distinct handles: long chains, many erasures
    int* v = &values[rng() % 64];
    if (rng() % 3 == 0) {
      index.erase(h);
      model.erase(h);
    } else {
      index.insert(h, v);
      model[h] = v;
    }
    const ConnHandle probe = 1 + rng() % 300;
    auto it = model.find(probe);
    ASSERT_EQ(index.find(probe), it == model.end() ? nullptr : it->second) << "step " << step;
  }
  EXPECT_EQ(index.size(), model.size());
}

}  // namespace
}  // namespace qc::quic
