// What the nodes of a cluster tell each other over the bus (cluster/bus.h carries them as opaque
// payloads): one JSON object per event, its "t" naming the kind (docs/ARCHITECTURE.md, "The
// cluster's events", gives an example of each). Pure data, as proto/v2/frames.h.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "proto/v2/frames.h"

namespace qc::proto::bus {

enum class ConvKind : std::uint8_t { Direct, Room, Broadcast };

// A message another node stored: every node delivers it to its own sessions of the conversation.
// {"t":"msg","kind":"direct","conv":"d:1:2","id":7,"epoch":1,"ts":1700000000000,"from":"alice",
//  "to":["bob"],"text":"hi","cid":"c-1","from_id":1,"to_id":2,"v1_from":5,"v1_many":true}
struct Msg {
  ConvKind kind = ConvKind::Direct;
  v2::Msg msg;                // the cid is the sender's (its own other devices get it)
  std::uint64_t from_id = 0;  // the sender's account
  std::uint64_t to_id = 0;    // direct: the recipient's account (msg.to names it)
  std::uint64_t v1_from = 0;  // the sender's v1 user id (what v1 deliveries show; 0: unknown)
  bool v1_many = false;       // a v1 ONE_TO_MANY: v1 recipients get it as one
  friend bool operator==(const Msg&, const Msg&) = default;
};

// An account's first session on the origin node opened (online) or its last closed.
// {"t":"presence","user":"alice","id":1,"state":"online","v1_id":7} ("offline": its last
// session closed). `v1_id`: the v1 user id the origin gave the account (v1 lists show it).
struct Presence {
  std::string user;
  std::uint64_t id = 0;
  bool online = false;
  std::uint64_t v1_id = 0;
  friend bool operator==(const Presence&, const Presence&) = default;
};

// A room change the origin node committed. `change` is one of the room_event names: "join" (with
// `created`, the room is new and `user` its operator), "leave", "remove" (by the operator `by`),
// "topic" (set by `by`).
// {"t":"room","change":"join","room":"#Team","user":"bob","user_id":2,"created":true}
struct Room {
  std::string change;
  std::string room;  // as created: "#Team"
  std::string user;
  std::uint64_t user_id = 0;
  std::string by;
  std::string topic;
  bool created = false;
  friend bool operator==(const Room&, const Room&) = default;
};

// Every node closes the account's sessions: kicked, password changed, account deleted.
// {"t":"end_sessions","user":"alice","code":8,"reason":"kicked by the operator"}
struct EndSessions {
  std::string user;
  std::uint64_t code = 0;  // proto::CloseCode
  std::string reason;
  friend bool operator==(const EndSessions&, const EndSessions&) = default;
};

using Event = std::variant<Msg, Presence, Room, EndSessions>;

std::string_view conv_kind_name(ConvKind kind);   // "direct", "room", "broadcast"
std::string_view event_name(const Event& event);  // the "t" member

}  // namespace qc::proto::bus
