// Deadlines of all sessions in one min-heap. Entries are invalidated lazily: the core checks an
// entry against its session when it reaches the top (see Core::Impl::settle_deadlines).
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "chat/types.h"

namespace qc::chat {

enum class DeadlineKind : std::uint8_t { KeepAlive, LoginRetry, LoginProbe };

struct Deadline {
  TimePoint at;
  ConnHandle conn = 0;
  std::uint64_t serial = 0;  // the session's serial
  DeadlineKind kind = DeadlineKind::KeepAlive;
};

class DeadlineQueue {
 public:
  void push(const Deadline& d) { heap_.push(d); }
  const Deadline* top() const { return heap_.empty() ? nullptr : &heap_.top(); }
  void pop() { heap_.pop(); }
  std::size_t size() const { return heap_.size(); }

 private:
  struct Later {
    bool operator()(const Deadline& a, const Deadline& b) const { return a.at > b.at; }
  };
  std::priority_queue<Deadline, std::vector<Deadline>, Later> heap_;
};

}  // namespace qc::chat
