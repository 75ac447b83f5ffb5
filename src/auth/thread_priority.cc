#include "auth/thread_priority.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace qc::auth {

Result<BackgroundPriority> run_current_thread_in_background(int fallback_nice) {
  sched_param param{};
  param.sched_priority = 0;
  const int idle_err = pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
  if (idle_err == 0) return BackgroundPriority{BackgroundPriority::Policy::Idle, 0, {}};

  // On Linux a nice value belongs to one thread: this lowers only the calling thread.
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  const int target = std::min(current + fallback_nice, 19);
  if (errno != 0 || setpriority(PRIO_PROCESS, tid, target) != 0) {
    return fail("thread_priority", std::string("SCHED_IDLE: ") + std::strerror(idle_err) +
                                       "; nice: " + std::strerror(errno));
  }
  return BackgroundPriority{BackgroundPriority::Policy::Nice, target, std::strerror(idle_err)};
}

}  // namespace qc::auth
