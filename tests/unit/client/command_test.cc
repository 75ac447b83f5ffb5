#include "client/command.h"

#include <gtest/gtest.h>

namespace qc::client {
namespace {

std::optional<std::uint64_t> resolve(std::string_view name) {
  if (name == "alice") return 1;
  if (name == "bob") return 2;
  if (name == "cam") return 3;
  return std::nullopt;
}

Command parse_ok(std::string_view line) {
  auto r = parse_command(line, resolve);
  EXPECT_TRUE(r.ok()) << line << " -> " << (r.ok() ? "" : r.error());
  return r.ok() ? *r : Command{HelpCmd{}};
}

std::string parse_error(std::string_view line) {
  auto r = parse_command(line, resolve);
  EXPECT_FALSE(r.ok()) << line;
  return r.ok() ? std::string() : r.error();
}

TEST(ParseCommand, Broadcast) {
  EXPECT_EQ(parse_ok("0: hello"), Command{BroadcastCmd{"hello"}});
  EXPECT_EQ(parse_ok("0:hello"), Command{BroadcastCmd{"hello"}});
  EXPECT_EQ(parse_ok("0:   Good morning: everyone!  "),
            Command{BroadcastCmd{"Good morning: everyone!"}});
}

TEST(ParseCommand, OneToOneKeepsLaterColons) {
  EXPECT_EQ(parse_ok("2: hi"), Command{(DirectCmd{2, "hi"})});
  EXPECT_EQ(parse_ok(" 12 :at 3:30 PM"), Command{(DirectCmd{12, "at 3:30 PM"})});
}

TEST(ParseCommand, OneToMany) {
  EXPECT_EQ(parse_ok("1,3: meet"), Command{(ManyCmd{{1, 3}, "meet"})});
  EXPECT_EQ(parse_ok("1,2,3:x"), Command{(ManyCmd{{1, 2, 3}, "x"})});
}

TEST(ParseCommand, Logout) {
  EXPECT_EQ(parse_ok("logout"), Command{LogoutCmd{}});
  EXPECT_EQ(parse_ok("  LogOut "), Command{LogoutCmd{}});
  EXPECT_EQ(parse_ok("/quit"), Command{LogoutCmd{}});
}

TEST(ParseCommand, SlashCommands) {
  EXPECT_EQ(parse_ok("/who"), Command{WhoCmd{}});
  EXPECT_EQ(parse_ok("/help"), Command{HelpCmd{}});
  EXPECT_EQ(parse_ok(" /rebind "), Command{RebindCmd{}});
}

TEST(ParseCommand, NamesResolveThroughPresence) {
  EXPECT_EQ(parse_ok("@bob: hi"), Command{(DirectCmd{2, "hi"})});
  EXPECT_EQ(parse_ok("@bob,@cam: hi"), Command{(ManyCmd{{2, 3}, "hi"})});
  EXPECT_EQ(parse_ok("@alice,3: hi"), Command{(ManyCmd{{1, 3}, "hi"})});
}

TEST(ParseCommand, UnknownNameError) {
  EXPECT_EQ(parse_error("@zed: hi"), "Unknown user 'zed'. Use /who to list active users.");
  EXPECT_EQ(parse_error("@bob,@zed: hi"), "Unknown user 'zed'. Use /who to list active users.");
  EXPECT_FALSE(parse_command("@bob: hi", nullptr).ok());
}

constexpr std::string_view kIdsChanged =
    "[Err] Not sent (session ids change when the server restarts; send again): ";

TEST(ParseHeldCommand, RefusesEveryLineThatNamesARecipientById) {
  for (std::string_view line : {"2: private note for bob", " 2 : x", "2,3: hi", "@alice,3: hi",
                                "3,@bob: hi", "@bob,0: hi"}) {
    auto r = parse_held_command(line, resolve);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_EQ(r.error(), std::string(kIdsChanged) + std::string(line));
  }
}

TEST(ParseHeldCommand, SendsNamesAndBroadcastsResolvedAfterTheNewLogin) {
  // The resolver is the new session's presence list: bob may now be 5.
  auto after_restart = [](std::string_view name) -> std::optional<std::uint64_t> {
    if (name == "bob") return 5;
    if (name == "cam") return 1;
    return std::nullopt;
  };
  auto held = [&](std::string_view line) {
    auto r = parse_held_command(line, after_restart);
    EXPECT_TRUE(r.ok()) << line << " -> " << (r.ok() ? "" : r.error());
    return r.ok() ? *r : Command{HelpCmd{}};
  };
  EXPECT_EQ(held("@bob: private note for bob"), Command{(DirectCmd{5, "private note for bob"})});
  EXPECT_EQ(held("@bob,@cam: hi"), Command{(ManyCmd{{5, 1}, "hi"})});
  EXPECT_EQ(held("0: hello all"), Command{BroadcastCmd{"hello all"}});
  EXPECT_EQ(held("/who"), Command{WhoCmd{}});
  EXPECT_EQ(held("logout"), Command{LogoutCmd{}});
}

TEST(ParseHeldCommand, OtherErrorsAreTheUsualOnes) {
  EXPECT_EQ(parse_held_command("@zed: hi", resolve).error(), unknown_user_error("zed"));
  EXPECT_EQ(parse_held_command("2:", resolve).error(), errors::kEmptyMessage);
  EXPECT_EQ(parse_held_command("hello", resolve).error(), errors::kBadFormat);
}

TEST(ParseCommand, SeedLocalErrorsVerbatim) {
  EXPECT_EQ(parse_error("0:"), "Message cannot be empty for broadcast.");
  EXPECT_EQ(parse_error("0:   "), "Message cannot be empty for broadcast.");
  EXPECT_EQ(parse_error("2:"), "Message cannot be empty.");
  EXPECT_EQ(parse_error("1,3:  "), "Message cannot be empty.");
  EXPECT_EQ(parse_error("bob: hi"), "Invalid user ID. User ID must be an integer.");
  EXPECT_EQ(parse_error("-1: hi"), "Invalid user ID. User ID must be an integer.");
  EXPECT_EQ(parse_error("99999999999999999999999: hi"),
            "Invalid user ID. User ID must be an integer.");
  EXPECT_EQ(parse_error("@: hi"), "Invalid user ID. User ID must be an integer.");
  EXPECT_EQ(parse_error("1,x: hi"),
            "Invalid user IDs. User IDs must be integers separated by commas.");
  EXPECT_EQ(parse_error("1, 3: hi"),
            "Invalid user IDs. User IDs must be integers separated by commas.");
  EXPECT_EQ(parse_error("1,,3: hi"),
            "Invalid user IDs. User IDs must be integers separated by commas.");
  const std::string format =
      "Invalid input format. Use 'user_id: message' for direct messages, 'user_id,user_id: "
      "message' "
      "for one-to-many messages, or '0: message' for broadcast.";
  EXPECT_EQ(parse_error("hello there"), format);
  EXPECT_EQ(parse_error(""), format);
  EXPECT_EQ(parse_error("/whoami"), format);
}

TEST(ParseCommand, HelpListsTheExtensions) {
  auto lines = help_lines();
  ASSERT_FALSE(lines.empty());
  bool mentions_who = false;
  for (const auto& l : lines) mentions_who = mentions_who || l.find("/who") != std::string::npos;
  EXPECT_TRUE(mentions_who);
}

}  // namespace
}  // namespace qc::client

