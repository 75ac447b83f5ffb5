// Events -> `--json` lines: one JSON object per line, for bots and tests (docs/CLIENT.md lists
// the members). `type` is one of message, presence, ack, error, system, history, page, room,
// unread, read; `ts` is the server's timestamp (ms since the Unix epoch) where the event has one,
// else the client's clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/events.h"

namespace qc::client {

// The lines for an event (v1 or v2); none for the silent ones.
std::vector<std::string> event_json(const Event& event, std::int64_t now_ms);

// {"type": "system", "ts": .., "code": CODE, "text": TEXT}: connecting, reconnecting, help, ...
std::string system_json(std::string_view code, std::string_view text, std::int64_t now_ms);
// {"type": "error", "ts": .., "code": CODE, "text": TEXT}: local errors (code "local"), fatal ones.
std::string error_json(std::string_view code, std::string_view text, std::int64_t now_ms);
// A v2 send queued: {"type": "system", "code": "sending", "rid": .., "client_id": .., ...}.
std::string sending_json(const OutgoingSend& send, std::int64_t now_ms);
// /who: {"type": "presence", "ts": .., "online": [..]} (v1: "users": [{"id": 1, "name": ..}]).
std::string online_json(const std::vector<std::string>& names, std::int64_t now_ms);
std::string users_json(const proto::UserList& users, std::string_view code, std::int64_t now_ms);

}  // namespace qc::client
