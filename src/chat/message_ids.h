// Conversations and the ids of their messages. A conversation is "all" (broadcast), or the direct
// conversation of two accounts, "d:<lower id>:<higher id>" (account ids never change, names may).
// Every accepted message gets the next sequence number of its conversation; the epoch changes
// only if a sequence could restart (a server without a message store restarting), so (epoch, id)
// ascends per conversation. The store of the history issue implements the same interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace qc::chat {

std::string direct_conv(std::uint64_t account_a, std::uint64_t account_b);

class MessageSequencer {
 public:
  virtual ~MessageSequencer() = default;
  virtual std::uint64_t epoch() const = 0;
  virtual std::uint64_t next(std::string_view conv) = 0;  // 1, 2, 3, ... per conversation
};

// Sequences in memory: they restart with the process, so each run has its own epoch.
class MemorySequencer final : public MessageSequencer {
 public:
  explicit MemorySequencer(std::uint64_t epoch) : epoch_(epoch) {}
  std::uint64_t epoch() const override { return epoch_; }
  std::uint64_t next(std::string_view conv) override;

 private:
  std::uint64_t epoch_;
  std::unordered_map<std::string, std::uint64_t> last_;
};

}  // namespace qc::chat
