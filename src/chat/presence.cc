#include "chat/presence.h"

#include <algorithm>

namespace qc::chat {
namespace {

auto lower_bound_id(const std::vector<Member>& members, std::uint64_t user_id) {
  return std::lower_bound(members.begin(), members.end(), user_id,
                          [](const Member& m, std::uint64_t id) { return m.user_id < id; });
}

}  // namespace

std::uint64_t Presence::add(std::string_view username, ConnHandle conn) {
  const std::uint64_t id = next_id_++;
  members_.push_back(Member{id, std::string(username), conn});
  names_.emplace(username);
  return id;
}

bool Presence::remove(std::uint64_t user_id) {
  auto it = lower_bound_id(members_, user_id);
  if (it == members_.end() || it->user_id != user_id) return false;
  names_.erase(it->username);
  members_.erase(it);
  return true;
}

const Member* Presence::find(std::uint64_t user_id) const {
  auto it = lower_bound_id(members_, user_id);
  return it != members_.end() && it->user_id == user_id ? &*it : nullptr;
}

bool Presence::contains_name(std::string_view username) const {
  return names_.find(username) != names_.end();
}

proto::UserList Presence::user_list() const {
  proto::UserList list;
  list.reserve(members_.size());
  for (const Member& m : members_) list.push_back(proto::UserEntry{m.user_id, m.username});
  return list;
}

}  // namespace qc::chat
