#include "bench/peers/event_loop.h"

#include <unistd.h>

#include <array>
#include <cerrno>

#include "bench/load/proc.h"

namespace qc::peers {

EventLoop::EventLoop() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {}

EventLoop::~EventLoop() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

void EventLoop::add(int fd, std::uint32_t events, Pollable* owner) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = owner;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
}

void EventLoop::modify(int fd, std::uint32_t events, Pollable* owner) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = owner;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::remove(int fd) { epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

bool EventLoop::run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                          const std::function<void()>& after) {
  const std::int64_t deadline = bench::now_ns() + timeout.count() * 1'000'000;
  std::array<epoll_event, 1024> events{};
  for (;;) {
    if (after) after();
    if (done()) return true;
    const std::int64_t left_ms = (deadline - bench::now_ns()) / 1'000'000;
    if (left_ms < 0) return false;
    const int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                             static_cast<int>(std::min<std::int64_t>(left_ms + 1, 50)));
    if (n < 0 && errno != EINTR) return false;
    for (int i = 0; i < n; ++i)
      static_cast<Pollable*>(events[i].data.ptr)->on_events(events[i].events);
  }
}

}  // namespace qc::peers
