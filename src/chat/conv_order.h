// Delivery order across the nodes of a cluster, per conversation: every message is delivered
// here once, in id order, with no gap. Ids come from the store in commit order (dense: 1, 2, 3,
// ...), but the messages reach this node by two ways that race (this node's own commits, and the
// bus from the others) and the bus may lose some (Redis pub/sub is at most once). So a message
// that comes before the one it follows is held; a hole not filled within `bound` is read from the
// store (the caller asks, after the last id delivered, and offers what it read); a message at or
// below the last id delivered is a duplicate. Where a conversation starts here: the end of the
// first page read of it for a session (start_at), else the first message seen (this node's
// sessions had the ones before in their login catch-up or history).
// Pure bookkeeping: the caller delivers what offer() and repaired() return, in that order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "chat/types.h"

namespace qc::chat {

template <class Item>
class ConvOrder {
 public:
  struct Gap {  // read `conv` from the store after `after`
    std::string conv;
    std::uint64_t after = 0;
  };
  struct Stats {
    std::uint64_t duplicates = 0;
    std::uint64_t held = 0;     // messages that came early (held until their predecessors)
    std::uint64_t skipped = 0;  // holes passed over: the store no longer had them
  };

  explicit ConvOrder(Duration bound) : bound_(bound) {}

  // Message `id` of `conv`: the items to deliver now, in id order (the offered one first), or none
  // (held, or a duplicate).
  std::vector<Item> offer(const std::string& conv, std::uint64_t id, Item item, TimePoint now) {
    Conv& c = convs_[conv];
    if (!c.started) {
      c.started = true;
      c.last = id - 1;
    }
    if (id <= c.last || c.early.count(id) != 0) {
      ++stats_.duplicates;
      return {};
    }
    if (id != c.last + 1) {
      ++stats_.held;
      c.early.emplace(id, std::move(item));
      if (!c.hole_since) open_hole(conv, c, now);
      return {};
    }
    std::vector<Item> ready;
    ready.push_back(std::move(item));
    c.last = id;
    release(conv, c, ready, now);
    return ready;
  }

  // A page read from the store (a login catch-up, a joined room) ends at `last`: where a
  // conversation not seen yet starts, so that the next message is not taken for its start.
  void start_at(const std::string& conv, std::uint64_t last) {
    Conv& c = convs_[conv];
    if (c.started) return;
    c.started = true;
    c.last = last;
  }

  // The holes whose bound has passed and that no read is repairing yet: each is now being repaired
  // (until repaired()).
  std::vector<Gap> due(TimePoint now) {
    std::vector<Gap> gaps;
    for (auto it = holes_.begin(); it != holes_.end();) {
      Conv& c = convs_[*it];
      if (*c.hole_since + bound_ > now) {
        ++it;
        continue;
      }
      start_repair(c);
      gaps.push_back(Gap{*it, c.last});
      it = holes_.erase(it);
    }
    return gaps;
  }
  // Every conversation known here, to read after its last id (the bus lost what was published
  // while it was down, and no later message may come to show the hole). Those already being
  // repaired are left out.
  std::vector<Gap> everything() {
    std::vector<Gap> gaps;
    for (auto& [conv, c] : convs_) {
      if (c.repairing) continue;
      start_repair(c);
      holes_.erase(conv);
      gaps.push_back(Gap{conv, c.last});
    }
    return gaps;
  }
  // The read of `conv` is done and what it found was offered. The hole it was asked for, if still
  // there, is one the store does not have (retention deleted it, or the read failed): it is passed
  // over and the messages held after it are returned, in order. A hole that opened while the read
  // was in flight waits for its own bound.
  std::vector<Item> repaired(const std::string& conv, TimePoint now) {
    std::vector<Item> ready;
    auto it = convs_.find(conv);
    if (it == convs_.end()) return ready;
    Conv& c = it->second;
    c.repairing = false;
    if (c.early.empty()) return ready;
    if (c.repair_for != c.hole_serial) {
      holes_.insert(conv);
      return ready;
    }
    ++stats_.skipped;
    c.last = c.early.begin()->first - 1;
    release(conv, c, ready, now);
    return ready;
  }

  std::optional<TimePoint> next_deadline() const {
    std::optional<TimePoint> next;
    for (const std::string& conv : holes_) {
      const TimePoint at = *convs_.at(conv).hole_since + bound_;
      if (!next || at < *next) next = at;
    }
    return next;
  }
  std::uint64_t last_delivered(const std::string& conv) const {
    auto it = convs_.find(conv);
    return it == convs_.end() ? 0 : it->second.last;
  }
  std::size_t held() const {
    std::size_t n = 0;
    for (const auto& [conv, c] : convs_) n += c.early.size();
    return n;
  }
  const Stats& stats() const { return stats_; }

 private:
  struct Conv {
    bool started = false;
    std::uint64_t last = 0;  // the last id delivered
    std::map<std::uint64_t, Item> early;
    std::optional<TimePoint> hole_since;  // when the hole before early's first was noticed
    bool repairing = false;               // a read of the hole is in flight
    std::uint64_t hole_serial = 0;        // counts the holes opened
    std::uint64_t repair_for = 0;         // the hole the read in flight is for (0: none)
  };

  void start_repair(Conv& c) {
    c.repairing = true;
    c.repair_for = c.early.empty() ? 0 : c.hole_serial;
  }

  // Moves the held items that now follow `last` to `ready`; a hole left opens again.
  void release(const std::string& conv, Conv& c, std::vector<Item>& ready, TimePoint now) {
    while (!c.early.empty() && c.early.begin()->first == c.last + 1) {
      ready.push_back(std::move(c.early.begin()->second));
      c.early.erase(c.early.begin());
      ++c.last;
    }
    c.hole_since.reset();
    holes_.erase(conv);
    if (!c.early.empty()) open_hole(conv, c, now);
  }
  void open_hole(const std::string& conv, Conv& c, TimePoint now) {
    c.hole_since = now;
    ++c.hole_serial;
    if (!c.repairing) holes_.insert(conv);
  }

  Duration bound_;
  std::unordered_map<std::string, Conv> convs_;
  std::set<std::string> holes_;  // conversations with a hole and no read in flight
  Stats stats_;
};

}  // namespace qc::chat
