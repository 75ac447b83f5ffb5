#include "client/resume_book.h"

#include <algorithm>

namespace qc::client {
namespace {
// Ids remembered above the floor per conversation; older ones fold into the floor (a copy that
// old coming again would be dropped even if it was never shown: ids only ascend, so it cannot).
constexpr std::size_t kRememberedIds = 4096;
}  // namespace

ResumeBook::ResumeBook(ResumeState loaded) : state_(std::move(loaded)) {
  for (const auto& [conv, id] : state_.seen) seen_[conv].floor = id;
}

void ResumeBook::restart_epoch(std::uint64_t epoch) {
  if (state_.epoch != 0) {
    seen_.clear();
    state_.seen.clear();
    read_.clear();
  }
  state_.epoch = epoch;
  dirty_ = true;
}

bool ResumeBook::accept(const std::string& conv, std::uint64_t id, std::uint64_t epoch) {
  if (epoch != 0 && epoch != state_.epoch) restart_epoch(epoch);
  Seen& seen = seen_[conv];
  if (id <= seen.floor || !seen.above.insert(id).second) return false;
  if (seen.above.size() > kRememberedIds) {
    seen.floor = *seen.above.begin();
    seen.above.erase(seen.above.begin());
  }
  std::uint64_t& last = state_.seen[conv];
  last = std::max(last, id);
  std::uint64_t& shown = to_read_[conv];
  shown = std::max(shown, id);
  ++unread_[conv];
  dirty_ = true;
  return true;
}

std::vector<proto::v2::Since> ResumeBook::since() const {
  std::vector<proto::v2::Since> out;
  for (const auto& [conv, id] : state_.seen) out.push_back({conv, id});
  return out;
}

void ResumeBook::sending(const OutgoingSend& send) {
  answered(send.cid);
  OutgoingSend kept = send;
  kept.rid = 0;
  state_.unacked.push_back(std::move(kept));
  dirty_ = true;
}

void ResumeBook::answered(std::string_view cid) {
  const auto removed =
      std::erase_if(state_.unacked, [cid](const OutgoingSend& s) { return s.cid == cid; });
  if (removed > 0) dirty_ = true;
}

std::vector<proto::v2::Since> ResumeBook::take_reads() {
  std::vector<proto::v2::Since> out;
  for (const auto& [conv, id] : to_read_) {
    std::uint64_t& read = read_[conv];
    if (id > read) {
      out.push_back({conv, id});
      read = id;
    }
    unread_[conv] = 0;
  }
  to_read_.clear();
  return out;
}

void ResumeBook::cursor(const std::string& conv, std::uint64_t id) {
  std::uint64_t& read = read_[conv];
  read = std::max(read, id);
  if (auto it = to_read_.find(conv); it != to_read_.end() && it->second <= read) {
    to_read_.erase(it);
  }
  const auto last = state_.seen.find(conv);
  const std::uint64_t latest = last == state_.seen.end() ? 0 : last->second;
  unread_[conv] = latest > read ? std::min(unread_[conv], latest - read) : 0;
}

void ResumeBook::set_unread(const std::vector<UnreadCount>& counts) {
  unread_.clear();
  for (const auto& u : counts) unread_[u.conv] = u.count;
}

std::uint64_t ResumeBook::unread(const std::string& conv) const {
  auto it = unread_.find(conv);
  return it == unread_.end() ? 0 : it->second;
}

}  // namespace qc::client
