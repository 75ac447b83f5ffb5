// The memory ngtcp2 allocates for an endpoint's connections (an ngtcp2_mem of our own).
//
// Why: ngtcp2 0.12 takes object pools of 64 entries and key lists of 8 blocks at a time, of
// which an idle connection touches a page or two, and it frees them only with the connection.
// From malloc those blocks sit among other connections' bytes, every page of them resident
// once anything was ever freed nearby. Here:
// - blocks larger than kMaxSmallBytes get whole pages of their own (a run): the pages a
//   connection never writes stay unbacked, and a freed run's pages go back to the kernel
//   (MADV_DONTNEED), so its next user starts from zero pages again (calloc writes nothing);
// - smaller blocks come from slabs of one size class each, without malloc's header or the
//   holes other allocations leave between them.
// Everything lives in one reserved range of address space (pages are backed only when
// written); what does not fit (past the range, or larger than a run) comes from malloc.
//
// Not thread-safe: one endpoint's connections live on its loop thread. Under ASan and TSan the
// connections use malloc (mem() is null) so that the sanitizers see every block; the pool itself,
// still unit-tested there, poisons the small blocks it holds free.
#pragma once

#include <ngtcp2/ngtcp2.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qc::quic {

class ConnMemory {
 public:
  static constexpr std::size_t kPage = 4096;
  static constexpr std::size_t kMaxSmallBytes = 3 * 1024;  // larger: page runs
  static constexpr std::size_t kMaxRunPages = 64;          // larger: malloc
  static constexpr std::size_t kSlabBytes = 64 * 1024;

  // reserve_bytes: address space to reserve (halved until the kernel grants it); 0: none,
  // everything from malloc.
  explicit ConnMemory(std::size_t reserve_bytes);
  // An endpoint's: 16 GiB of address space (≈ 400,000 idle connections); 0 under the sanitizers.
  static std::size_t default_reserve();
  ~ConnMemory();
  ConnMemory(const ConnMemory&) = delete;
  ConnMemory& operator=(const ConnMemory&) = delete;

  // What ngtcp2_conn_*_new takes; null (ngtcp2's malloc) under the sanitizers.
  const ngtcp2_mem* mem() const;

  void* allocate(std::size_t n);
  void* allocate_zeroed(std::size_t n);
  void* reallocate(void* p, std::size_t n);
  void release(void* p);

  struct Stats {
    std::size_t live_blocks = 0;
    std::size_t live_bytes = 0;     // small blocks: their class's size; runs: as asked for
    std::size_t run_pages = 0;      // pages of live runs (an upper bound of their residence)
    std::size_t slab_bytes = 0;     // slabs carved so far (never returned)
    std::size_t malloc_blocks = 0;  // live blocks that came from malloc
  };
  const Stats& stats() const { return stats_; }
  // The size class (bytes) a small request is served from; 0 for runs and malloc.
  static std::size_t class_bytes(std::size_t n);
  bool owns(const void* p) const;

 private:
  struct RunHeader {
    std::uint32_t pages;
    std::uint32_t bytes;  // as asked for
    std::uint64_t pad;    // keeps the block 16-byte aligned
  };

  void* allocate_small(std::size_t n);
  void* allocate_run(std::size_t n);
  void release_small(void* p, std::size_t cls);
  void release_run(void* p);
  std::size_t usable_bytes(const void* p) const;
  char* carve(char*& bump, char* limit, std::size_t bytes);

  ngtcp2_mem mem_{};
  char* base_ = nullptr;  // [base_, runs_base_): slabs; [runs_base_, end_): runs
  char* runs_base_ = nullptr;
  char* end_ = nullptr;
  std::size_t reserved_ = 0;
  char* slab_bump_ = nullptr;
  char* run_bump_ = nullptr;
  std::vector<std::uint8_t> slab_class_;       // per slab: its size class index
  std::vector<void*> free_small_;              // per size class: an intrusive free list
  std::vector<std::vector<char*>> free_runs_;  // per page count: runs returned to the kernel
  std::vector<char*> slab_cursor_;             // per size class: the next never-used block
  std::vector<char*> slab_limit_;
  Stats stats_;
};

}  // namespace qc::quic
