#include "client/format_v2.h"
#include "client/overloaded.h"

#include <ctime>

#include "client/format.h"

namespace qc::client {
namespace {

namespace v2 = proto::v2;

using Lines = std::vector<std::string>;

std::string joined_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += sanitize(n);
  }
  return out.empty() ? "(none)" : out;
}

// "[1-1 Msg] you -> bob: hi", "[1-n Msg] you -> bob, cam: hi", "[Broad Msg] you: hi".
std::string own_text(const std::vector<std::string>& to, std::string_view text) {
  if (to.empty()) return "[Broad Msg] you: " + sanitize(text);
  const char* prefix = to.size() > 1 ? "[1-n Msg] you -> " : "[1-1 Msg] you -> ";
  return prefix + joined_names(to) + ": " + sanitize(text);
}

std::string message_text(const Message& m) {
  if (m.own) return own_text(m.kind == MessageKind::Broadcast ? Lines{} : m.to, m.text);
  const char* prefix = m.kind == MessageKind::Broadcast ? "[Broad Msg] " : "[1-1 Msg] ";
  return prefix + sanitize(m.sender_name) + ": " + sanitize(m.text);
}

Lines target_errors(const std::vector<v2::TargetError>& errors) {
  Lines out;
  for (const auto& e : errors) {
    out.push_back(format_local_error("Not sent to " + sanitize(e.to) + ": " + sanitize(e.text)));
  }
  return out;
}

Lines acked_texts(const Acked& a) {
  Lines out;
  std::vector<std::string> to;
  std::vector<std::string> offline;
  for (const auto& s : a.sent) {
    if (s.to.empty()) continue;
    to.push_back(s.to);
    if (s.offline) offline.push_back(s.to);
  }
  std::string line = own_text(a.send.conv == v2::kBroadcastConv ? Lines{} : to, a.send.text);
  if (!offline.empty()) line += " (offline: " + joined_names(offline) + ")";
  if (a.duplicate) line += " (sent before)";
  out.push_back(std::move(line));
  for (auto& l : target_errors(a.errors)) out.push_back(std::move(l));
  return out;
}

Lines request_error_texts(const RequestError& e) {
  Lines out;
  if (e.send) {
    std::string what =
        own_text(e.send->conv == v2::kBroadcastConv ? Lines{} : e.send->to, e.send->text);
    out.push_back(format_local_error("Not sent (" + sanitize(e.text) + "): " + what));
  } else {
    out.push_back(format_local_error(sanitize(e.text)));
  }
  for (auto& l : target_errors(e.errors)) out.push_back(std::move(l));
  return out;
}

Lines presence_changed_texts(const PresenceChanged& p) {
  Lines out;
  for (const auto& n : p.left) out.push_back("[Sys] " + sanitize(n) + " left");
  for (const auto& n : p.joined) out.push_back("[Sys] " + sanitize(n) + " joined");
  return out;
}

Lines v1_text(const Event& event) {
  auto line = format_event(event);
  return line ? Lines{*line} : Lines{};
}

}  // namespace

std::string format_clock(std::int64_t ts_ms) {
  const std::time_t seconds = static_cast<std::time_t>(ts_ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char buf[8];
  std::strftime(buf, sizeof buf, "%H:%M", &local);
  return buf;
}

std::string with_clock(std::int64_t ts_ms, std::string_view text) {
  return format_clock(ts_ms) + " " + std::string(text);
}

std::int64_t event_timestamp(const Event& event) {
  if (const auto* m = std::get_if<Message>(&event)) return m->ts;
  if (const auto* a = std::get_if<Acked>(&event)) return a->ts;
  if (const auto* w = std::get_if<Welcome>(&event)) return w->ts;
  return 0;
}

std::vector<std::string> v2_texts(const Event& event) {
  return std::visit(Overloaded{
                        [](const Message& m) -> Lines { return {message_text(m)}; },
                        [](const Welcome& w) -> Lines {
                          return {"[Sys] Login successful. You are " + sanitize(w.user) + "."};
                        },
                        [](const Acked& a) { return acked_texts(a); },
                        [](const PresenceSnapshot& p) -> Lines {
                          return {"[Sys] Online: " + joined_names(p.online)};
                        },
                        [](const PresenceChanged& p) { return presence_changed_texts(p); },
                        [](const RequestError& e) { return request_error_texts(e); },
                        [&event](const auto&) { return v1_text(event); },
                    },
                    event);
}

std::vector<std::string> format_v2_lines(const Event& event, std::int64_t now_ms) {
  const std::int64_t ts = event_timestamp(event);
  Lines out = v2_texts(event);
  for (auto& line : out) line = with_clock(ts != 0 ? ts : now_ms, line);
  return out;
}

std::string pending_text(const OutgoingSend& send) {
  return "… " + own_text(send.conv == v2::kBroadcastConv ? Lines{} : send.to, send.text);
}

}  // namespace qc::client
