// The registry of online accounts. An account is online while it has at least one session (v2
// devices, or one v1 session). While online it holds a v1 user id from a counter that is never
// reused (what v1 user lists show and v1 clients address); accounts are kept in the order they
// came online, so ids ascend. Names are found case-insensitively (ASCII lower case).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chat/types.h"
#include "proto/codec.h"

namespace qc::chat {

// "Alice" -> "alice": the key account names are compared by (names are ASCII).
std::string name_key(std::string_view name);

struct Member {
  std::uint64_t user_id = 0;      // the v1 id while online
  std::string username;           // as the account stores it
  std::uint64_t account_id = 0;   // immutable internal id (0: unknown, e.g. in unit tests)
  std::vector<ConnHandle> conns;  // its sessions, oldest first
};

class Presence {
 public:
  struct Added {
    std::uint64_t user_id = 0;
    bool came_online = false;  // the account's first session
  };
  // Adds a session of `username`'s account. `v1_id`: the id an account coming online gets (a
  // cluster's, above every id given before); 0: the next of this registry's own counter.
  Added add(std::string_view username, ConnHandle conn, std::uint64_t account_id = 0,
            std::uint64_t v1_id = 0);
  // Whether adding a session of `username` brings its account online.
  bool comes_online(std::string_view username) const { return !contains_name(username); }
  // Removes a session; true when it was the account's last (the account went offline).
  bool remove(std::uint64_t user_id, ConnHandle conn);

  const Member* find(std::uint64_t user_id) const;
  const Member* find_name(std::string_view username) const;    // case-insensitive
  const Member* find_account(std::uint64_t account_id) const;  // nullptr for 0
  bool contains_name(std::string_view username) const { return find_name(username) != nullptr; }

  const std::vector<Member>& members() const { return members_; }
  std::size_t size() const { return members_.size(); }  // accounts online
  std::size_t sessions() const { return sessions_; }
  proto::UserList user_list() const;

 private:
  std::vector<Member> members_;  // the order they came online, so ids ascend
  std::unordered_map<std::string, std::uint64_t> ids_by_key_;
  std::unordered_map<std::uint64_t, std::uint64_t> ids_by_account_;  // account id -> v1 id
  std::uint64_t next_id_ = 1;
  std::size_t sessions_ = 0;
};

}  // namespace qc::chat
