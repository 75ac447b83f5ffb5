// Rate limits as pure functions of a time argument: a token bucket, a map of buckets keyed by
// address or account name (bounded by pruning full buckets), and the peer-address helper.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "chat/types.h"

namespace qc::chat {

class TokenBucket {
 public:
  TokenBucket(const RateLimit& rate, TimePoint now) : tokens_(rate.burst), last_(now) {}
  // Takes one token if there is one (true); a disabled limit always grants.
  bool take(const RateLimit& rate, TimePoint now);
  // Gives one token back (up to the burst): for an attempt that turned out to be legitimate.
  void refund(const RateLimit& rate);
  // True if the bucket would be full at `now` (then it carries no information and can go).
  bool full(const RateLimit& rate, TimePoint now) const;

 private:
  double refilled(const RateLimit& rate, TimePoint now) const;
  double tokens_;
  TimePoint last_;
};

// One bucket per key, created full on first use. Full buckets are dropped when the map has
// doubled since the last sweep, so memory follows the keys active within one refill period.
class KeyedBuckets {
 public:
  explicit KeyedBuckets(RateLimit rate) : rate_(rate) {}
  bool take(std::string_view key, TimePoint now);
  void refund(std::string_view key);  // no-op for a key without a bucket
  // A new rate for every bucket from now on (a bucket over the new burst is capped at its next
  // take).
  void set_rate(RateLimit rate) { rate_ = rate; }
  std::size_t size() const { return buckets_.size(); }

 private:
  void prune(TimePoint now);
  RateLimit rate_;
  std::unordered_map<std::string, TokenBucket> buckets_;
  std::size_t prune_at_ = kMinPruneSize;
  static constexpr std::size_t kMinPruneSize = 1024;
};

// "127.0.0.1:5555" -> "127.0.0.1", "[::1]:5555" -> "::1"; anything else unchanged.
std::string_view address_without_port(std::string_view peer);

}  // namespace qc::chat
