// Events -> the terminal's output lines, with the seed's prefixes ([Sys], [Err], [1-1 Msg],
// [1-n Msg], [Broad Msg]). Everything a peer controls (names, texts, errors) passes through
// sanitize() first so that a hostile sender cannot inject terminal escape sequences.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/events.h"

namespace qc::client {

// Removes C0 controls (including ESC, CR, LF, TAB), DEL and C1 controls (U+0080..U+009F), and
// shows bidi controls (U+202A..U+202E, U+2066..U+2069) and zero-width characters (U+200B..U+200F,
// U+2060, U+FEFF) as "<U+202E>".
std::string sanitize(std::string_view text);

// "1 alice, 2 bob", or "(none)".
std::string format_users(const proto::UserList& users);

// The line to print for an event in v1, or nullopt when the event is silent (v2-only events are
// silent here: format_v2.h shows them).
std::optional<std::string> format_event(const Event& event);

// "[Sys] Active users: 1 alice, 2 bob (you are 2)"
std::string format_who(const proto::UserList& users, std::optional<std::uint64_t> my_id);
// "[Sys] Reconnected. You are now 4 (alice)."
std::string format_reconnected(std::uint64_t my_id, std::string_view my_name);

// Printed right after a lost connection when the client will try again.
inline constexpr std::string_view kReconnectingLine = "[Sys] Reconnecting...";
// "[Err] text"
std::string format_local_error(std::string_view text);
// A message the connection was lost under before the server acknowledged it.
std::string format_not_delivered(std::string_view line);

inline constexpr std::string_view kRebindLine =
    "[Sys] Moved to a new local port; session continues.";

}  // namespace qc::client
