#include "chat/limits.h"

#include <algorithm>

namespace qc::chat {

double TokenBucket::refilled(const RateLimit& rate, TimePoint now) const {
  if (now <= last_) return tokens_;
  const double seconds = std::chrono::duration<double>(now - last_).count();
  return std::min(rate.burst, tokens_ + seconds * rate.per_second);
}

bool TokenBucket::take(const RateLimit& rate, TimePoint now) {
  if (!rate.enabled()) return true;
  tokens_ = refilled(rate, now);
  last_ = std::max(last_, now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

void TokenBucket::refund(const RateLimit& rate) { tokens_ = std::min(rate.burst, tokens_ + 1.0); }

bool TokenBucket::full(const RateLimit& rate, TimePoint now) const {
  return refilled(rate, now) >= rate.burst;
}

bool KeyedBuckets::take(std::string_view key, TimePoint now) {
  if (!rate_.enabled()) return true;
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= prune_at_) prune(now);
    it = buckets_.emplace(std::string(key), TokenBucket(rate_, now)).first;
  }
  return it->second.take(rate_, now);
}

void KeyedBuckets::refund(std::string_view key) {
  auto it = buckets_.find(std::string(key));
  if (it != buckets_.end()) it->second.refund(rate_);
}

void KeyedBuckets::prune(TimePoint now) {
  std::erase_if(buckets_, [&](const auto& entry) { return entry.second.full(rate_, now); });
  prune_at_ = std::max(kMinPruneSize, 2 * buckets_.size());
}

std::string_view address_without_port(std::string_view peer) {
  if (peer.starts_with('[')) {
    const std::size_t close = peer.find(']');
    return close == std::string_view::npos ? peer : peer.substr(1, close - 1);
  }
  const std::size_t colon = peer.rfind(':');
  if (colon == std::string_view::npos || peer.find(':') != colon) return peer;
  return peer.substr(0, colon);
}

}  // namespace qc::chat
