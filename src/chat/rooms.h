// The rooms, in memory: loaded from the store at start (CoreConfig::rooms), changed by join,
// leave, topic and remove. Pure bookkeeping: who may do what is decided by the caller
// (v2_rooms.cc), which stores every change. Keys are room names in ASCII lower case ("#team").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chat/history.h"

namespace qc::chat {

inline constexpr std::size_t kMaxRoomNameChars = 32;  // after the '#'

// "#Team" -> "#team"; nullopt unless '#' + 1..32 of [A-Za-z0-9_.-].
std::optional<std::string> room_key(std::string_view name);

struct Room {
  std::string key;   // "#team"
  std::string name;  // as created: "#Team"
  std::string topic;
  std::uint64_t op_id = 0;  // the creator: sets the topic, removes members
  std::string op;
  std::map<std::uint64_t, std::string> members;  // account id -> name
  bool has(std::uint64_t account) const { return members.count(account) != 0; }
};

class RoomTable {
 public:
  RoomTable() = default;
  explicit RoomTable(const std::vector<history::StoredRoom>& stored);

  const Room* find(std::string_view key) const;
  std::size_t size() const { return rooms_.size(); }
  std::size_t rooms_of(std::uint64_t account) const;  // how many rooms the account is in
  std::vector<const Room*> all() const;               // by key

  // Each returns false (and changes nothing) where it does not apply: create of an existing
  // key, add of a member, remove of a non-member, a change to a missing room.
  bool create(std::string key, std::string name, std::uint64_t op_id, std::string op);
  bool erase(std::string_view key);
  bool add(std::string_view key, std::uint64_t account, std::string name);
  bool remove(std::string_view key, std::uint64_t account);
  bool set_topic(std::string_view key, std::string topic);
  bool set_op(std::string_view key, std::uint64_t op_id, std::string op);  // the store's creator

 private:
  Room* find_mutable(std::string_view key);
  void left_a_room(std::uint64_t account);
  std::map<std::string, Room, std::less<>> rooms_;
  std::unordered_map<std::uint64_t, std::size_t> count_by_account_;
};

}  // namespace qc::chat
