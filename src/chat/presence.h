// The ordered registry of active users: login order, ids from a counter that is never reused.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "chat/types.h"
#include "proto/codec.h"

namespace qc::chat {

struct Member {
  std::uint64_t user_id = 0;
  std::string username;
  ConnHandle conn = 0;
};

class Presence {
 public:
  // Appends a user (the name must not be active) and returns its new id.
  std::uint64_t add(std::string_view username, ConnHandle conn);
  bool remove(std::uint64_t user_id);

  const Member* find(std::uint64_t user_id) const;
  bool contains_name(std::string_view username) const;

  const std::vector<Member>& members() const { return members_; }
  std::size_t size() const { return members_.size(); }
  proto::UserList user_list() const;

 private:
  std::vector<Member> members_;  // login order, so ids ascend
  std::set<std::string, std::less<>> names_;
  std::uint64_t next_id_ = 1;
};

}  // namespace qc::chat
