// ConnMemory: size classes, reuse of freed blocks, runs handed back to the kernel, calloc's
// zeros, realloc keeping the bytes, and the fall-back to malloc.
#include "quic/conn_memory.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

namespace qc::quic {
namespace {

constexpr std::size_t kSmallReserve = std::size_t{64} << 20;

// How many of the pages of [p, p + bytes) are backed by memory (mincore).
std::size_t resident_pages(const void* p, std::size_t bytes) {
  auto start = reinterpret_cast<std::uintptr_t>(p) & ~(ConnMemory::kPage - 1);
  auto end = reinterpret_cast<std::uintptr_t>(p) + bytes;
  std::size_t pages = (end - start + ConnMemory::kPage - 1) / ConnMemory::kPage;
  std::vector<unsigned char> vec(pages);
  EXPECT_EQ(::mincore(reinterpret_cast<void*>(start), end - start, vec.data()), 0);
  std::size_t n = 0;
  for (unsigned char v : vec) n += v & 1;
  return n;
}

TEST(ConnMemory, SizeClassesCoverTheRequestWithLittleWaste) {
  std::size_t previous = 0;
  for (std::size_t n = 1; n <= ConnMemory::kMaxSmallBytes; ++n) {
    const std::size_t cls = ConnMemory::class_bytes(n);
    ASSERT_GE(cls, n);
    ASSERT_EQ(cls % 16, 0u) << n;
    ASSERT_LE(cls - n, std::max<std::size_t>(15, n / 4)) << n;  // at most a quarter wasted
    ASSERT_GE(cls, previous);
    previous = cls;
  }
  EXPECT_EQ(ConnMemory::class_bytes(16), 16u);
  EXPECT_EQ(ConnMemory::class_bytes(17), 32u);
  EXPECT_EQ(ConnMemory::class_bytes(257), 320u);
  EXPECT_EQ(ConnMemory::class_bytes(ConnMemory::kMaxSmallBytes), ConnMemory::kMaxSmallBytes);
  EXPECT_EQ(ConnMemory::class_bytes(ConnMemory::kMaxSmallBytes + 1), 0u);
}

TEST(ConnMemory, SmallBlocksAreDistinctAlignedAndReusedOnceFreed) {
  ConnMemory memory(kSmallReserve);
  std::set<void*> seen;
  std::vector<void*> blocks;
  for (int i = 0; i < 5000; ++i) {  // more than one slab of 48-byte blocks
    void* p = memory.allocate(40);
    ASSERT_TRUE(memory.owns(p));
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % 16, 0u);
    ASSERT_TRUE(seen.insert(p).second);
    std::memset(p, 0xab, 40);
    blocks.push_back(p);
  }
  EXPECT_EQ(memory.stats().live_blocks, 5000u);
  void* freed = blocks[1234];
  memory.release(freed);
  EXPECT_EQ(memory.allocate(33), freed);  // the same class: the freed block comes back first
  EXPECT_NE(memory.allocate(64), freed);  // another class never gets it
}

TEST(ConnMemory, ARunsUntouchedPagesStayUnbackedAndAFreedRunGoesBackToTheKernel) {
  ConnMemory memory(kSmallReserve);
  constexpr std::size_t kBytes = 11 * 1024;  // like ngtcp2's 64-stream pool block
  auto* p = static_cast<char*>(memory.allocate(kBytes));
  ASSERT_TRUE(memory.owns(p));
  p[0] = 1;
  EXPECT_EQ(resident_pages(p, kBytes), 1u);
  std::memset(p, 1, kBytes);
  EXPECT_EQ(resident_pages(p, kBytes), 3u);
  memory.release(p);
  EXPECT_EQ(resident_pages(p, kBytes), 0u);
  EXPECT_EQ(memory.stats().run_pages, 0u);
  auto* again = static_cast<char*>(memory.allocate(kBytes));
  EXPECT_EQ(again, p);  // the same run, as zero pages
  EXPECT_EQ(again[100], 0);
}

TEST(ConnMemory, CallocReturnsZerosAlsoForReusedBlocks) {
  ConnMemory memory(kSmallReserve);
  for (std::size_t n : {24u, 700u, 9000u}) {
    auto* p = static_cast<unsigned char*>(memory.allocate(n));
    std::memset(p, 0xff, n);
    memory.release(p);
    auto* z = static_cast<unsigned char*>(memory.allocate_zeroed(n));
    EXPECT_EQ(z, p) << n;
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(z[i], 0) << n << " at " << i;
    memory.release(z);
  }
}

TEST(ConnMemory, ReallocKeepsTheBytesAcrossClassesAndRuns) {
  ConnMemory memory(kSmallReserve);
  auto* p = static_cast<unsigned char*>(memory.allocate(10));
  for (int i = 0; i < 10; ++i) p[i] = static_cast<unsigned char>(i);
  for (std::size_t n : {100u, 2000u, 20000u, 50u}) {
    p = static_cast<unsigned char*>(memory.reallocate(p, n));
    ASSERT_NE(p, nullptr);
    for (int i = 0; i < 10; ++i) ASSERT_EQ(p[i], i) << n;
  }
  memory.release(p);
  EXPECT_EQ(memory.stats().live_blocks, 0u);
  EXPECT_EQ(memory.stats().live_bytes, 0u);
}

TEST(ConnMemory, WhatDoesNotFitComesFromMalloc) {
  ConnMemory memory(kSmallReserve);
  void* huge = memory.allocate((ConnMemory::kMaxRunPages + 1) * ConnMemory::kPage);
  ASSERT_NE(huge, nullptr);
  EXPECT_FALSE(memory.owns(huge));
  EXPECT_EQ(memory.stats().malloc_blocks, 1u);
  memory.release(huge);
  EXPECT_EQ(memory.stats().malloc_blocks, 0u);
  // A reservation too small for a slab: everything from malloc, still correct.
  ConnMemory none(0);
  void* p = none.allocate(32);
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(none.owns(p));
  p = none.reallocate(p, 64);
  none.release(p);
  EXPECT_EQ(none.stats().malloc_blocks, 0u);
}

TEST(ConnMemory, TheNgtcp2TableCallsThePool) {
  ConnMemory memory(kSmallReserve);
  ConnMemory::Stats before = memory.stats();
  const ngtcp2_mem* mem = memory.mem();
  if (mem == nullptr) GTEST_SKIP() << "sanitizer build: connections use malloc";
  void* p = mem->calloc(4, 8, mem->user_data);
  EXPECT_TRUE(memory.owns(p));
  EXPECT_EQ(memory.stats().live_blocks, before.live_blocks + 1);
  p = mem->realloc(p, 4000, mem->user_data);
  mem->free(p, mem->user_data);
  EXPECT_EQ(memory.stats().live_blocks, before.live_blocks);
}

}  // namespace
}  // namespace qc::quic
