// The terminal client's input syntax in protocol v2 (command.h): names, rooms, history and the
// current conversation. Pure: no I/O, no session state (the current conversation comes in).
#include <string>

#include "client/command.h"
#include "client/command_text.h"

namespace qc::client {
namespace {

using text::parse_id;
using text::same_ignoring_case;
using text::split_word;
using text::trim;
using ParseResult = Result<Command, std::string>;

constexpr std::size_t kMaxRoomNameChars = 32;
constexpr std::uint64_t kMaxHistoryCount = 100'000;

Unexpected<std::string> refuse(std::string_view line) { return {std::string(line)}; }

Result<std::vector<std::string>, std::string> parse_names(std::string_view targets) {
  std::vector<std::string> names;
  while (true) {
    std::size_t comma = targets.find(',');
    std::string_view target = trim(targets.substr(0, comma));
    if (parse_id(target)) return refuse(errors::kV2NoIds);
    if (target.size() < 2 || target.front() != '@') return refuse(errors::kV2BadFormat);
    names.emplace_back(target.substr(1));
    if (comma == std::string_view::npos) return names;
    targets.remove_prefix(comma + 1);
  }
}

std::optional<Conversation> parse_conversation(std::string_view word) {
  if (word == "0") return Conversation{Conversation::Kind::Broadcast, {}};
  if (valid_room_name(word)) return Conversation{Conversation::Kind::Room, std::string(word)};
  if (word.size() >= 2 && word.front() == '@' && word.find(',') == std::string_view::npos) {
    return Conversation{Conversation::Kind::User, std::string(word.substr(1))};
  }
  return std::nullopt;
}

std::string usage(std::string_view syntax) { return "Usage: " + std::string(syntax); }

// `#room` alone, for /join, /leave, /members.
Result<std::string, std::string> one_room(std::string_view args, std::string_view syntax) {
  auto [room, rest] = split_word(args);
  if (room.empty() || !rest.empty()) return refuse(usage(syntax));
  if (!valid_room_name(room)) return refuse(errors::kBadRoomName);
  return std::string(room);
}

ParseResult parse_topic(std::string_view args) {
  auto [room, topic] = split_word(args);
  if (room.empty()) return refuse(usage("/topic #room [text | -]"));
  if (!valid_room_name(room)) return refuse(errors::kBadRoomName);
  TopicCmd cmd{std::string(room), std::nullopt};
  if (topic == "-") {
    cmd.topic = "";
  } else if (!topic.empty()) {
    cmd.topic = std::string(topic);
  }
  return Command{std::move(cmd)};
}

ParseResult parse_remove(std::string_view args) {
  auto [room, rest] = split_word(args);
  auto [user, extra] = split_word(rest);
  if (user.starts_with('@')) user.remove_prefix(1);
  if (room.empty() || user.empty() || !extra.empty()) return refuse(usage("/remove #room name"));
  if (!valid_room_name(room)) return refuse(errors::kBadRoomName);
  return Command{RemoveCmd{std::string(room), std::string(user)}};
}

// /history [#room|@name|0] [N]: the conversation defaults to the current one.
ParseResult parse_history(std::string_view args, const std::optional<Conversation>& current) {
  auto [first, rest] = split_word(args);
  std::optional<Conversation> conv = current;
  std::string_view count = first;
  if (!first.empty() && (first == "0" || !parse_id(first))) {  // 0 is no count: everyone
    conv = parse_conversation(first);
    if (!conv) return refuse(usage("/history [#room|@name|0] [N]"));
    count = rest;
  } else if (!rest.empty()) {
    return refuse(usage("/history [#room|@name|0] [N]"));
  }
  if (!conv) return refuse(errors::kNoConversation);
  std::uint32_t limit = 0;
  if (!count.empty()) {
    auto n = parse_id(count);
    if (!n || *n == 0 || *n > kMaxHistoryCount) return refuse(errors::kBadHistoryCount);
    limit = static_cast<std::uint32_t>(*n);
  }
  return Command{HistoryCmd{std::move(*conv), limit}};
}

ParseResult parse_open(std::string_view args) {
  auto [word, rest] = split_word(args);
  auto conv = rest.empty() ? parse_conversation(word) : std::nullopt;
  if (!conv) return refuse(usage("/open #room | /open @name | /open 0"));
  return Command{OpenCmd{std::move(conv)}};
}

template <class Cmd>
ParseResult room_command(std::string_view args, std::string_view syntax) {
  auto room = one_room(args, syntax);
  if (!room) return refuse(room.error());
  return Command{Cmd{std::move(*room)}};
}

std::optional<ParseResult> slash_command_v2(std::string_view line,
                                            const std::optional<Conversation>& current) {
  auto [name, args] = split_word(line);
  if (name == "/join") return room_command<JoinCmd>(args, "/join #room");
  if (name == "/leave") return room_command<LeaveCmd>(args, "/leave #room");
  if (name == "/members") return room_command<MembersCmd>(args, "/members #room");
  if (name == "/topic") return parse_topic(args);
  if (name == "/remove") return parse_remove(args);
  if (name == "/history") return parse_history(args, current);
  if (name == "/open") return parse_open(args);
  if (name == "/rooms" && args.empty()) return Command{RoomsCmd{}};
  if (name == "/close" && args.empty()) return Command{OpenCmd{std::nullopt}};
  if (name == "/more" && args.empty()) return Command{MoreCmd{}};
  if (name == "/passwd" && args.empty()) return Command{PasswdCmd{}};
  if (name == "/passwd") return refuse(errors::kPasswdUsage);  // passwords never on the line
  return std::nullopt;
}

// `targets: text`; nullopt when `targets` is no address (the line may be text for `current`).
std::optional<ParseResult> addressed(std::string_view targets, std::string text) {
  if (targets == "0") {
    if (text.empty()) return refuse(errors::kEmptyBroadcast);
    return Command{BroadcastCmd{std::move(text)}};
  }
  if (targets.starts_with('#') && valid_room_name(targets)) {
    if (text.empty()) return refuse(errors::kEmptyMessage);
    return Command{RoomSendCmd{std::string(targets), std::move(text)}};
  }
  if (!targets.starts_with('@')) return std::nullopt;
  auto names = parse_names(targets);
  if (!names) return refuse(names.error());
  if (text.empty()) return refuse(errors::kEmptyMessage);
  return Command{NamesCmd{std::move(*names), std::move(text)}};
}

// The refusal of an unaddressed line when no conversation is open (as before rooms).
ParseResult refuse_unaddressed(std::string_view targets) {
  if (parse_id(targets)) return refuse(errors::kV2NoIds);
  if (targets.starts_with('#')) return refuse(errors::kBadRoomName);
  return refuse(errors::kV2BadFormat);
}

}  // namespace

bool valid_room_name(std::string_view room) {
  if (room.size() < 2 || room.size() > kMaxRoomNameChars + 1 || room.front() != '#') return false;
  for (char c : room.substr(1)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Command send_to_conversation(const Conversation& conv, std::string text) {
  switch (conv.kind) {
    case Conversation::Kind::Room:
      return RoomSendCmd{conv.name, std::move(text)};
    case Conversation::Kind::User:
      return NamesCmd{{conv.name}, std::move(text)};
    case Conversation::Kind::Broadcast:
      break;
  }
  return BroadcastCmd{std::move(text)};
}

ParseResult parse_command_v2(std::string_view line, const std::optional<Conversation>& current) {
  std::string_view trimmed = trim(line);
  if (same_ignoring_case(trimmed, "logout")) return Command{LogoutCmd{}};
  if (auto cmd = slash_command(trimmed)) return *cmd;
  if (trimmed.starts_with("//") && current) {
    return send_to_conversation(*current, std::string(trimmed.substr(1)));
  }
  if (trimmed.starts_with('/')) {
    if (auto cmd = slash_command_v2(trimmed, current)) return *cmd;
    return refuse("Unknown command " + std::string(split_word(trimmed).first) +
                  ". /help lists the commands.");
  }
  const std::size_t colon = line.find(':');
  const std::string_view targets =
      colon == std::string_view::npos ? std::string_view{} : trim(line.substr(0, colon));
  if (colon != std::string_view::npos) {
    if (auto cmd = addressed(targets, std::string(trim(line.substr(colon + 1))))) return *cmd;
  }
  if (current && !trimmed.empty()) return send_to_conversation(*current, std::string(trimmed));
  if (current) return refuse(errors::kEmptyMessage);
  return refuse_unaddressed(targets);
}

std::vector<std::string> help_lines_v2() {
  return {
      "0: text              send to everyone",
      "@name: text          send to a user by name",
      "@a,@b: text          send to users a and b",
      "#room: text          send to a room (you must have joined it)",
      "/join #room          join a room (created if there is none: you are its operator)",
      "/leave #room         leave a room",
      "/rooms               list the rooms (members, topic, operator)",
      "/topic #room [text]  show the topic, set it (operator), or clear it with -",
      "/members #room       list a room's members and who of them is online",
      "/remove #room name   remove a member (operator)",
      "/history [conv] [N]  the last N messages of #room, @name or 0 (default: the open one)",
      "/more                the page of history before the last one shown",
      "/open #room|@name|0  make it the current conversation: a line without an address goes there",
      "/close               no current conversation",
      "//text               send \"/text\" to the current conversation",
      "/passwd              change your password (asks for the old one, then the new one twice)",
      "/who                 list who is online",
      "/rebind              move to a new local port (the session continues)",
      "/help                this text",
      "logout or /quit      log out and exit",
  };
}

}  // namespace qc::client
