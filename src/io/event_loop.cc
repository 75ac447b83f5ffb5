// EventLoop on epoll + eventfd + a binary min-heap of timers (lazy cancellation by id).
#include "io/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace qc::io {
namespace {

struct TimerEntry {
  TimePoint when;
  EventLoop::TimerId id;
  bool operator>(const TimerEntry& o) const {
    return when > o.when || (when == o.when && id > o.id);
  }
};

struct Watch {
  std::function<void()> on_readable;
  std::function<void()> on_writable;  // set while waiting for EPOLLOUT
};

class EpollLoop final : public EventLoop {
 public:
  EpollLoop(int epfd, int wakefd) : epfd_(epfd), wakefd_(wakefd) { now_ = Clock::now(); }
  ~EpollLoop() override {
    ::close(wakefd_);
    ::close(epfd_);
  }

  Result<void> watch_readable(int fd, std::function<void()> on_readable) override {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      return fail("epoll", std::string("epoll_ctl add: ") + std::strerror(errno));
    }
    watches_[fd].on_readable = std::move(on_readable);
    return {};
  }

  Result<void> watch_writable_once(int fd, std::function<void()> on_writable) override {
    auto it = watches_.find(fd);
    if (it == watches_.end()) return fail("epoll", "watch_writable_once on an unwatched fd");
    it->second.on_writable = std::move(on_writable);
    return set_events(fd, EPOLLIN | EPOLLOUT);
  }

  void unwatch(int fd) override {
    if (watches_.erase(fd) != 0) epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  }

  TimerId add_timer(TimePoint when, std::function<void()> fn) override {
    TimerId id = ++last_timer_id_;
    timers_.emplace(id, Timer{when, std::move(fn)});
    heap_.push(TimerEntry{when, id});
    if (heap_.size() > 2 * timers_.size() + kCompactSlack) compact_heap();
    return id;
  }

  void cancel_timer(TimerId id) override { timers_.erase(id); }

  void on_idle(std::function<void()> fn) override { idle_hooks_.push_back(std::move(fn)); }

  void post(std::function<void()> fn) override {
    {
      std::lock_guard lock(posted_mu_);
      posted_.push_back(std::move(fn));
    }
    wake();
  }

  void stop() override {
    stop_requested_.store(true, std::memory_order_relaxed);
    wake();
  }

  Result<void> run() override;

  TimePoint now() const override { return now_; }

 private:
  void wake() {
    std::uint64_t one = 1;
    // eventfd writes are async-signal-safe; a full counter still wakes the loop.
    [[maybe_unused]] auto n = ::write(wakefd_, &one, sizeof one);
  }

  Result<void> set_events(int fd, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    if (epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) != 0) {
      return fail("epoll", std::string("epoll_ctl mod: ") + std::strerror(errno));
    }
    return {};
  }

  // Cancelled timers stay in the heap until they surface; when they dominate it, rebuild it
  // from the live ones (connections re-arm their expiry timer on every packet).
  void compact_heap() {
    std::vector<TimerEntry> live;
    live.reserve(timers_.size());
    for (const auto& [id, t] : timers_) live.push_back(TimerEntry{t.when, id});
    heap_ = decltype(heap_)(std::greater<>(), std::move(live));
  }

  int next_timeout_ms() {
    while (!heap_.empty() && !timers_.contains(heap_.top().id)) heap_.pop();
    if (heap_.empty()) return -1;
    auto delta = heap_.top().when - Clock::now();
    if (delta <= Clock::duration::zero()) return 0;
    // Round up so that we never wake before the deadline and spin.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(delta).count();
    return ms > 60'000 ? 60'000 : static_cast<int>(ms);
  }

  void run_due_timers() {
    while (!heap_.empty() && heap_.top().when <= now_) {
      TimerId id = heap_.top().id;
      heap_.pop();
      auto it = timers_.find(id);
      if (it == timers_.end()) continue;
      auto fn = std::move(it->second.fn);
      timers_.erase(it);
      fn();
      if (stop_requested_.load(std::memory_order_relaxed)) return;
    }
  }

  void run_idle_hooks() {
    for (std::size_t i = 0; i < idle_hooks_.size(); ++i) idle_hooks_[i]();
  }

  void run_posted() {
    std::uint64_t counter = 0;
    [[maybe_unused]] auto n = ::read(wakefd_, &counter, sizeof counter);
    std::vector<std::function<void()>> batch;
    {
      std::lock_guard lock(posted_mu_);
      batch.swap(posted_);
    }
    for (auto& fn : batch) fn();
  }

  void dispatch(const epoll_event& ev) {
    int fd = ev.data.fd;
    if (fd == wakefd_) {
      run_posted();
      return;
    }
    if ((ev.events & EPOLLOUT) != 0) {
      auto it = watches_.find(fd);
      if (it != watches_.end() && it->second.on_writable) {
        auto fn = std::move(it->second.on_writable);
        it->second.on_writable = nullptr;
        (void)set_events(fd, EPOLLIN);
        fn();
      }
    }
    if ((ev.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) {
      auto it = watches_.find(fd);  // a previous callback may have unwatched it
      if (it != watches_.end() && it->second.on_readable) {
        auto fn = it->second.on_readable;  // copy: the callback may unwatch itself
        fn();
      }
    }
  }

  int epfd_;
  int wakefd_;
  TimePoint now_;
  std::unordered_map<int, Watch> watches_;
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> heap_;
  struct Timer {
    TimePoint when;
    std::function<void()> fn;
  };
  static constexpr std::size_t kCompactSlack = 4096;
  std::unordered_map<TimerId, Timer> timers_;
  TimerId last_timer_id_ = 0;
  std::vector<std::function<void()>> idle_hooks_;
  std::mutex posted_mu_;
  std::vector<std::function<void()>> posted_;
  std::atomic<bool> stop_requested_{false};
};

Result<void> EpollLoop::run() {
  constexpr int kMaxEvents = 128;
  epoll_event events[kMaxEvents];
  // Idle hooks run before every sleep: after each batch of events, and also for work queued
  // before run() was entered.
  while (true) {
    run_idle_hooks();
    if (stop_requested_.load(std::memory_order_relaxed)) break;
    int n = epoll_wait(epfd_, events, kMaxEvents, next_timeout_ms());
    if (n < 0 && errno != EINTR)
      return fail("epoll", std::string("epoll_wait: ") + std::strerror(errno));
    now_ = Clock::now();
    for (int i = 0; i < n && !stop_requested_.load(std::memory_order_relaxed); ++i)
      dispatch(events[i]);
    if (!stop_requested_.load(std::memory_order_relaxed)) run_due_timers();
  }
  // Reset here, not on entry, so that a stop() that raced ahead of run() is not lost.
  stop_requested_.store(false, std::memory_order_relaxed);
  return {};
}

}  // namespace

Result<std::unique_ptr<EventLoop>> EventLoop::create() {
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return fail("epoll", std::string("epoll_create1: ") + std::strerror(errno));
  int wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakefd < 0) {
    ::close(epfd);
    return fail("epoll", std::string("eventfd: ") + std::strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wakefd;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, wakefd, &ev) != 0) {
    ::close(wakefd);
    ::close(epfd);
    return fail("epoll", std::string("epoll_ctl wakefd: ") + std::strerror(errno));
  }
  return std::unique_ptr<EventLoop>(new EpollLoop(epfd, wakefd));
}

}  // namespace qc::io
