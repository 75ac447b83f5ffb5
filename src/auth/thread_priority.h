// Running the calling thread in the background, below every normal thread. Linux-specific.
#pragma once

#include <string>

#include "util/result.h"

namespace qc::auth {

inline constexpr int kBackgroundNice = 19;

struct BackgroundPriority {
  bool batch = false;         // SCHED_BATCH applied
  int nice = 0;               // the thread's nice value after the call
  std::string batch_refused;  // why SCHED_BATCH was refused (the nice value still applies)
};

// The lowest normal priority: nice 19 under SCHED_BATCH, with the shortest slice the kernel
// allows (100 µs, Linux 6.12+; older kernels keep their default). A nice-0 thread (the event
// loop) gets ≈ 98 % of a core against it and preempts it within the slice. Unlike SCHED_IDLE,
// which this replaced, the thread still gets its share against other low-priority work on the
// machine: under SCHED_IDLE two `nice 19` busy loops held a 1,000-login set-up back for a minute
// (BENCHMARKS.md, "Hash threads at nice 19"). Fails only when the nice value is refused; the
// thread then stays as it was.
Result<BackgroundPriority> run_current_thread_in_background();

}  // namespace qc::auth
