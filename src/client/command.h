// The terminal client's input syntax, parsed without I/O. The seed's syntax and its exact
// local error messages, plus extensions: @name addressing, /who, /help, /rebind, /quit.
//   0: text          broadcast          N: text        one-to-one
//   N,M: text        one-to-many        @bob: text     one-to-one by name (also @bob,@cam,3)
//   logout | /quit   log out and exit
// In protocol v2 (parse_command_v2, command_v2.cc) users are names only: `@bob: text`,
// `@bob,@cam: text`, `0: text`; a number is refused with a line that says to use @name. v2 adds
// rooms (`#team: text`, /join, /leave, /rooms, /topic, /members, /remove), /history, a
// current conversation (/open, /close) that a line without an address goes to, and /passwd
// (refused in v1 with a sentence).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/result.h"

namespace qc::client {

struct BroadcastCmd {
  std::string text;
  friend bool operator==(const BroadcastCmd&, const BroadcastCmd&) = default;
};
struct DirectCmd {
  std::uint64_t target = 0;
  std::string text;
  friend bool operator==(const DirectCmd&, const DirectCmd&) = default;
};
struct ManyCmd {
  std::vector<std::uint64_t> targets;
  std::string text;
  friend bool operator==(const ManyCmd&, const ManyCmd&) = default;
};
struct NamesCmd {  // v2: to each named account
  std::vector<std::string> names;
  std::string text;
  friend bool operator==(const NamesCmd&, const NamesCmd&) = default;
};
struct LogoutCmd {
  friend bool operator==(const LogoutCmd&, const LogoutCmd&) = default;
};
struct WhoCmd {
  friend bool operator==(const WhoCmd&, const WhoCmd&) = default;
};
struct HelpCmd {
  friend bool operator==(const HelpCmd&, const HelpCmd&) = default;
};
struct RebindCmd {
  friend bool operator==(const RebindCmd&, const RebindCmd&) = default;
};

// --- v2 -------------------------------------------------------------------------------------
// A conversation as the user names it: `0` (broadcast), `#team` (a room), `@bob` (direct).
struct Conversation {
  enum class Kind : std::uint8_t { Broadcast, Room, User };
  Kind kind = Kind::Broadcast;
  std::string name;  // "#team" as typed, "bob" (no '@'), empty for broadcast
  friend bool operator==(const Conversation&, const Conversation&) = default;
};
struct RoomSendCmd {  // #team: text
  std::string room;
  std::string text;
  friend bool operator==(const RoomSendCmd&, const RoomSendCmd&) = default;
};
struct JoinCmd {
  std::string room;
  friend bool operator==(const JoinCmd&, const JoinCmd&) = default;
};
struct LeaveCmd {
  std::string room;
  friend bool operator==(const LeaveCmd&, const LeaveCmd&) = default;
};
struct RoomsCmd {
  friend bool operator==(const RoomsCmd&, const RoomsCmd&) = default;
};
struct TopicCmd {  // /topic #team (show), /topic #team text (set), /topic #team - (clear)
  std::string room;
  std::optional<std::string> topic;  // nullopt: show it; "": clear it
  friend bool operator==(const TopicCmd&, const TopicCmd&) = default;
};
struct MembersCmd {
  std::string room;
  friend bool operator==(const MembersCmd&, const MembersCmd&) = default;
};
struct RemoveCmd {
  std::string room;
  std::string user;
  friend bool operator==(const RemoveCmd&, const RemoveCmd&) = default;
};
struct HistoryCmd {
  Conversation conv;
  std::uint32_t limit = 0;  // 0: the server's default
  friend bool operator==(const HistoryCmd&, const HistoryCmd&) = default;
};
struct MoreCmd {  // /more: the page of history before the last one shown
  friend bool operator==(const MoreCmd&, const MoreCmd&) = default;
};
struct PasswdCmd {  // /passwd: the client asks for the old password and the new one twice
  friend bool operator==(const PasswdCmd&, const PasswdCmd&) = default;
};
struct OpenCmd {  // /open #team, /open @bob, /open 0; /close: nullopt
  std::optional<Conversation> conv;
  friend bool operator==(const OpenCmd&, const OpenCmd&) = default;
};

using Command =
    std::variant<BroadcastCmd, DirectCmd, ManyCmd, LogoutCmd, WhoCmd, HelpCmd, RebindCmd, NamesCmd,
                 RoomSendCmd, JoinCmd, LeaveCmd, RoomsCmd, TopicCmd, MembersCmd, RemoveCmd,
                 HistoryCmd, MoreCmd, OpenCmd, PasswdCmd>;

// Resolves "@name" targets (the session's presence list); nullopt for an unknown name.
using NameResolver = std::function<std::optional<std::uint64_t>(std::string_view)>;

namespace errors {
inline constexpr std::string_view kEmptyBroadcast = "Message cannot be empty for broadcast.";
inline constexpr std::string_view kEmptyMessage = "Message cannot be empty.";
inline constexpr std::string_view kBadUserId = "Invalid user ID. User ID must be an integer.";
inline constexpr std::string_view kBadUserIds =
    "Invalid user IDs. User IDs must be integers separated by commas.";
inline constexpr std::string_view kBadFormat =
    "Invalid input format. Use 'user_id: message' for direct messages, 'user_id,user_id: "
    "message' for one-to-many messages, or '0: message' for broadcast.";
inline constexpr std::string_view kV2BadFormat =
    "Invalid input format. Use '@name: message' for direct messages, '@name,@name: message' for "
    "one-to-many messages, or '0: message' for broadcast.";
inline constexpr std::string_view kV2NoIds =
    "Session ids are not used with this server: address users as @name (see /who).";
inline constexpr std::string_view kBadRoomName =
    "Invalid room name. A room is # and 1 to 32 letters, digits, '_', '.' or '-' (#team).";
inline constexpr std::string_view kNoConversation =
    "No conversation open: name one (#room or @name), or /open one first.";
inline constexpr std::string_view kPasswdNeedsV2 =
    "/passwd needs protocol v2; this session uses protocol 1 (chosen by the server, or by "
    "--max-version 1 or --alpn echo-protocol).";
inline constexpr std::string_view kPasswdUsage =
    "Usage: /passwd (the client asks for the passwords: they never go on the command line)";
inline constexpr std::string_view kBadHistoryCount =
    "Invalid count. Use /history [#room|@name] [N] with N a number from 1 to 100000.";
}  // namespace errors

// "Unknown user 'zed'. Use /who to list active users."
std::string unknown_user_error(std::string_view name);

// A Command, or the exact local error line to print.
Result<Command, std::string> parse_command(std::string_view line, const NameResolver& resolve);

// A line typed while the client reconnects is held and parsed only after the new login, so
// "@name" resolves against the new presence list and "0:" needs no id. A numeric id is a v1
// session id, handed out afresh when the server restarts: the same number may now be someone
// else. So a held line that names any recipient by id is refused with the error line to print
// (which repeats the line); everything else parses as parse_command does.
Result<Command, std::string> parse_held_command(std::string_view line, const NameResolver& resolve);

// The v1 slash commands every protocol has: /who, /help, /rebind, /quit.
std::optional<Command> slash_command(std::string_view line);

// '#' and 1..32 of [A-Za-z0-9_.-] (the server checks the same).
bool valid_room_name(std::string_view room);

// v2: a command, or the local error line to print. Names are not checked against the online
// list (an offline account is a valid recipient). A line that is not a command and has no
// address (`0:`, `@name:`, `#room:`) is text for `current` (sent as one message there); with
// no current conversation it is refused as before. `//text` sends "/text" that way.
Result<Command, std::string> parse_command_v2(std::string_view line,
                                              const std::optional<Conversation>& current = {});
// The command a line of text for `conv` makes.
Command send_to_conversation(const Conversation& conv, std::string text);

// The /help text, one line per entry (v1's, or v2's with names only).
std::vector<std::string> help_lines();
std::vector<std::string> help_lines_v2();

}  // namespace qc::client
