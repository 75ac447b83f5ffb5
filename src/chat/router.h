// Delivery resolution: which active users a ONE_TO_ONE / ONE_TO_MANY / BROADCAST reaches, and which
// MSG_UNSUCCESSFUL errors the sender gets for the rest.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "chat/presence.h"

namespace qc::chat {

inline constexpr std::string_view kTargetUnavailable = "Target user not available";

struct Routing {
  std::vector<ConnHandle> recipients;   // every session of each account, in request order
  std::vector<const Member*> accounts;  // distinct, in request order
  std::vector<std::string> errors;      // for the sender, in request order
};

// "Invalid target user id 'x'"
std::string invalid_target_error(std::string_view token);

// "Message too long for bob, cam (their client takes at most N bytes per message)"; after five
// names "... and K more". `limit`: the smallest of their clients' limits, in PDU bytes.
std::string too_long_for_error(const std::vector<std::string>& names, std::size_t limit);

// A cluster's other nodes' accounts by their v1 ids (no sessions here): targets too.
using RemoteMembers = std::map<std::uint64_t, Member>;

// One target id: a string of digits (surrounding spaces allowed).
Routing route_one(const Presence& presence, std::string_view target_user_id,
                  const RemoteMembers* remote = nullptr);

// Every active user, in login order.
Routing route_everyone(const Presence& presence);

// Comma-separated ids: each bad token gets an error, each distinct missing id one error,
// each distinct active id one delivery.
Routing route_many(const Presence& presence, std::string_view target_user_ids,
                   const RemoteMembers* remote = nullptr);

}  // namespace qc::chat
