#include "chat/message_ids.h"

#include <algorithm>

namespace qc::chat {

std::string direct_conv(std::uint64_t account_a, std::uint64_t account_b) {
  const auto [low, high] = std::minmax(account_a, account_b);
  return "d:" + std::to_string(low) + ":" + std::to_string(high);
}

std::uint64_t MemorySequencer::next(std::string_view conv) {
  auto it = last_.find(std::string(conv));
  if (it == last_.end()) it = last_.emplace(std::string(conv), 0).first;
  return ++it->second;
}

}  // namespace qc::chat
