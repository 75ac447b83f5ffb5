// v2 presence as events: accounts going online and offline are logged as they happen and sent
// out together at the next flush (one frame per v2 session per flush, however many changed), as
// the net change since the last flush: an account that left and came back in between is not
// mentioned. A session that logs in gets the state as of the last flush (one encoding shared by
// every login until the next flush) and then the same changes as everyone else.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proto/v2/frames.h"

namespace qc::chat {

class PresenceFeed {
 public:
  void changed(std::string_view name, bool online);
  bool pending() const { return !log_.empty(); }
  // The net changes since the last flush, names in the order they first changed.
  proto::v2::Presence changes() const;
  // Who was online at the last flush, sorted by name key.
  std::vector<std::string> flushed_online() const;
  // Applies the logged changes to the flushed state and empties the log. Bumps generation().
  void flush();
  // Changes each time the flushed state changes (the key of a cached snapshot encoding).
  std::uint64_t generation() const { return generation_; }

 private:
  struct Change {
    std::string name;
    bool online;
  };
  std::vector<Change> log_;
  std::map<std::string, std::string> online_;  // name key -> name, as of the last flush
  std::uint64_t generation_ = 0;
};

}  // namespace qc::chat
