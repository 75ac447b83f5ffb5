#include "chat/presence_feed.h"

#include <unordered_map>

#include "chat/presence.h"

namespace qc::chat {

void PresenceFeed::changed(std::string_view name, bool online) {
  log_.push_back(Change{std::string(name), online});
}

proto::v2::Presence PresenceFeed::changes() const {
  struct Net {
    bool before;  // the state at the last flush
    bool after;
    std::string name;
  };
  std::unordered_map<std::string, std::size_t> index;
  std::vector<Net> nets;
  for (const Change& c : log_) {
    auto [it, first] = index.try_emplace(name_key(c.name), nets.size());
    if (first) nets.push_back(Net{!c.online, c.online, c.name});
    Net& n = nets[it->second];
    n.after = c.online;
    n.name = c.name;
  }
  proto::v2::Presence out;
  for (const Net& n : nets) {
    if (n.before == n.after) continue;
    (n.after ? out.joined : out.left).push_back(n.name);
  }
  return out;
}

std::vector<std::string> PresenceFeed::flushed_online() const {
  std::vector<std::string> names;
  names.reserve(online_.size());
  for (const auto& [key, name] : online_) names.push_back(name);
  return names;
}

void PresenceFeed::flush() {
  if (log_.empty()) return;
  for (const Change& c : log_) {
    if (c.online)
      online_.insert_or_assign(name_key(c.name), c.name);
    else
      online_.erase(name_key(c.name));
  }
  log_.clear();
  ++generation_;
}

}  // namespace qc::chat
