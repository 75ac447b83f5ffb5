#include "client/format_v2.h"
#include "client/overloaded.h"

#include <ctime>

#include "client/command_text.h"
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

// "#team <alice> hi"
std::string room_text(std::string_view conv, std::string_view from, std::string_view text) {
  return sanitize(conv) + " <" + sanitize(from) + "> " + sanitize(text);
}

bool is_room(std::string_view conv) { return conv.starts_with('#'); }

// Our own send as the user typed it, to a room, to names or to everyone.
std::string send_text(const OutgoingSend& send) {
  if (is_room(send.conv)) return room_text(send.conv, "you", send.text);
  return own_text(send.conv == v2::kBroadcastConv ? Lines{} : send.to, send.text);
}

std::string message_text(const Message& m) {
  if (m.kind == MessageKind::Room) return room_text(m.conv, m.own ? "you" : m.sender_name, m.text);
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
  std::string line = is_room(a.send.conv)
                         ? send_text(a.send)
                         : own_text(a.send.conv == v2::kBroadcastConv ? Lines{} : to, a.send.text);
  if (!offline.empty()) line += " (offline: " + joined_names(offline) + ")";
  if (a.duplicate) line += " (sent before)";
  out.push_back(std::move(line));
  for (auto& l : target_errors(a.errors)) out.push_back(std::move(l));
  return out;
}

Lines request_error_texts(const RequestError& e) {
  Lines out;
  if (e.send) {
    const std::string what = send_text(*e.send);
    out.push_back(format_local_error("Not sent (" + sanitize(e.text) + "): " + what));
  } else {
    out.push_back(format_local_error(sanitize(e.text)));
  }
  for (auto& l : target_errors(e.errors)) out.push_back(std::move(l));
  return out;
}

Lines presence_changed_texts(const PresenceChanged& p) {
  Lines out;
  for (const auto& n : p.left) out.push_back("[Sys] " + sanitize(n) + " went offline");
  for (const auto& n : p.joined) out.push_back("[Sys] " + sanitize(n) + " is online");
  return out;
}

std::string room_info_text(const v2::RoomInfo& r) {
  std::string line = "[Sys] " + sanitize(r.room) + ": " + std::to_string(r.members) +
                     (r.members == 1 ? " member" : " members") + ", operator " + sanitize(r.op);
  if (!r.topic.empty()) line += ", topic: " + sanitize(r.topic);
  if (r.member) line += " (joined)";
  return line;
}

Lines joined_texts(const RoomJoined& j) {
  if (j.created) return {"[Sys] Created " + sanitize(j.info.room) + ": you are its operator"};
  std::string line = "[Sys] Joined " + sanitize(j.info.room) + " (" +
                     std::to_string(j.info.members) + " members, operator " + sanitize(j.info.op);
  if (!j.info.topic.empty()) line += ", topic: " + sanitize(j.info.topic);
  return {line + ")"};
}

Lines topic_texts(const RoomsListed& l) {
  for (const auto& r : l.rooms) {
    if (!text::same_ignoring_case(r.room, l.topic_of)) continue;
    if (r.topic.empty()) return {"[Sys] " + sanitize(r.room) + " has no topic"};
    return {"[Sys] Topic of " + sanitize(r.room) + ": " + sanitize(r.topic)};
  }
  return {format_local_error("No room " + sanitize(l.topic_of))};
}

Lines rooms_texts(const RoomsListed& l) {
  if (!l.topic_of.empty()) return topic_texts(l);
  if (l.rooms.empty()) return {"[Sys] No rooms yet (/join #name creates one)"};
  Lines out;
  for (const auto& r : l.rooms) out.push_back(room_info_text(r));
  return out;
}

Lines members_texts(const MembersListed& m) {
  std::string names;
  for (const auto& n : m.members) {
    if (!names.empty()) names += ", ";
    names += sanitize(n);
    if (text::same_ignoring_case(n, m.op)) names += " (operator)";
  }
  return {"[Sys] Members of " + sanitize(m.room) + ": " + (names.empty() ? "(none)" : names) +
          "; online: " + joined_names(m.online)};
}

