// The client message ids (cid) an account used recently, with the acknowledgement each got: a
// send repeated with the same cid within the window (a retry after a reconnect) is acknowledged
// again with the original ids and delivered only once. Bounded by age and by count per account.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "chat/types.h"
#include "proto/v2/frames.h"

namespace qc::chat {

class RecentSends {
 public:
  RecentSends(Duration window, std::size_t max_per_account)
      : window_(window), max_(max_per_account) {}

  // The acknowledgement `cid` got, if it was used within the window.
  const proto::v2::Ack* find(std::uint64_t account, std::string_view cid, TimePoint now);
  void remember(std::uint64_t account, const proto::v2::Ack& ack, TimePoint now);
  std::size_t size() const;

 private:
  struct Entry {
    TimePoint at;
    proto::v2::Ack ack;
  };
  struct PerAccount {
    std::unordered_map<std::string, Entry> by_cid;
    std::deque<std::string> order;  // oldest first
  };
  void expire(PerAccount& a, TimePoint now);

  Duration window_;
  std::size_t max_;
  std::unordered_map<std::uint64_t, PerAccount> accounts_;
};

}  // namespace qc::chat
