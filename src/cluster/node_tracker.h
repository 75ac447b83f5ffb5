// Which other nodes are alive, from one heartbeat scan: the members of the node set and whether
// each one's expiring heartbeat key still exists. Pure: the bus feeds it what Redis answered.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace qc::cluster {

struct ScanResult {
  std::vector<std::string> up;     // alive now, not known before
  std::vector<std::string> down;   // known (or listed) before, heartbeat gone
  std::vector<std::string> stale;  // listed in the node set without a heartbeat: remove them
  std::vector<std::string> alive;  // every other node alive now, sorted
};

class NodeTracker {
 public:
  explicit NodeTracker(std::string self) : self_(std::move(self)) {}

  // members: the node set; has_key[i]: members[i]'s heartbeat key exists. in_grace: the bus came
  // Up less than one expiry ago, so a known node missing from the set altogether (Redis lost its
  // data and that node has not registered again yet) is not reported down yet.
  ScanResult scan(const std::vector<std::string>& members, const std::vector<bool>& has_key,
                  bool in_grace);

  const std::set<std::string>& known() const { return known_; }

 private:
  std::string self_;
  std::set<std::string> known_;  // other nodes reported up and not down since
};

}  // namespace qc::cluster
