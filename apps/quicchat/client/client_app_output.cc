// ClientApp's output: the seed's lines in v1, HH:MM-stamped lines in v2, or one JSON object per
// line with --json (docs/CLIENT.md).
#include <chrono>

#include "client/format.h"
#include "client/format_v2.h"
#include "client/json_events.h"
#include "quicchat/client/client_app.h"

namespace qc::app {

using namespace qc::client;

namespace {
// "[Sys] text" -> "text" for JSON, whose type says as much.
std::string_view without_tag(std::string_view line) {
  if (line.starts_with("[Sys] ")) line.remove_prefix(6);
  return line;
}
}  // namespace

bool ClientApp::v2() const { return v2_display_; }

std::int64_t ClientApp::now_ms() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ClientApp::print_line(std::string_view line) {
  console_.print(v2() ? with_clock(now_ms(), line) : std::string(line));
}

void ClientApp::show(const Event& event) {
  if (options_.json) {
    for (const auto& line : event_json(event, now_ms())) console_.print(line);
  } else if (v2()) {
    for (const auto& line : format_v2_lines(event, now_ms())) console_.print(line);
  } else if (auto line = format_event(event)) {
    console_.print(*line);
  }
}

void ClientApp::say(std::string_view code, std::string_view line) {
  if (options_.json) return console_.print(system_json(code, without_tag(line), now_ms()));
  print_line(line);
}

void ClientApp::complain(std::string_view code, std::string_view text) {
  if (options_.json) return console_.print(error_json(code, text, now_ms()));
  print_line(format_local_error(text));
}

// A v2 send just queued: shown at once as pending; its ack (or error) follows.
void ClientApp::show_pending() {
  const auto& send = chat_.session().last_send();
  if (!send) return;
  if (options_.json) return console_.print(sending_json(*send, now_ms()));
  print_line(pending_text(*send));
}

void ClientApp::show_who() {
  const ClientSession& session = chat_.session();
  if (v2()) {
    std::vector<std::string> online(session.online().begin(), session.online().end());
    if (options_.json) return console_.print(online_json(online, now_ms()));
    std::string names;
    for (const auto& n : online) names += (names.empty() ? "" : ", ") + sanitize(n);
    return print_line("[Sys] Online: " + (names.empty() ? std::string("(none)") : names) +
                      " (you are " + sanitize(session.my_name()) + ")");
  }
  if (options_.json) return console_.print(users_json(session.presence().users(), "who", now_ms()));
  console_.print(format_who(session.presence().users(), session.my_id()));
}

}  // namespace qc::app
