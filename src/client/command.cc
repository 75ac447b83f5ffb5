#include "client/command.h"

#include <charconv>

namespace qc::client {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

std::optional<std::uint64_t> parse_id(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return v;
}

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

std::optional<Command> slash_command(std::string_view line) {
  if (line == "/who") return WhoCmd{};
  if (line == "/help") return HelpCmd{};
  if (line == "/rebind") return RebindCmd{};
  if (line == "/quit") return LogoutCmd{};
  return std::nullopt;
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

std::string unknown_user_error(std::string_view name) {
  return "Unknown user '" + std::string(name) + "'. Use /who to list active users.";
}

Result<Command, std::string> parse_command(std::string_view line, const NameResolver& resolve) {
  std::string_view trimmed = trim(line);
  if (equals_ignoring_case(trimmed, "logout")) return Command{LogoutCmd{}};
  if (auto cmd = slash_command(trimmed)) return *cmd;
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
        "[Err] Not sent (user ids change when the server restarts; send again): " +
        std::string(line)};
  }
  return command;
}

namespace {

Result<std::vector<std::string>, std::string> parse_names(std::string_view targets) {
  std::vector<std::string> names;
  while (true) {
    std::size_t comma = targets.find(',');
    std::string_view target = trim(targets.substr(0, comma));
    if (parse_id(target)) return Unexpected<std::string>{std::string(errors::kV2NoIds)};
    if (target.size() < 2 || target.front() != '@') {
      return Unexpected<std::string>{std::string(errors::kV2BadFormat)};
    }
    names.emplace_back(target.substr(1));
    if (comma == std::string_view::npos) return names;
    targets.remove_prefix(comma + 1);
  }
}

}  // namespace

Result<Command, std::string> parse_command_v2(std::string_view line) {
  std::string_view trimmed = trim(line);
  if (equals_ignoring_case(trimmed, "logout")) return Command{LogoutCmd{}};
  if (auto cmd = slash_command(trimmed)) return *cmd;
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos)
    return Unexpected<std::string>{std::string(errors::kV2BadFormat)};
  std::string_view targets = trim(line.substr(0, colon));
  std::string text(trim(line.substr(colon + 1)));
  if (targets == "0") {
    if (text.empty()) return Unexpected<std::string>{std::string(errors::kEmptyBroadcast)};
    return Command{BroadcastCmd{std::move(text)}};
  }
  auto names = parse_names(targets);
  if (!names) return Unexpected<std::string>{names.error()};
  if (text.empty()) return Unexpected<std::string>{std::string(errors::kEmptyMessage)};
  return Command{NamesCmd{std::move(*names), std::move(text)}};
}

std::vector<std::string> help_lines_v2() {
  return {
      "0: text              send to everyone",
      "@name: text          send to a user by name",
      "@a,@b: text          send to users a and b",
      "/who                 list who is online",
      "/rebind              move to a new local port (the session continues)",
      "/help                this text",
      "logout or /quit      log out and exit",
  };
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
