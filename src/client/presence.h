// The active users as the server last reported them (LOGIN_ACK, LOGIN_BROADCAST,
// LOGOUT_BROADCAST each carry the whole list), so names resolve to session ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/codec.h"

namespace qc::client {

class Presence {
 public:
  void replace(proto::UserList users) { users_ = std::move(users); }
  void clear() { users_.clear(); }
  const proto::UserList& users() const { return users_; }

  // The most recently logged-in user of that name (names are unique among active users).
  std::optional<std::uint64_t> find_id(std::string_view name) const {
    for (auto it = users_.rbegin(); it != users_.rend(); ++it) {
      if (it->username == name) return it->user_id;
    }
    return std::nullopt;
  }
  std::optional<std::string> find_name(std::uint64_t id) const {
    for (const auto& u : users_) {
      if (u.user_id == id) return u.username;
    }
    return std::nullopt;
  }

 private:
  proto::UserList users_;
};

}  // namespace qc::client
