// Events -> the terminal's lines in protocol v2. Every line starts with the local time `HH:MM `
// (the server's timestamp where the event has one, else the caller's clock); the rest follows
// v1's prefixes, with names instead of ids: `[1-1 Msg] alice: hi`, `[Broad Msg] alice: hi`,
// the user's own messages as `[1-1 Msg] you -> bob: hi` once acknowledged (`… ` in front while
// pending), presence as `[Sys] bob joined` / `[Sys] bob left`, room messages as
// `#team <alice> hi` (own: `#team <you> hi`). A page of history shows each message with its own
// time and `[History] ` in front; a page of the login's catch-up shows them as new messages.
// Peer text passes sanitize().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/events.h"

namespace qc::client {

inline constexpr std::string_view kHistoryMark = "[History] ";

// Local wall-clock time of `ts_ms` (milliseconds since the Unix epoch) as "HH:MM".
std::string format_clock(std::int64_t ts_ms);

// The server's timestamp of an event (messages, acks, welcome), or 0.
std::int64_t event_timestamp(const Event& event);

// The lines for an event, without the time (format_v2_lines adds it); none when silent.
std::vector<std::string> v2_texts(const Event& event);
// The lines for an event, each prefixed with the time of the event (or now_ms).
std::vector<std::string> format_v2_lines(const Event& event, std::int64_t now_ms);

// A send not acknowledged yet: "… [1-1 Msg] you -> bob: hi" (without the time).
std::string pending_text(const OutgoingSend& send);
// "HH:MM " + text.
std::string with_clock(std::int64_t ts_ms, std::string_view text);

}  // namespace qc::client
