// What operators do to the running chat (the admin socket): list the logged-in sessions, and
// close one of them.
#include "chat/core_impl.h"

namespace qc::chat {

std::vector<SessionInfo> Core::logged_in_sessions() const {
  std::vector<SessionInfo> out;
  out.reserve(impl_->presence.size());
  for (const Member& m : impl_->presence.members()) {
    const Session* s = impl_->find_session(m.conn);
    if (s == nullptr) continue;
    out.push_back(SessionInfo{m.conn, m.user_id, m.username, s->peer, s->connected_at});
  }
  return out;
}

bool Core::kick(std::string_view username, std::string_view reason, TimePoint now) {
  for (const Member& m : impl_->presence.members()) {
    if (m.username != username) continue;
    Session* s = impl_->find_session(m.conn);
    if (s == nullptr || s->phase.is(Phase::Closing)) return false;
    impl_->input_time = now;
    std::string why = "kicked by the operator";
    if (!reason.empty()) why += ": " + std::string(reason);
    impl_->logger.info(
        "kicked",
        {{"session", s->conn}, {"user", s->log_user()}, {"peer", s->peer}, {"reason", reason}});
    ++impl_->counters.kicks;
    impl_->close_session(*s, proto::CloseCode::Kicked, why);
    return true;
  }
  return false;
}

}  // namespace qc::chat
