// What changed in the rooms between two tables: the one a node kept and the one the store has now
// (a cluster's node whose bus was down missed the other nodes' room events; on Up it reads the
// rooms again and tells its sessions what they missed). Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chat/rooms.h"

namespace qc::chat {

struct RoomChange {
  enum class Kind { Join, Leave, Topic };
  Kind kind = Kind::Join;
  std::string key;
  std::uint64_t account = 0;  // Join, Leave: the member
  std::string user;           // Join, Leave: the member's name
  std::string topic;          // Topic: the new one
};

// Room by room (by key): the members gone (a room gone: all of its members), then those come (a
// new room: all of its members), then the topic when it differs.
std::vector<RoomChange> room_changes(const RoomTable& before, const RoomTable& after);

std::string_view change_name(RoomChange::Kind kind);  // "join", "leave", "topic"

}  // namespace qc::chat
