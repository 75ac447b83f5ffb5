#include "cluster/node_tracker.h"

#include <algorithm>

namespace qc::cluster {

ScanResult NodeTracker::scan(const std::vector<std::string>& members,
                             const std::vector<bool>& has_key, bool in_grace) {
  ScanResult result;
  std::set<std::string> alive;
  std::set<std::string> listed;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const std::string& node = members[i];
    if (node == self_) continue;
    listed.insert(node);
    if (i < has_key.size() && has_key[i]) {
      alive.insert(node);
      if (!known_.contains(node)) result.up.push_back(node);
    } else {
      result.stale.push_back(node);
      result.down.push_back(node);  // listed without a heartbeat: dead, known to us or not
    }
  }
  std::set<std::string> next = alive;
  for (const std::string& node : known_) {
    if (alive.contains(node) || listed.contains(node)) continue;
    if (in_grace)
      next.insert(node);  // not reported either way until the grace ends
    else
      result.down.push_back(node);
  }
  std::sort(result.down.begin(), result.down.end());
  known_ = std::move(next);
  result.alive.assign(alive.begin(), alive.end());
  return result;
}

}  // namespace qc::cluster
