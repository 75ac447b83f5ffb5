#include "client/json_events.h"
#include "client/overloaded.h"

#include "client/format_v2.h"
#include "proto/json_writer.h"

namespace qc::client {
namespace {

namespace v2 = proto::v2;
using proto::detail::ObjectWriter;
using Lines = std::vector<std::string>;

std::string string_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out += ", ";
    proto::append_json_string(out, item);
  }
  return out + "]";
}

std::string target_errors_array(const std::vector<v2::TargetError>& errors) {
  std::string out = "[";
  for (const auto& e : errors) {
    if (out.size() > 1) out += ", ";
    ObjectWriter w(out);
    w.string("to", e.to).string("code", e.code).string("text", e.text);
    w.close();
  }
  return out + "]";
}

std::string sent_array(const std::vector<v2::Sent>& sent) {
  std::string out = "[";
  for (const auto& s : sent) {
    if (out.size() > 1) out += ", ";
    ObjectWriter w(out);
    w.string("to", s.to).string("conv", s.conv).unsigned_integer("id", s.id);
    w.raw("offline", s.offline ? "true" : "false");
    w.close();
  }
  return out + "]";
}

const char* boolean(bool b) { return b ? "true" : "false"; }

// An object that starts with "type" and "ts"; `fill` adds the rest.
template <class Fill>
std::string object(std::string_view type, std::int64_t ts, Fill&& fill) {
  std::string out;
  ObjectWriter w(out);
  w.string("type", type).integer("ts", ts);
  fill(w);
  w.close();
  return out;
}

std::string_view kind_name(MessageKind kind) {
  switch (kind) {
    case MessageKind::OneToOne:
      return "1-1";
    case MessageKind::OneToMany:
      return "1-n";
    case MessageKind::Broadcast:
      return "broadcast";
    case MessageKind::Room:
      return "room";
  }
  return "";
}

// `type`: "message", or "history" for a message of a history page.
std::string message_json(const Message& m, std::int64_t now_ms, std::string_view type = "message") {
  return object(type, m.ts != 0 ? m.ts : now_ms, [&m](ObjectWriter& w) {
    w.string("kind", kind_name(m.kind));
    if (!m.conv.empty()) w.string("conv", m.conv).unsigned_integer("id", m.id);
    if (m.epoch != 0) w.unsigned_integer("epoch", m.epoch);
    if (!m.cid.empty()) w.string("client_id", m.cid);
    w.string("from", m.sender_name);
    if (m.sender_id != 0) w.unsigned_integer("from_id", m.sender_id);
    if (!m.to.empty()) w.raw("to", string_array(m.to));
    w.string("text", m.text);
    if (m.own) w.raw("own", "true");
  });
}

// `text_key`: an error's "text" is the server's sentence, so the message's text is "message".
void send_members(ObjectWriter& w, const OutgoingSend& s, std::string_view text_key = "text") {
  w.unsigned_integer("rid", s.rid).string("client_id", s.cid);
  if (!s.conv.empty()) w.string("conv", s.conv);
  if (!s.to.empty()) w.raw("to", string_array(s.to));
  w.string(text_key, s.text);
}

std::string ack_json(const Acked& a, std::int64_t now_ms) {
  return object("ack", a.ts != 0 ? a.ts : now_ms, [&a](ObjectWriter& w) {
    send_members(w, a.send);
    if (a.epoch != 0) w.unsigned_integer("epoch", a.epoch);
    w.raw("sent", sent_array(a.sent));
    if (!a.errors.empty()) w.raw("errors", target_errors_array(a.errors));
    w.raw("duplicate", boolean(a.duplicate));
  });
}

std::string request_error_json(const RequestError& e, std::int64_t now_ms) {
  return object("error", now_ms, [&e](ObjectWriter& w) {
    w.string("code", e.code).string("text", e.text);
    if (e.send) {
      send_members(w, *e.send, "message");  // rid comes with it
    } else if (e.rid) {
      w.unsigned_integer("rid", *e.rid);
    }
    if (!e.errors.empty()) w.raw("errors", target_errors_array(e.errors));
  });
}

std::string presence_changed_json(const PresenceChanged& p, std::int64_t now_ms) {
  return object("presence", now_ms, [&p](ObjectWriter& w) {
    w.raw("joined", string_array(p.joined)).raw("left", string_array(p.left));
  });
}

std::string closed_json(const ConnectionClosed& c, std::int64_t now_ms) {
  std::string out = object(c.expected ? "system" : "error", now_ms, [&c](ObjectWriter& w) {
    w.string("code", c.expected ? "closed" : "connection_lost");
    w.string("text", c.reason.empty() ? c.kind : c.reason);
    if (!c.undelivered.empty()) w.raw("undelivered", string_array(c.undelivered));
  });
  return out;
}

void room_info_members(ObjectWriter& w, const v2::RoomInfo& r) {
  w.string("room", r.room).string("topic", r.topic).string("op", r.op);
  w.unsigned_integer("members", r.members).raw("member", boolean(r.member));
}

