// What operators do to the running chat (the admin socket): list the logged-in sessions, and
// close one of them.
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
bool Core::kick(std::string_view username, std::string_view reason, TimePoint now) {
  const Member* m = impl_->presence.find_name(username);
  if (m == nullptr) return false;
  const std::vector<ConnHandle> conns = m->conns;  // closing changes the member
  impl_->input_time = now;
  std::string why = "kicked by the operator";
  if (!reason.empty()) why += ": " + std::string(reason);
  bool kicked = false;
  for (ConnHandle conn : conns) {
    Session* s = impl_->find_session(conn);
    if (s == nullptr || s->phase.is(Phase::Closing)) continue;
    impl_->logger.info(
        "kicked",
        {{"session", s->conn}, {"user", s->log_user()}, {"peer", s->peer}, {"reason", reason}});
    ++impl_->counters.kicks;
    impl_->close_session(*s, proto::CloseCode::Kicked, why);
    kicked = true;
  }
  return kicked;
}

}  // namespace qc::chat
