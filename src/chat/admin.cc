// What operators do to the running chat (the admin socket): list the logged-in sessions, close
// one of them, list the rooms and a room's members.
#include <algorithm>

#include "chat/core_impl.h"

namespace qc::chat {

std::vector<SessionInfo> Core::logged_in_sessions() const {
  std::vector<SessionInfo> out;
  out.reserve(impl_->presence.sessions());
  for (const Member& m : impl_->presence.members()) {
    for (ConnHandle conn : m.conns) {
      const Session* s = impl_->find_session(conn);
      if (s == nullptr) continue;
      out.push_back(SessionInfo{conn, m.user_id, m.username, s->peer, s->connected_at});
    }
  }
  return out;
}

// Every session of the account (all its devices).
std::size_t Core::kick(std::string_view username, std::string_view reason, TimePoint now) {
  impl_->input_time = now;
  std::string why = "kicked by the operator";
  if (!reason.empty()) why += ": " + std::string(reason);
  // One line per operator action is the admin socket's; each session's close is debug.
  if (impl_->clustered())
    impl_->out.publish(proto::bus::EndSessions{std::string(username),
                                               proto::to_wire(proto::CloseCode::Kicked), why});
  return impl_->close_account_sessions(
      username, nullptr, proto::CloseCode::Kicked, why, [&](Session& s) {
        impl_->logger.debug(
            "kicked",
            {{"session", s.conn}, {"user", s.log_user()}, {"peer", s.peer}, {"reason", reason}});
        ++impl_->counters.kicks;
        s.kicked = true;
      });
}

namespace {

RoomSummary summary_of(const Room& room, const Presence& presence) {
  RoomSummary out{room.name, room.topic, room.op, room.members.size(), 0};
  for (const auto& [account, name] : room.members) {
    if (presence.find_account(account) != nullptr) ++out.online;
  }
  return out;
}

}  // namespace

std::vector<RoomSummary> Core::rooms() const {
  std::vector<RoomSummary> out;
  for (const Room* room : impl_->rooms.all()) out.push_back(summary_of(*room, impl_->presence));
  return out;
}

std::optional<RoomDetail> Core::room(std::string_view name) const {
  const std::string with_hash = name.starts_with('#') ? std::string(name) : "#" + std::string(name);
  const std::optional<std::string> key = room_key(with_hash);
  const Room* room = key ? impl_->rooms.find(*key) : nullptr;
  if (room == nullptr) return std::nullopt;
  RoomDetail detail{summary_of(*room, impl_->presence), {}, {}};
  for (const auto& [account, member] : room->members) {
    detail.members.push_back(member);
    if (impl_->presence.find_account(account) != nullptr) detail.online.push_back(member);
  }
  auto by_key = [](const std::string& a, const std::string& b) {
    return name_key(a) < name_key(b);
  };
  std::sort(detail.members.begin(), detail.members.end(), by_key);
  std::sort(detail.online.begin(), detail.online.end(), by_key);
  return detail;
}

}  // namespace qc::chat
