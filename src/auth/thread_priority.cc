#include "auth/thread_priority.h"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace qc::auth {
namespace {

// glibc 2.36 has no sched_setattr(); the kernel's struct, its first version (48 bytes).
struct SchedAttr {
  std::uint32_t size;
  std::uint32_t sched_policy;
  std::uint64_t sched_flags;
  std::int32_t sched_nice;
  std::uint32_t sched_priority;
  std::uint64_t sched_runtime;  // for SCHED_OTHER/BATCH since Linux 6.12: the task's slice
  std::uint64_t sched_deadline;
  std::uint64_t sched_period;
};

// The shortest slice the kernel accepts. A waking event loop then waits at most this long
// for a hash worker to give up its core (with the default 3 ms slice the message p50 of a
// login storm was 2.3-2.8 ms instead of 0.6-0.7).
constexpr std::uint64_t kSliceNs = 100'000;

int set_attr(std::uint64_t slice_ns) {
  SchedAttr attr{};
  attr.size = sizeof attr;
  attr.sched_policy = SCHED_BATCH;
  attr.sched_nice = kBackgroundNice;
  attr.sched_runtime = slice_ns;
  return static_cast<int>(syscall(SYS_sched_setattr, 0, &attr, 0));
}

}  // namespace

Result<BackgroundPriority> run_current_thread_in_background() {
  BackgroundPriority got;
  // A kernel before 6.12 may refuse the slice: then the policy and nice value without it.
  if (set_attr(kSliceNs) == 0 || set_attr(0) == 0) {
    got.batch = true;
  } else {
    got.batch_refused = std::strerror(errno);
  }
  // On Linux a nice value belongs to one thread: this lowers only the calling thread.
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  if (!got.batch && setpriority(PRIO_PROCESS, tid, kBackgroundNice) != 0) {
    return fail("thread_priority", std::string("nice ") + std::to_string(kBackgroundNice) + ": " +
                                       std::strerror(errno));
  }
  errno = 0;
  got.nice = getpriority(PRIO_PROCESS, tid);
  return got;
}

}  // namespace qc::auth
