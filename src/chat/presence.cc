#include "chat/presence.h"

#include <algorithm>

namespace qc::chat {
namespace {

auto lower_bound_id(const std::vector<Member>& members, std::uint64_t user_id) {
  return std::lower_bound(members.begin(), members.end(), user_id,
                          [](const Member& m, std::uint64_t id) { return m.user_id < id; });
}

}  // namespace

std::string name_key(std::string_view name) {
  std::string key(name);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

Presence::Added Presence::add(std::string_view username, ConnHandle conn, std::uint64_t account_id,
                              std::uint64_t v1_id) {
  ++sessions_;
  if (v1_id != 0) next_id_ = std::max(next_id_, v1_id);
  auto [it, inserted] = ids_by_key_.try_emplace(name_key(username), next_id_);
  if (!inserted) {
    auto member = lower_bound_id(members_, it->second);
    members_[static_cast<std::size_t>(member - members_.begin())].conns.push_back(conn);
    return Added{it->second, false};
  }
  members_.push_back(Member{next_id_, std::string(username), account_id, {conn}});
  if (account_id != 0) ids_by_account_.emplace(account_id, next_id_);
  return Added{next_id_++, true};
}

bool Presence::remove(std::uint64_t user_id, ConnHandle conn) {
  auto it = lower_bound_id(members_, user_id);
  if (it == members_.end() || it->user_id != user_id) return false;
  auto& conns = members_[static_cast<std::size_t>(it - members_.begin())].conns;
  const auto session = std::find(conns.begin(), conns.end(), conn);
  if (session == conns.end()) return false;
  conns.erase(session);
  --sessions_;
  if (!conns.empty()) return false;
  ids_by_key_.erase(name_key(it->username));
  if (it->account_id != 0) ids_by_account_.erase(it->account_id);
  members_.erase(it);
  return true;
}

const Member* Presence::find(std::uint64_t user_id) const {
  auto it = lower_bound_id(members_, user_id);
  return it != members_.end() && it->user_id == user_id ? &*it : nullptr;
}

const Member* Presence::find_name(std::string_view username) const {
  auto it = ids_by_key_.find(name_key(username));
  return it == ids_by_key_.end() ? nullptr : find(it->second);
}

const Member* Presence::find_account(std::uint64_t account_id) const {
  if (account_id == 0) return nullptr;
  auto it = ids_by_account_.find(account_id);
  return it == ids_by_account_.end() ? nullptr : find(it->second);
}

proto::UserList Presence::user_list() const {
  proto::UserList list;
  list.reserve(members_.size());
  for (const Member& m : members_) list.push_back(proto::UserEntry{m.user_id, m.username});
  return list;
}

}  // namespace qc::chat
