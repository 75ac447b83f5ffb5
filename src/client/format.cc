#include "client/format.h"
#include "client/overloaded.h"

namespace qc::client {
namespace {

std::string_view kind_prefix(MessageKind kind) {
  switch (kind) {
    case MessageKind::OneToOne:
      return "[1-1 Msg] ";
    case MessageKind::OneToMany:
      return "[1-n Msg] ";
    case MessageKind::Broadcast:
      return "[Broad Msg] ";
    case MessageKind::Room:
      return "[Room Msg] ";
  }
  return "[Msg] ";
}

std::string login_ok_line(const LoginOk& ok) {
  std::string name = ok.users.empty() ? std::string() : sanitize(ok.users.back().username);
  return "[Sys] Login successful. You are " + std::to_string(ok.my_id) + " (" + name +
         "). Active users: " + format_users(ok.users);
}

// Bidi embeddings/overrides/isolates and zero-width characters can make a line read differently
// from what it contains ("evil<U+202E>txt.exe" shows as "evilexe.txt"); they are shown as text.
bool is_invisible_format_character(char32_t cp) {
  return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) || cp == 0x2060 ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

// The code point of a well-formed three-byte UTF-8 sequence at the start of text, else 0.
char32_t three_byte_code_point(std::string_view text) {
  if (text.size() < 3) return 0;
  const auto b0 = static_cast<unsigned char>(text[0]);
  const auto b1 = static_cast<unsigned char>(text[1]);
  const auto b2 = static_cast<unsigned char>(text[2]);
  if ((b0 & 0xf0) != 0xe0 || (b1 & 0xc0) != 0x80 || (b2 & 0xc0) != 0x80) return 0;
  return static_cast<char32_t>(((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f));
}

std::string visible_code_point(char32_t cp) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "<U+";
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(cp >> shift) & 0xf]);
  return out + ">";
}

}  // namespace

std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) continue;
    // C1 controls are U+0080..U+009F, encoded as 0xC2 0x80..0x9F.
    if (c == 0xc2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9f) {
        ++i;
        continue;
      }
    }
    if (const char32_t cp = three_byte_code_point(text.substr(i));
        is_invisible_format_character(cp)) {
      out += visible_code_point(cp);
      i += 2;
      continue;
    }
    out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string format_users(const proto::UserList& users) {
  if (users.empty()) return "(none)";
  std::string out;
  for (const auto& u : users) {
    if (!out.empty()) out += ", ";
    out += std::to_string(u.user_id) + " " + sanitize(u.username);
  }
  return out;
}

std::optional<std::string> format_event(const Event& event) {
  using Line = std::optional<std::string>;
  return std::visit(
      Overloaded{
          [](const Connected&) -> Line { return std::nullopt; },
          [](const VersionSelected&) -> Line { return std::nullopt; },
          [](const PathChanged&) -> Line { return std::nullopt; },
          [](const VersionRejected& e) -> Line { return format_local_error(sanitize(e.error)); },
          [](const LoginOk& e) -> Line { return login_ok_line(e); },
          [](const LoginRetry& e) -> Line { return format_local_error(sanitize(e.error)); },
          [](const LoginRejected& e) -> Line { return format_local_error(sanitize(e.error)); },
          [](const UsersJoined& e) -> Line {
            return "[Sys] Some user login. Active users: " + format_users(e.users);
          },
          [](const UsersLeft& e) -> Line {
            return "[Sys] Some user logout. Active users: " + format_users(e.users);
          },
          [](const Message& e) -> Line {
            return std::string(kind_prefix(e.kind)) + sanitize(e.sender_name) + ": " +
                   sanitize(e.text);
          },
          [](const ServerError& e) -> Line { return format_local_error(sanitize(e.error)); },
          [](const LoggedOut& e) -> Line { return "[Sys] " + sanitize(e.sys); },
          [](const ProtocolViolation& e) -> Line {
            return format_local_error("Protocol violation: " + sanitize(e.detail));
          },
          [](const ConnectionClosed& e) -> Line {
            if (e.expected) return std::nullopt;
            return format_local_error("Connection lost: " +
                                      sanitize(e.reason.empty() ? e.kind : e.reason));
          },
          // v2's own events: format_v2_lines (format_v2.h).
          [](const Welcome&) -> Line { return std::nullopt; },
          [](const Acked&) -> Line { return std::nullopt; },
          [](const PresenceSnapshot&) -> Line { return std::nullopt; },
          [](const PresenceChanged&) -> Line { return std::nullopt; },
          [](const RequestError&) -> Line { return std::nullopt; },
          [](const auto&) -> Line { return std::nullopt; },  // rooms, history, cursors
      },
      event);
}

std::string format_who(const proto::UserList& users, std::optional<std::uint64_t> my_id) {
  std::string line = "[Sys] Active users: " + format_users(users);
  if (my_id) line += " (you are " + std::to_string(*my_id) + ")";
  return line;
}

std::string format_reconnected(std::uint64_t my_id, std::string_view my_name) {
  return "[Sys] Reconnected. You are now " + std::to_string(my_id) + " (" + sanitize(my_name) +
         ").";
}

std::string format_local_error(std::string_view text) { return "[Err] " + std::string(text); }

std::string format_not_delivered(std::string_view line) {
  return format_local_error("Not delivered (connection lost): " + sanitize(line));
}

}  // namespace qc::client
