// The core's store requests in flight (action::Store, action::ReadStore): what to do with each
// answer, by ticket. Every ticket is answered exactly once (Core::stored / Core::read_done), also
// when the session that asked has gone, so a continuation looks its session up again.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "chat/history.h"

namespace qc::chat {

class PendingStores {
 public:
  using OnStored = std::function<void(std::vector<history::OpResult>&)>;
  using OnRead = std::function<void(history::ReadResult&)>;

  std::uint64_t add_write(OnStored then);  // returns the ticket
  std::uint64_t add_read(OnRead then);
  // The continuation of `ticket`, removed; empty for a ticket that is not (or no longer) known.
  OnStored take_write(std::uint64_t ticket);
  OnRead take_read(std::uint64_t ticket);
  std::size_t size() const { return writes_.size() + reads_.size(); }

 private:
  std::uint64_t next_ = 1;
  std::unordered_map<std::uint64_t, OnStored> writes_;
  std::unordered_map<std::uint64_t, OnRead> reads_;
};

// The typed error a store failure is answered with (v2 error codes) and its sentence.
struct StoreRefusal {
  std::string_view code;
  std::string text;
};
StoreRefusal store_refusal(const history::OpResult& result);
StoreRefusal read_refusal(const history::ReadResult& result);

}  // namespace qc::chat