std::string rooms_array(const std::vector<v2::RoomInfo>& rooms) {
  std::string out = "[";
  for (const auto& r : rooms) {
    if (out.size() > 1) out += ", ";
    ObjectWriter w(out);
    room_info_members(w, r);
    w.close();
  }
  return out + "]";
}

Lines joined_json(const RoomJoined& j, std::int64_t now_ms) {
  return {object("room", now_ms, [&j](ObjectWriter& w) {
    w.string("code", "joined").unsigned_integer("rid", j.rid);
    room_info_members(w, j.info);
    w.string("conv", j.conv).raw("created", boolean(j.created));
  })};
}

Lines rooms_json(const RoomsListed& l, std::int64_t now_ms) {
  return {object("room", now_ms, [&l](ObjectWriter& w) {
    w.string("code", "rooms").unsigned_integer("rid", l.rid);
    if (!l.topic_of.empty()) w.string("topic_of", l.topic_of);
    w.raw("rooms", rooms_array(l.rooms));
  })};
}

Lines members_json(const MembersListed& m, std::int64_t now_ms) {
  return {object("room", now_ms, [&m](ObjectWriter& w) {
    w.string("code", "members").unsigned_integer("rid", m.rid);
    w.string("room", m.room).string("op", m.op);
    w.raw("members", string_array(m.members)).raw("online", string_array(m.online));
  })};
}

Lines room_changed_json(const RoomChanged& e, std::int64_t now_ms) {
  return {object("room", now_ms, [&e](ObjectWriter& w) {
    w.string("code", "event").string("room", e.room).string("event", e.event);
    w.string("user", e.user);
    if (!e.by.empty()) w.string("by", e.by);
    if (e.event == "topic") w.string("topic", e.topic);
  })};
}

Lines done_json(const RequestDone& d, std::int64_t now_ms) {
  std::string_view code;
  switch (d.what) {
    case Done::Left:
      code = "left";
      break;
    case Done::TopicSet:
      code = "topic_set";
      break;
    case Done::Removed:
      code = "removed";
      break;
    case Done::PasswordChanged:
    case Done::Registered:
      return {object("account", now_ms, [&](ObjectWriter& w) {
        w.string("code", d.what == Done::Registered ? "registered" : "password_changed")
            .unsigned_integer("rid", d.rid)
            .string("user", d.user);
      })};
    case Done::Read:
      return {};  // the client's own bookkeeping
  }
  return {object("room", now_ms, [&](ObjectWriter& w) {
    w.string("code", code).unsigned_integer("rid", d.rid).string("room", d.room);
    if (d.what == Done::Removed) w.string("user", d.user);
    if (d.what == Done::TopicSet) w.string("topic", d.topic);
  })};
}

std::string_view origin_name(PageOrigin origin) {
  switch (origin) {
    case PageOrigin::CatchUp:
      return "catch_up";
    case PageOrigin::Join:
      return "join";
    case PageOrigin::History:
      break;
  }
  return "history";
}

// Each message (type "history", or "message" with "catch_up": true), then one "page" object.
Lines page_json(const HistoryPage& p, std::int64_t now_ms) {
  Lines out;
  const bool catch_up = p.origin == PageOrigin::CatchUp;
  for (const Message& m : p.msgs) {
    std::string line = message_json(m, now_ms, catch_up ? "message" : "history");
    if (catch_up) line.insert(line.size() - 1, ", \"catch_up\": true");
    out.push_back(std::move(line));
  }
  out.push_back(object("page", now_ms, [&p](ObjectWriter& w) {
    if (p.rid) w.unsigned_integer("rid", *p.rid);
    w.string("origin", origin_name(p.origin)).string("conv", p.conv).string("label", p.label);
    w.unsigned_integer("count", p.msgs.size()).raw("more", boolean(p.more));
    w.unsigned_integer("expired", p.expired).unsigned_integer("unread", p.unread);
    w.unsigned_integer("read", p.read);
  }));
  return out;
}

Lines unread_json(const CatchUpDone& c, std::int64_t now_ms) {
  std::string list = "[";
  for (const auto& u : c.unread) {
    if (list.size() > 1) list += ", ";
    ObjectWriter w(list);
    w.string("conv", u.conv).string("label", u.label).unsigned_integer("count", u.count);
    w.close();
  }
  list += "]";
  return {object("unread", now_ms, [&list](ObjectWriter& w) { w.raw("unread", list); })};
}

}  // namespace

std::string system_json(std::string_view code, std::string_view text, std::int64_t now_ms) {
  return object("system", now_ms,
                [&](ObjectWriter& w) { w.string("code", code).string("text", text); });
}

std::string error_json(std::string_view code, std::string_view text, std::int64_t now_ms) {
  return object("error", now_ms,
                [&](ObjectWriter& w) { w.string("code", code).string("text", text); });
}

