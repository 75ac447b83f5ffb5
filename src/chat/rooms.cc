#include "chat/rooms.h"

#include <algorithm>

namespace qc::chat {
namespace {

bool room_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

}  // namespace

std::optional<std::string> room_key(std::string_view name) {
  if (name.size() < 2 || name.size() > kMaxRoomNameChars + 1 || name.front() != '#')
    return std::nullopt;
  if (!std::all_of(name.begin() + 1, name.end(), room_char)) return std::nullopt;
  std::string key(name);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

RoomTable::RoomTable(const std::vector<history::StoredRoom>& stored) {
  for (const history::StoredRoom& r : stored) {
    create(r.key, r.name, r.op_id, r.op);
    set_topic(r.key, r.topic);
    for (std::size_t i = 0; i < r.members.size(); ++i)
      add(r.key, r.members[i], i < r.member_names.size() ? r.member_names[i] : std::string());
  }
}

const Room* RoomTable::find(std::string_view key) const {
  auto it = rooms_.find(key);
  return it == rooms_.end() ? nullptr : &it->second;
}

Room* RoomTable::find_mutable(std::string_view key) {
  auto it = rooms_.find(key);
  return it == rooms_.end() ? nullptr : &it->second;
}

std::size_t RoomTable::rooms_of(std::uint64_t account) const {
  auto it = count_by_account_.find(account);
  return it == count_by_account_.end() ? 0 : it->second;
}

std::vector<const Room*> RoomTable::all() const {
  std::vector<const Room*> out;
  out.reserve(rooms_.size());
  for (const auto& [key, room] : rooms_) out.push_back(&room);
  return out;
}

bool RoomTable::create(std::string key, std::string name, std::uint64_t op_id, std::string op) {
  if (rooms_.count(key) != 0) return false;
  Room room{key, std::move(name), {}, op_id, std::move(op), {}};
  rooms_.emplace(std::move(key), std::move(room));
  return true;
}

bool RoomTable::erase(std::string_view key) {
  auto it = rooms_.find(key);
  if (it == rooms_.end()) return false;
  for (const auto& [account, name] : it->second.members) left_a_room(account);
  rooms_.erase(it);
  return true;
}

bool RoomTable::add(std::string_view key, std::uint64_t account, std::string name) {
  Room* room = find_mutable(key);
  if (room == nullptr || !room->members.emplace(account, std::move(name)).second) return false;
  ++count_by_account_[account];
  return true;
}

bool RoomTable::remove(std::string_view key, std::uint64_t account) {
  Room* room = find_mutable(key);
  if (room == nullptr || room->members.erase(account) == 0) return false;
  left_a_room(account);
  return true;
}

void RoomTable::left_a_room(std::uint64_t account) {
  auto it = count_by_account_.find(account);
  if (it != count_by_account_.end() && --it->second == 0) count_by_account_.erase(it);
}

bool RoomTable::set_op(std::string_view key, std::uint64_t op_id, std::string op) {
  Room* room = find_mutable(key);
  if (room == nullptr) return false;
  room->op_id = op_id;
  room->op = std::move(op);
  return true;
}

bool RoomTable::set_topic(std::string_view key, std::string topic) {
  Room* room = find_mutable(key);
  if (room == nullptr) return false;
  room->topic = std::move(topic);
  return true;
}

}  // namespace qc::chat
