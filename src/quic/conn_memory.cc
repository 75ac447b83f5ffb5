#include "quic/conn_memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define QC_CONN_MEMORY_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define QC_CONN_MEMORY_SANITIZED 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define QC_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define QC_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define QC_POISON(p, n) ((void)(p), (void)(n))
#define QC_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace qc::quic {
namespace {

// Size classes: 16-byte steps up to 256, then four per doubling up to kMaxSmallBytes.
constexpr std::size_t kFineLimit = 256;
constexpr std::size_t kFineClasses = kFineLimit / 16;

std::size_t class_index(std::size_t n) {
  if (n <= kFineLimit) return n == 0 ? 0 : (n - 1) / 16;
  std::size_t index = kFineClasses;
  std::size_t step = 64;  // 256..512 in steps of 64, 512..1024 in 128...
  std::size_t upper = kFineLimit;
  for (;;) {
    for (int i = 0; i < 4; ++i) {
      upper += step;
      if (n <= upper) return index;
      ++index;
    }
    step *= 2;
  }
}

std::size_t class_size(std::size_t index) {
  if (index < kFineClasses) return (index + 1) * 16;
  std::size_t coarse = index - kFineClasses;
  std::size_t step = std::size_t{64} << (coarse / 4);
  std::size_t start = kFineLimit << (coarse / 4);
  return start + step * (coarse % 4 + 1);
}

const std::size_t kClassCount = class_index(ConnMemory::kMaxSmallBytes) + 1;

std::size_t pages_for(std::size_t bytes) {
  return (bytes + ConnMemory::kPage - 1) / ConnMemory::kPage;
}

void* mem_malloc(std::size_t n, void* self) { return static_cast<ConnMemory*>(self)->allocate(n); }
void mem_free(void* p, void* self) { static_cast<ConnMemory*>(self)->release(p); }
void* mem_calloc(std::size_t count, std::size_t n, void* self) {
  if (n != 0 && count > SIZE_MAX / n) return nullptr;
  return static_cast<ConnMemory*>(self)->allocate_zeroed(count * n);
}
void* mem_realloc(void* p, std::size_t n, void* self) {
  return static_cast<ConnMemory*>(self)->reallocate(p, n);
}

}  // namespace

ConnMemory::ConnMemory(std::size_t reserve_bytes)
    : slab_class_(),
      free_small_(kClassCount, nullptr),
      free_runs_(kMaxRunPages + 1),
      slab_cursor_(kClassCount, nullptr),
      slab_limit_(kClassCount, nullptr) {
  mem_ = ngtcp2_mem{this, mem_malloc, mem_free, mem_calloc, mem_realloc};
  // Address space only: MAP_NORESERVE commits nothing, pages are backed when first written.
  for (std::size_t size = reserve_bytes; size >= 16 * kSlabBytes; size /= 2) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) continue;
    reserved_ = size;
    base_ = static_cast<char*>(p);
    break;
  }
  if (base_ == nullptr) return;  // everything from malloc
  // mmap returns page-aligned addresses; slabs want kSlabBytes alignment only for indexing.
  end_ = base_ + reserved_;
  runs_base_ = base_ + reserved_ / 2;
  slab_bump_ = base_;
  run_bump_ = runs_base_;
}

ConnMemory::~ConnMemory() {
  if (base_ == nullptr) return;
  // ASan's shadow outlives the mapping: blocks poisoned here would still read as poisoned to
  // the next mapping at the same address (another pool, or anyone's mmap).
  QC_UNPOISON(base_, reserved_);
  ::munmap(base_, reserved_);
}

std::size_t ConnMemory::default_reserve() {
#ifdef QC_CONN_MEMORY_SANITIZED
  return 0;
#else
  return std::size_t{1} << 34;
#endif
}

const ngtcp2_mem* ConnMemory::mem() const {
#ifdef QC_CONN_MEMORY_SANITIZED
  return nullptr;
#else
  return &mem_;
#endif
}

std::size_t ConnMemory::class_bytes(std::size_t n) {
  return n > kMaxSmallBytes ? 0 : class_size(class_index(n));
}

bool ConnMemory::owns(const void* p) const {
  const char* c = static_cast<const char*>(p);
  return base_ != nullptr && c >= base_ && c < end_;
}

char* ConnMemory::carve(char*& bump, char* limit, std::size_t bytes) {
  if (bump == nullptr || static_cast<std::size_t>(limit - bump) < bytes) return nullptr;
  char* p = bump;
  bump += bytes;
  return p;
}

