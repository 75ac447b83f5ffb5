// Running the calling thread in the background, below every normal thread. Linux-specific.
#pragma once

#include <string>

#include "util/result.h"

namespace qc::auth {

struct BackgroundPriority {
  enum class Policy { Idle, Nice } policy;  // SCHED_IDLE, or the nice fallback
  int nice = 0;                             // the thread's nice value with Policy::Nice
  std::string idle_refused;                 // why SCHED_IDLE was refused (Policy::Nice)
};

// SCHED_IDLE: the thread gets a CPU only when no normal thread wants it, so a normal thread that
// wakes up preempts it at once. If the kernel refuses, raises the thread's nice value by
// `fallback_nice` (at most 19). Fails only when both are refused; the thread then stays as it was.
Result<BackgroundPriority> run_current_thread_in_background(int fallback_nice);

}  // namespace qc::auth
