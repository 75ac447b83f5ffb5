// A cluster's v1 user ids (docs/PROTOCOL.md, "In a cluster"): unique in the cluster and never
// reused, because each node takes them in blocks from one counter in Redis; and each one is above
// every id this node has issued or heard of, so that a newcomer is listed last on every node. A
// block whose next id is not above that is skipped; with no usable id a login waits for a block.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

namespace qc::chat {

class V1Ids {
 public:
  static constexpr std::uint64_t kBlock = 64;

  // The next id, above every one seen; nullopt: a block must be asked for first.
  std::optional<std::uint64_t> take() {
    const std::uint64_t id = std::max(next_, highest_ + 1);
    if (id >= end_) return std::nullopt;
    next_ = id + 1;
    highest_ = id;
    return id;
  }
  void saw(std::uint64_t id) { highest_ = std::max(highest_, id); }
  void granted(std::uint64_t first, std::uint64_t count) {
    next_ = first;
    end_ = first + count;
  }
  // The bus came Up again: Redis may have lost the counter, and a block it gives now may overlap
  // this one's rest (the next block's floor is the highest id this node knows).
  void drop_block() { next_ = end_ = 0; }
  std::uint64_t highest() const { return highest_; }
  bool asked = false;  // a block was asked for and not yet granted

 private:
  std::uint64_t next_ = 0;
  std::uint64_t end_ = 0;
  std::uint64_t highest_ = 0;
};

}  // namespace qc::chat