void* ConnMemory::allocate(std::size_t n) {
  if (n == 0) n = 1;
  void* p = n <= kMaxSmallBytes ? allocate_small(n) : allocate_run(n);
  if (p == nullptr) {
    p = std::malloc(n);
    if (p == nullptr) return nullptr;
    ++stats_.malloc_blocks;
    return p;
  }
  ++stats_.live_blocks;
  return p;
}

void* ConnMemory::allocate_zeroed(std::size_t n) {
  void* p = allocate(n);
  // A run's pages are fresh or were handed back to the kernel: they read as zeros already, and
  // not writing them keeps the ones ngtcp2 never uses unbacked.
  if (p != nullptr && !(owns(p) && static_cast<char*>(p) >= runs_base_))
    std::memset(p, 0, std::max<std::size_t>(n, 1));
  return p;
}

void* ConnMemory::allocate_small(std::size_t n) {
  const std::size_t cls = class_index(n);
  const std::size_t size = class_size(cls);
  if (void* head = free_small_[cls]) {
    QC_UNPOISON(head, size);
    void* next = nullptr;
    std::memcpy(&next, head, sizeof next);
    free_small_[cls] = next;
    stats_.live_bytes += size;
    return head;
  }
  if (slab_cursor_[cls] == nullptr ||
      static_cast<std::size_t>(slab_limit_[cls] - slab_cursor_[cls]) < size) {
    char* slab = carve(slab_bump_, runs_base_, kSlabBytes);
    if (slab == nullptr) return nullptr;
    const std::size_t index = static_cast<std::size_t>(slab - base_) / kSlabBytes;
    if (slab_class_.size() <= index) slab_class_.resize(index + 1);
    slab_class_[index] = static_cast<std::uint8_t>(cls);
    slab_cursor_[cls] = slab;
    slab_limit_[cls] = slab + kSlabBytes;
    stats_.slab_bytes += kSlabBytes;
  }
  char* p = slab_cursor_[cls];
  slab_cursor_[cls] += size;
  stats_.live_bytes += size;
  return p;
}

void* ConnMemory::allocate_run(std::size_t n) {
  const std::size_t pages = pages_for(n + sizeof(RunHeader));
  if (pages > kMaxRunPages) return nullptr;
  char* run = nullptr;
  if (!free_runs_[pages].empty()) {
    run = free_runs_[pages].back();
    free_runs_[pages].pop_back();
  } else {
    run = carve(run_bump_, end_, pages * kPage);
    if (run == nullptr) return nullptr;
  }
  const RunHeader header{static_cast<std::uint32_t>(pages), static_cast<std::uint32_t>(n), 0};
  std::memcpy(run, &header, sizeof header);
  stats_.run_pages += pages;
  stats_.live_bytes += n;
  return run + sizeof(RunHeader);
}

void ConnMemory::release(void* p) {
  if (p == nullptr) return;
  if (!owns(p)) {
    --stats_.malloc_blocks;
    std::free(p);
    return;
  }
  if (static_cast<char*>(p) >= runs_base_) return release_run(p);
  const std::size_t slab = static_cast<std::size_t>(static_cast<char*>(p) - base_) / kSlabBytes;
  release_small(p, slab_class_[slab]);
}

void ConnMemory::release_small(void* p, std::size_t cls) {
  const std::size_t size = class_size(cls);
  --stats_.live_blocks;
  stats_.live_bytes -= size;
  void* next = free_small_[cls];
  std::memcpy(p, &next, sizeof next);
  QC_POISON(p, size);
  free_small_[cls] = p;
}

void ConnMemory::release_run(void* p) {
  char* run = static_cast<char*>(p) - sizeof(RunHeader);
  RunHeader header;
  std::memcpy(&header, run, sizeof header);
  --stats_.live_blocks;
  stats_.live_bytes -= header.bytes;
  stats_.run_pages -= header.pages;
  ::madvise(run, header.pages * kPage, MADV_DONTNEED);
  free_runs_[header.pages].push_back(run);
}

std::size_t ConnMemory::usable_bytes(const void* p) const {
  const char* c = static_cast<const char*>(p);
  if (c >= runs_base_) {
    RunHeader header;
    std::memcpy(&header, c - sizeof(RunHeader), sizeof header);
    return header.pages * kPage - sizeof(RunHeader);
  }
  return class_size(slab_class_[static_cast<std::size_t>(c - base_) / kSlabBytes]);
}

void* ConnMemory::reallocate(void* p, std::size_t n) {
  if (p == nullptr) return allocate(n);
  if (!owns(p)) return std::realloc(p, n);
  const std::size_t old = usable_bytes(p);
  if (n <= old && n > old / 2) return p;
  void* q = allocate(n);
  if (q == nullptr) return nullptr;
  std::memcpy(q, p, std::min(old, n));
  release(p);
  return q;
}

}  // namespace qc::quic
