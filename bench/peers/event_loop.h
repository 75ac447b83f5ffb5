// One epoll loop on one thread: every connection of a peer-bench run lives on it.
#pragma once

#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <functional>

namespace qc::peers {

class Pollable {
 public:
  virtual ~Pollable() = default;
  virtual void on_events(std::uint32_t events) = 0;
};

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void add(int fd, std::uint32_t events, Pollable* owner);
  void modify(int fd, std::uint32_t events, Pollable* owner);
  void remove(int fd);

  // Runs until done() holds (true) or the timeout passes (false); after() runs after each
  // batch of events, where a scenario queues what the events allow and flushes once.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                 const std::function<void()>& after = {});

 private:
  int epoll_fd_ = -1;
};

}  // namespace qc::peers
