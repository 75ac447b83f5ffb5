#include "chat/room_changes.h"

#include <gtest/gtest.h>

namespace qc::chat {
namespace {

history::StoredRoom stored(std::string key, std::string topic,
                           std::vector<std::pair<std::uint64_t, std::string>> members) {
  history::StoredRoom r{key, key, std::move(topic), 1, "alice", {}, {}};
  for (auto& [id, name] : members) {
    r.members.push_back(id);
    r.member_names.push_back(name);
  }
  return r;
}

std::vector<std::string> described(const std::vector<RoomChange>& changes) {
  std::vector<std::string> out;
  for (const RoomChange& c : changes)
    out.push_back(c.key + " " + std::string(change_name(c.kind)) + " " +
                  (c.kind == RoomChange::Kind::Topic ? c.topic : c.user));
  return out;
}

TEST(RoomChanges, NoneBetweenEqualTables) {
  const RoomTable t({stored("#a", "x", {{1, "alice"}, {2, "bob"}})});
  EXPECT_TRUE(room_changes(t, t).empty());
}

TEST(RoomChanges, MembersGoneThenComeThenTheTopicRoomByRoom) {
  const RoomTable before(
      {stored("#a", "old", {{1, "alice"}, {2, "bob"}}), stored("#gone", "", {{3, "cam"}})});
  const RoomTable after(
      {stored("#a", "new", {{1, "alice"}, {4, "dora"}}), stored("#b", "hi", {{2, "bob"}})});
  EXPECT_EQ(described(room_changes(before, after)),
            (std::vector<std::string>{"#a leave bob", "#a join dora", "#a topic new", "#b join bob",
                                      "#b topic hi", "#gone leave cam"}));
}

TEST(RoomChanges, CarryTheMembersAccountIds) {
  const RoomTable before({stored("#a", "", {{1, "alice"}})});
  const RoomTable after({stored("#a", "", {{7, "gil"}})});
  const auto changes = room_changes(before, after);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].account, 1u);
  EXPECT_EQ(changes[1].account, 7u);
}

}  // namespace
}  // namespace qc::chat