Lines room_changed_texts(const RoomChanged& e) {
  const std::string room = sanitize(e.room);
  const std::string user = sanitize(e.user);
  if (e.event == "join") return {"[Sys] " + user + " joined " + room};
  if (e.event == "leave") return {"[Sys] " + user + " left " + room};
  if (e.event == "remove") {
    return {"[Sys] " + user + " was removed from " + room +
            (e.by.empty() ? "" : " by " + sanitize(e.by))};
  }
  if (e.event == "topic") {
    const std::string who = sanitize(e.by.empty() ? e.user : e.by);
    if (e.topic.empty()) return {"[Sys] " + who + " cleared the topic of " + room};
    return {"[Sys] " + who + " set the topic of " + room + ": " + sanitize(e.topic)};
  }
  return {"[Sys] " + room + ": " + sanitize(e.event) + " " + user};
}

Lines done_texts(const RequestDone& d) {
  switch (d.what) {
    case Done::Left:
      return {"[Sys] You left " + sanitize(d.room)};
    case Done::TopicSet:
      if (d.topic.empty()) return {"[Sys] Topic of " + sanitize(d.room) + " cleared"};
      return {"[Sys] Topic of " + sanitize(d.room) + " set: " + sanitize(d.topic)};
    case Done::Removed:
      return {"[Sys] Removed " + sanitize(d.user) + " from " + sanitize(d.room)};
    case Done::PasswordChanged:
      return {"[Sys] Password changed. Your other sessions were logged out."};
    case Done::Registered:
      return {"[Sys] Account " + sanitize(d.user) + " created."};
    case Done::Read:
      break;
  }
  return {};
}

Lines unread_texts(const CatchUpDone& c) {
  std::string counts;
  for (const auto& u : c.unread) {
    if (u.count == 0) continue;
    if (!counts.empty()) counts += ", ";
    counts += sanitize(u.label) + " " + std::to_string(u.count);
  }
  if (counts.empty()) return {"[Sys] No unread messages"};
  return {"[Sys] Unread: " + counts};
}

// A page's closing line: how much history it held, or how many messages expired unseen.
Lines page_summary(const HistoryPage& p) {
  const std::string label = sanitize(p.label);
  if (p.origin == PageOrigin::CatchUp) {
    if (p.expired == 0) return {};
    return {"[Sys] " + std::to_string(p.expired) + " older messages in " + label +
            " expired before you could get them"};
  }
  if (p.msgs.empty()) {
    return p.origin == PageOrigin::Join ? Lines{} : Lines{"[Sys] No history in " + label};
  }
  const std::size_t n = p.msgs.size();
  return {"[Sys] End of history of " + label + " (" + std::to_string(n) +
          (n == 1 ? " message" : " messages") + (p.more ? "; older ones exist" : "") + ")"};
}

Lines page_lines(const HistoryPage& p, std::int64_t now_ms) {
  Lines out;
  const bool history = p.origin != PageOrigin::CatchUp;
  for (const Message& m : p.msgs) {
    const std::string mark = history ? std::string(kHistoryMark) : std::string();
    out.push_back(with_clock(m.ts != 0 ? m.ts : now_ms, mark + message_text(m)));
  }
  for (auto& line : page_summary(p)) out.push_back(with_clock(now_ms, line));
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
                        [](const RoomJoined& e) { return joined_texts(e); },
                        [](const RoomsListed& e) { return rooms_texts(e); },
                        [](const MembersListed& e) { return members_texts(e); },
                        [](const RoomChanged& e) { return room_changed_texts(e); },
                        [](const RequestDone& e) { return done_texts(e); },
                        [](const CatchUpDone& e) { return unread_texts(e); },
                        [](const CursorMoved&) { return Lines{}; },
                        [](const HistoryPage& e) { return page_lines(e, 0); },
                        [&event](const auto&) { return v1_text(event); },
                    },
                    event);
}

std::vector<std::string> format_v2_lines(const Event& event, std::int64_t now_ms) {
  if (const auto* page = std::get_if<HistoryPage>(&event)) return page_lines(*page, now_ms);
  const std::int64_t ts = event_timestamp(event);
  Lines out = v2_texts(event);
  for (auto& line : out) line = with_clock(ts != 0 ? ts : now_ms, line);
  return out;
}

std::string pending_text(const OutgoingSend& send) { return "… " + send_text(send); }

}  // namespace qc::client
