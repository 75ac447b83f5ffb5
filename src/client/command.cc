#include "client/command.h"

#include "client/command_text.h"

namespace qc::client {
namespace {

using text::parse_id;
using text::same_ignoring_case;
using text::trim;

using TargetResult = Result<std::uint64_t, std::string>;

// One target: digits, or "@name" resolved through the presence list.
TargetResult parse_target(std::string_view text, std::string_view bad_id_error,
                          const NameResolver& resolve) {
  if (text.size() > 1 && text.front() == '@') {
    std::string_view name = text.substr(1);
    std::optional<std::uint64_t> id = resolve ? resolve(name) : std::nullopt;
    if (!id) return Unexpected<std::string>{unknown_user_error(name)};
    return *id;
  }
  if (auto id = parse_id(text)) return *id;
  return Unexpected<std::string>{std::string(bad_id_error)};
}

Result<Command, std::string> parse_many(std::string_view targets, std::string text,
                                        const NameResolver& resolve) {
  ManyCmd cmd{{}, std::move(text)};
  while (true) {
    std::size_t comma = targets.find(',');
    auto id = parse_target(targets.substr(0, comma), errors::kBadUserIds, resolve);
    if (!id) return Unexpected<std::string>{id.error()};
    cmd.targets.push_back(*id);
    if (comma == std::string_view::npos) break;
    targets.remove_prefix(comma + 1);
  }
  return Command{std::move(cmd)};
}

// The target list of a line parse_command accepted as one-to-one or one-to-many.
bool names_a_recipient_by_id(std::string_view line) {
  std::string_view targets = line.substr(0, line.find(':'));
  while (true) {
    std::size_t comma = targets.find(',');
    if (!trim(targets.substr(0, comma)).starts_with('@')) return true;
    if (comma == std::string_view::npos) return false;
    targets.remove_prefix(comma + 1);
  }
}

}  // namespace

std::optional<Command> slash_command(std::string_view line) {
  if (line == "/who") return WhoCmd{};
  if (line == "/help") return HelpCmd{};
  if (line == "/rebind") return RebindCmd{};
  if (line == "/quit") return LogoutCmd{};
  return std::nullopt;
}

std::string unknown_user_error(std::string_view name) {
  return "Unknown user '" + std::string(name) + "'. Use /who to list active users.";
}

Result<Command, std::string> parse_command(std::string_view line, const NameResolver& resolve) {
  std::string_view trimmed = trim(line);
  if (same_ignoring_case(trimmed, "logout")) return Command{LogoutCmd{}};
  if (auto cmd = slash_command(trimmed)) return *cmd;
  if (text::split_word(trimmed).first == "/passwd")
    return Unexpected<std::string>{std::string(errors::kPasswdNeedsV2)};
  if (line.starts_with("0:")) {
    std::string_view text = trim(line.substr(2));
    if (text.empty()) return Unexpected<std::string>{std::string(errors::kEmptyBroadcast)};
    return Command{BroadcastCmd{std::string(text)}};
  }
  // Only the first ':' separates the targets; the message keeps any further colons.
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos)
    return Unexpected<std::string>{std::string(errors::kBadFormat)};
  std::string_view targets = trim(line.substr(0, colon));
  std::string text(trim(line.substr(colon + 1)));
  if (text.empty()) return Unexpected<std::string>{std::string(errors::kEmptyMessage)};
  if (targets.find(',') != std::string_view::npos)
    return parse_many(targets, std::move(text), resolve);
  auto id = parse_target(targets, errors::kBadUserId, resolve);
  if (!id) return Unexpected<std::string>{id.error()};
  if (*id == 0) return Command{BroadcastCmd{std::move(text)}};
  return Command{DirectCmd{*id, std::move(text)}};
}

Result<Command, std::string> parse_held_command(std::string_view line,
                                                const NameResolver& resolve) {
  auto command = parse_command(line, resolve);
  if (!command) return command;
  const bool addressed =
      std::holds_alternative<DirectCmd>(*command) || std::holds_alternative<ManyCmd>(*command);
  if (addressed && names_a_recipient_by_id(line)) {
    // Written out rather than format_local_error(): the fuzz target builds this file alone.
    return Unexpected<std::string>{
        "[Err] Not sent (session ids change when the server restarts; send again): " +
        std::string(line)};
  }
  return command;
}

std::vector<std::string> help_lines() {
  return {
      "0: text              send to everyone",
      "N: text              send to user N (see /who for ids)",
      "N,M: text            send to users N and M",
      "@name: text          send to a user by name (also @a,@b: text)",
      "/who                 list active users",
      "/rebind              move to a new local port (the session continues)",
      "/help                this text",
      "logout or /quit      log out and exit",
  };
}

}  // namespace qc::client