std::string sending_json(const OutgoingSend& send, std::int64_t now_ms) {
  return object("system", now_ms, [&send](ObjectWriter& w) {
    w.string("code", "sending");
    send_members(w, send);
  });
}

std::string online_json(const std::vector<std::string>& names, std::int64_t now_ms) {
  return object("presence", now_ms,
                [&names](ObjectWriter& w) { w.raw("online", string_array(names)); });
}

std::string users_json(const proto::UserList& users, std::string_view code, std::int64_t now_ms) {
  std::string list = "[";
  for (const auto& u : users) {
    if (list.size() > 1) list += ", ";
    ObjectWriter w(list);
    w.unsigned_integer("id", u.user_id).string("name", u.username);
    w.close();
  }
  list += "]";
  return object("presence", now_ms, [&](ObjectWriter& w) {
    if (!code.empty()) w.string("code", code);
    w.raw("users", list);
  });
}

std::vector<std::string> event_json(const Event& event, std::int64_t now_ms) {
  return std::visit(
      Overloaded{
          [now_ms](const Connected& e) -> Lines {
            if (e.server.empty()) {
              return {system_json("connected", "ALPN " + e.alpn + ", " + e.peer_address, now_ms)};
            }
            return {object("system", now_ms, [&e](ObjectWriter& w) {
              w.string("code", "connected")
                  .string("text", "ALPN " + e.alpn + ", " + e.peer_address)
                  .string("server", e.server);
            })};
          },
          [now_ms](const VersionSelected& e) -> Lines {
            return {system_json("version", "protocol " + std::to_string(e.version), now_ms)};
          },
          [now_ms](const VersionRejected& e) -> Lines {
            return {error_json("version_rejected", e.error, now_ms)};
          },
          [now_ms](const LoginOk& e) -> Lines {
            return {object("system", now_ms,
                           [&e](ObjectWriter& w) {
                             w.string("code", "login").unsigned_integer("user_id", e.my_id);
                             w.string("user", e.users.empty() ? "" : e.users.back().username);
                           }),
                    users_json(e.users, "snapshot", now_ms)};
          },
          [now_ms](const LoginRetry& e) -> Lines {
            return {error_json(e.code.empty() ? "login_failed" : e.code, e.error, now_ms)};
          },
          [now_ms](const LoginRejected& e) -> Lines {
            return {error_json(e.code.empty() ? "login_rejected" : e.code, e.error, now_ms)};
          },
          [now_ms](const UsersJoined& e) -> Lines {
            return {users_json(e.users, "login", now_ms)};
          },
          [now_ms](const UsersLeft& e) -> Lines { return {users_json(e.users, "logout", now_ms)}; },
          [now_ms](const Message& e) -> Lines { return {message_json(e, now_ms)}; },
          [now_ms](const ServerError& e) -> Lines {
            return {error_json("msg_unsuccessful", e.error, now_ms)};
          },
          [now_ms](const LoggedOut& e) -> Lines {
            return {system_json("logged_out", e.sys, now_ms)};
          },
          [now_ms](const ProtocolViolation& e) -> Lines {
            return {error_json("protocol_violation", e.detail, now_ms)};
          },
          [now_ms](const PathChanged& e) -> Lines {
            return {system_json("path_changed", e.peer_address, now_ms)};
          },
          [now_ms](const ConnectionClosed& e) -> Lines { return {closed_json(e, now_ms)}; },
          [now_ms](const Welcome& e) -> Lines {
            return {object("system", e.ts != 0 ? e.ts : now_ms, [&e](ObjectWriter& w) {
              w.string("code", "login").string("user", e.user);
              w.unsigned_integer("account", e.account).string("device", e.device);
            })};
          },
          [now_ms](const Acked& e) -> Lines { return {ack_json(e, now_ms)}; },
          [now_ms](const PresenceSnapshot& e) -> Lines {
            return {object("presence", now_ms, [&e](ObjectWriter& w) {
              w.raw("online", string_array(e.online)).raw("snapshot", "true");
            })};
          },
          [now_ms](const PresenceChanged& e) -> Lines {
            return {presence_changed_json(e, now_ms)};
          },
          [now_ms](const RequestError& e) -> Lines { return {request_error_json(e, now_ms)}; },
          [now_ms](const RoomJoined& e) { return joined_json(e, now_ms); },
          [now_ms](const RoomsListed& e) { return rooms_json(e, now_ms); },
          [now_ms](const MembersListed& e) { return members_json(e, now_ms); },
          [now_ms](const RoomChanged& e) { return room_changed_json(e, now_ms); },
          [now_ms](const RequestDone& e) { return done_json(e, now_ms); },
          [now_ms](const HistoryPage& e) { return page_json(e, now_ms); },
          [now_ms](const CatchUpDone& e) { return unread_json(e, now_ms); },
          [now_ms](const CursorMoved& e) -> Lines {
            return {object("read", now_ms, [&e](ObjectWriter& w) {
              w.string("conv", e.conv).unsigned_integer("id", e.id);
            })};
          },
      },
      event);
}

}  // namespace qc::client
