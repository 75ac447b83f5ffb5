#include "chat/recent_sends.h"

namespace qc::chat {

void RecentSends::expire(PerAccount& a, TimePoint now) {
  while (!a.order.empty()) {
    auto it = a.by_cid.find(a.order.front());
    const bool stale =
        it == a.by_cid.end() || now - it->second.at >= window_ || a.order.size() > max_;
    if (!stale) return;
    if (it != a.by_cid.end()) a.by_cid.erase(it);
    a.order.pop_front();
  }
}

const proto::v2::Ack* RecentSends::find(std::uint64_t account, std::string_view cid,
                                        TimePoint now) {
  auto a = accounts_.find(account);
  if (a == accounts_.end()) return nullptr;
  expire(a->second, now);
  auto it = a->second.by_cid.find(std::string(cid));
  return it == a->second.by_cid.end() ? nullptr : &it->second.ack;
}

void RecentSends::remember(std::uint64_t account, const proto::v2::Ack& ack, TimePoint now) {
  if (ack.cid.empty() || max_ == 0) return;
  PerAccount& a = accounts_[account];
  auto [it, inserted] = a.by_cid.insert_or_assign(ack.cid, Entry{now, ack});
  if (inserted) a.order.push_back(ack.cid);
  expire(a, now);
}

std::size_t RecentSends::size() const {
  std::size_t n = 0;
  for (const auto& [id, a] : accounts_) n += a.by_cid.size();
  return n;
}

}  // namespace qc::chat
