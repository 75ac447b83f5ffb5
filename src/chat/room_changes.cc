#include "chat/room_changes.h"

#include <set>

namespace qc::chat {
namespace {

void members_only_in(const Room& room, const Room* other, RoomChange::Kind kind,
                     std::vector<RoomChange>& out) {
  for (const auto& [account, name] : room.members)
    if (other == nullptr || !other->has(account))
      out.push_back(RoomChange{kind, room.key, account, name, {}});
}

}  // namespace

std::vector<RoomChange> room_changes(const RoomTable& before, const RoomTable& after) {
  std::set<std::string> keys;
  for (const auto* table : {&before, &after})
    for (const Room* room : table->all()) keys.insert(room->key);
  std::vector<RoomChange> out;
  for (const std::string& key : keys) {
    const Room* was = before.find(key);
    const Room* now = after.find(key);
    if (was != nullptr) members_only_in(*was, now, RoomChange::Kind::Leave, out);
    if (now != nullptr) members_only_in(*now, was, RoomChange::Kind::Join, out);
    if (now != nullptr && now->topic != (was != nullptr ? was->topic : std::string()))
      out.push_back(RoomChange{RoomChange::Kind::Topic, key, 0, {}, now->topic});
  }
  return out;
}

std::string_view change_name(RoomChange::Kind kind) {
  switch (kind) {
    case RoomChange::Kind::Join:
      return "join";
    case RoomChange::Kind::Leave:
      return "leave";
    case RoomChange::Kind::Topic:
      break;
  }
  return "topic";
}

}  // namespace qc::chat