namespace qc::client {
namespace {

using Names = std::vector<std::string>;

TEST(CommandV2, NamesBroadcastAndSlashCommands) {
  EXPECT_EQ(*parse_command_v2("@bob: hi"), (Command{NamesCmd{Names{"bob"}, "hi"}}));
  EXPECT_EQ(*parse_command_v2(" @bob , @cam : meet: at 3 "),
            (Command{NamesCmd{Names{"bob", "cam"}, "meet: at 3"}}));
  EXPECT_EQ(*parse_command_v2("0: hello"), Command{BroadcastCmd{"hello"}});
  EXPECT_EQ(*parse_command_v2("/who"), Command{WhoCmd{}});
  EXPECT_EQ(*parse_command_v2("LOGOUT"), Command{LogoutCmd{}});
}

TEST(CommandV2, NumbersAreNoLongerIds) {
  EXPECT_EQ(parse_command_v2("2: hi").error(), errors::kV2NoIds);
  EXPECT_EQ(parse_command_v2("@bob,3: hi").error(), errors::kV2NoIds);
  EXPECT_EQ(parse_command_v2("bob: hi").error(), errors::kV2BadFormat);
  EXPECT_EQ(parse_command_v2("hello").error(), errors::kV2BadFormat);
  EXPECT_EQ(parse_command_v2("@: hi").error(), errors::kV2BadFormat);
  EXPECT_EQ(parse_command_v2("@bob:   ").error(), errors::kEmptyMessage);
  EXPECT_EQ(parse_command_v2("0:").error(), errors::kEmptyBroadcast);
}

using Kind = Conversation::Kind;
const Conversation kTeam{Kind::Room, "#team"};
const Conversation kBob{Kind::User, "bob"};

Command v2_ok(std::string_view line, const std::optional<Conversation>& current = {}) {
  auto r = parse_command_v2(line, current);
  EXPECT_TRUE(r.ok()) << line << " -> " << (r.ok() ? "" : r.error());
  return r.ok() ? *r : Command{HelpCmd{}};
}

std::string v2_error(std::string_view line, const std::optional<Conversation>& current = {}) {
  auto r = parse_command_v2(line, current);
  EXPECT_FALSE(r.ok()) << line;
  return r.ok() ? std::string() : r.error();
}

TEST(CommandV2, RoomCommands) {
  EXPECT_EQ(v2_ok("#team: hi: all"), (Command{RoomSendCmd{"#team", "hi: all"}}));
  EXPECT_EQ(v2_ok("/join #Team"), Command{JoinCmd{"#Team"}});
  EXPECT_EQ(v2_ok(" /leave   #team "), Command{LeaveCmd{"#team"}});
  EXPECT_EQ(v2_ok("/rooms"), Command{RoomsCmd{}});
  EXPECT_EQ(v2_ok("/members #a.b-c_d"), Command{MembersCmd{"#a.b-c_d"}});
  EXPECT_EQ(v2_ok("/topic #team"), (Command{TopicCmd{"#team", std::nullopt}}));
  EXPECT_EQ(v2_ok("/topic #team release  friday"), (Command{TopicCmd{"#team", "release  friday"}}));
  EXPECT_EQ(v2_ok("/topic #team -"), (Command{TopicCmd{"#team", ""}}));
  EXPECT_EQ(v2_ok("/remove #team @bob"), (Command{RemoveCmd{"#team", "bob"}}));
  EXPECT_EQ(v2_ok("/remove #team bob"), (Command{RemoveCmd{"#team", "bob"}}));
}

TEST(CommandV2, RoomNamesAreChecked) {
  EXPECT_TRUE(valid_room_name("#" + std::string(32, 'a')));
  EXPECT_FALSE(valid_room_name("#" + std::string(33, 'a')));
  EXPECT_FALSE(valid_room_name("#"));
  EXPECT_FALSE(valid_room_name("team"));
  EXPECT_FALSE(valid_room_name("#te am"));
  EXPECT_FALSE(valid_room_name("#caf\xc3\xa9"));
  EXPECT_EQ(v2_error("/join #no!"), errors::kBadRoomName);
  EXPECT_EQ(v2_error("#no!: hi"), errors::kBadRoomName);
  EXPECT_EQ(v2_error("/join"), "Usage: /join #room");
  EXPECT_EQ(v2_error("/join #a #b"), "Usage: /join #room");
  EXPECT_EQ(v2_error("/remove #team"), "Usage: /remove #room name");
  EXPECT_EQ(v2_error("#team:  "), errors::kEmptyMessage);
  EXPECT_EQ(v2_error("/frobnicate x"), "Unknown command /frobnicate. /help lists the commands.");
}

TEST(CommandV2, History) {
  EXPECT_EQ(v2_ok("/history #team 20"), (Command{HistoryCmd{kTeam, 20}}));
  EXPECT_EQ(v2_ok("/history @bob"), (Command{HistoryCmd{kBob, 0}}));
  EXPECT_EQ(v2_ok("/history 0 5"), (Command{HistoryCmd{{Kind::Broadcast, ""}, 5}}));
  EXPECT_EQ(v2_ok("/history", kTeam), (Command{HistoryCmd{kTeam, 0}}));
  EXPECT_EQ(v2_ok("/history 30", kBob), (Command{HistoryCmd{kBob, 30}}));
  EXPECT_EQ(v2_error("/history"), errors::kNoConversation);
  EXPECT_EQ(v2_error("/history 30"), errors::kNoConversation);
  EXPECT_EQ(v2_error("/history #team 0"), errors::kBadHistoryCount);
  EXPECT_EQ(v2_error("/history #team many"), errors::kBadHistoryCount);
  EXPECT_EQ(v2_error("/history team"), "Usage: /history [#room|@name|0] [N]");
  EXPECT_EQ(v2_ok("/more"), Command{MoreCmd{}});
}

TEST(CommandV2, CurrentConversationTakesUnaddressedLines) {
  EXPECT_EQ(v2_ok("/open #team"), (Command{OpenCmd{kTeam}}));
  EXPECT_EQ(v2_ok("/open @bob"), (Command{OpenCmd{kBob}}));
  EXPECT_EQ(v2_ok("/close"), (Command{OpenCmd{std::nullopt}}));
  EXPECT_EQ(v2_error("/open bob"), "Usage: /open #room | /open @name | /open 0");
  EXPECT_EQ(v2_ok("hello there", kTeam), (Command{RoomSendCmd{"#team", "hello there"}}));
  EXPECT_EQ(v2_ok("10:30 suits me", kBob), (Command{NamesCmd{Names{"bob"}, "10:30 suits me"}}));
  EXPECT_EQ(v2_ok("//me waves", kTeam), (Command{RoomSendCmd{"#team", "/me waves"}}));
  EXPECT_EQ(v2_ok("note: #1 first", {{Kind::Broadcast, ""}}),
            (Command{BroadcastCmd{"note: #1 first"}}));
  // An explicit address still wins over the current conversation.
  EXPECT_EQ(v2_ok("@cam: psst", kTeam), (Command{NamesCmd{Names{"cam"}, "psst"}}));
  EXPECT_EQ(v2_ok("#other: hi", kTeam), (Command{RoomSendCmd{"#other", "hi"}}));
  // No current conversation: refused as before rooms existed.
  EXPECT_EQ(v2_error("hello there"), errors::kV2BadFormat);
  EXPECT_EQ(v2_error("10:30 suits me"), errors::kV2NoIds);
  EXPECT_EQ(v2_error("//me waves"), "Unknown command //me. /help lists the commands.");
}

TEST(CommandV2, PasswdTakesNoArgumentsAndIsRefusedInV1WithASentence) {
  EXPECT_EQ(v2_ok("/passwd"), Command{PasswdCmd{}});
  EXPECT_EQ(v2_ok("  /passwd  "), Command{PasswdCmd{}});
  EXPECT_EQ(v2_error("/passwd hunter2"), errors::kPasswdUsage);  // never on the command line
  EXPECT_EQ(parse_error("/passwd"), errors::kPasswdNeedsV2);
  EXPECT_EQ(parse_error("/passwd old new"), errors::kPasswdNeedsV2);
}

}  // namespace
}  // namespace qc::client
