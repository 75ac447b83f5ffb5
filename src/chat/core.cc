#include "chat/core.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "chat/core_impl.h"
#include "chat/login_flow.h"

namespace qc::chat {

// --- session lifecycle ---------------------------------------------------------------------

Session* Core::Impl::find_session(ConnHandle conn) {
  auto it = sessions.find(conn);
  return it == sessions.end() ? nullptr : it->second.get();
}

// Only ever followed by the Close transition (close_session, connection_closed).
// The account leaves presence with its last session: v1 sessions get the new list, v2 sessions
// the change at the next flush.
void Core::Impl::end_presence(Session& s, std::string_view why, log::Level level) {
  if (!s.phase.is(Phase::Authenticated)) return;
  --(s.version == 2 ? v2_authenticated : v1_authenticated);
  const bool offline = presence.remove(s.phase.user_id(), s.conn);
  logger.at(level, "logout",
            {{"session", s.conn}, {"user", s.log_user()}, {"peer", s.peer}, {"why", why}});
  if (offline) went_offline(s);
}

void Core::Impl::went_offline(const Session& s) {
  broadcast_presence(proto::MsgType::LogoutBroadcast, s.conn);
  if (!local_presence_changed(s, false)) return;  // still online on another node
  presence_feed.changed(s.username, false);
  schedule_presence_flush();
}

void Core::Impl::close_session(Session& s, proto::CloseCode code, std::string_view reason,
                               const Reply* last_words) {
  if (s.phase.is(Phase::Closing)) return;
  end_presence(s, reason, s.kicked ? log::Level::Debug : log::Level::Info);
  if (last_words != nullptr) out.send(s.conn, *last_words);
  out.close(s.conn, code, reason);
  s.phase.close();
  s.pending.clear();
  release_prober(s);
}

void Core::Impl::send_to(Session& s, proto::MsgType type, std::string body) {
  if (!s.phase.is(Phase::Closing)) out.send(s.conn, type, std::move(body));
}

void Core::Impl::send_error(Session& s, proto::MsgType type, std::string_view error) {
  if (s.phase.is(Phase::Closing)) return;
  if (s.version == 2) {  // a v2 session never gets v1 bytes (the v2 paths name their codes)
    send_error_v2(s, std::nullopt, proto::v2::code::kBadFrame, std::string(error));
    return;
  }
  if (!s.max_pdu_in_one_packet) {
    out.send_error(s.conn, type, error);
    return;
  }
  out.send(s.conn, error_pdu_within(type, error, *s.max_pdu_in_one_packet));
}

void Core::Impl::deliver(SharedBytes bytes, std::vector<ConnHandle> recipients) {
  if (recipients.empty()) return;
  counters.deliveries += recipients.size();
  out.deliver(std::move(bytes), std::move(recipients), /*replaceable=*/false);
}

std::vector<ConnHandle> Core::Impl::leave_out_too_long(std::vector<ConnHandle>& recipients,
                                                       std::size_t bytes) {
  std::vector<ConnHandle> left_out;
  if (everyone_takes(bytes)) return left_out;
  std::erase_if(recipients, [&](ConnHandle conn) {
    const Session* r = find_session(conn);
    if (r == nullptr || r->takes(bytes)) return false;
    left_out.push_back(conn);
    return true;
  });
  return left_out;
}

std::string Core::Impl::too_long_error(const std::vector<ConnHandle>& left_out) {
  std::vector<std::string> names;
  std::size_t smallest = SIZE_MAX;
  for (ConnHandle conn : left_out) {
    const Session* r = find_session(conn);
    names.push_back(r->username);
    smallest = std::min(smallest, *r->max_pdu_in_one_packet);
  }
  return too_long_for_error(names, smallest);
}

// Everyone who takes the whole list gets one shared encoding; a client that takes only PDUs up
// to a limit gets the longest tail of the list that fits (one encoding per distinct limit).
void Core::Impl::broadcast_presence(proto::MsgType type, ConnHandle except) {
  if (v1_authenticated == 0) return;
  const proto::UserList users = v1_user_list();
  SharedBytes whole = encode_pdu(type, proto::encode_user_list(users));
  const bool all_take = everyone_takes(whole->size());
  std::vector<ConnHandle> recipients;
  std::map<std::size_t, std::vector<ConnHandle>> by_limit;
  recipients.reserve(presence.size());
  const bool all_v1 = v2_authenticated == 0;
  for (const Member& m : presence.members()) {
    for (ConnHandle conn : m.conns) {
      if (conn == except) continue;
      if (all_take && all_v1) {
        recipients.push_back(conn);
        continue;
      }
      const Session* r = find_session(conn);
      if (r != nullptr && r->version == 2) continue;  // v2 sessions get presence events
      if (r == nullptr || r->takes(whole->size()))
        recipients.push_back(conn);
      else
        by_limit[*r->max_pdu_in_one_packet].push_back(conn);
    }
  }
  if (!recipients.empty())
    out.deliver(std::move(whole), std::move(recipients), /*replaceable=*/true);
  for (auto& [limit, conns] : by_limit)
    out.deliver(presence_pdu(type, users, limit), std::move(conns), /*replaceable=*/true);
}

// --- deadlines -----------------------------------------------------------------------------

// Pops entries whose session is gone or whose deadline was cleared, and moves keep-alive entries
// of sessions that were active since, until the top is a real deadline.
void Core::Impl::settle_deadlines() {
  while (const Deadline* top = deadlines.top()) {
    Deadline d = *top;
    Session* s = find_session(d.conn);
    if (s == nullptr || s->serial != d.serial || s->phase.is(Phase::Closing)) {
      deadlines.pop();
      continue;
    }
    if (d.kind != DeadlineKind::KeepAlive) {
      const auto& current = d.kind == DeadlineKind::LoginRetry ? s->retry_at : s->probe_at;
      if (current == d.at) return;
      deadlines.pop();
      continue;
    }
    if (s->keepalive_at <= d.at) return;
    deadlines.pop();
    d.at = s->keepalive_at;
    deadlines.push(d);
  }
}

void Core::Impl::fire(const Deadline& d) {
  Session* s = find_session(d.conn);
  if (s == nullptr) return;
  if (d.kind == DeadlineKind::LoginRetry) {
    s->retry_at.reset();
    login_timeout(*s);
    return;
  }
  if (d.kind == DeadlineKind::LoginProbe) {
    probe_unanswered(*s, d.at);
    return;
  }
  if (!s->heard_from) {
    logger.info("first_pdu_timeout", {{"session", s->conn}, {"peer", s->peer}});
    close_session(*s, proto::CloseCode::KeepAliveTimeout, "no PDU received");
    return;
  }
  logger.info("keepalive_timeout",
              {{"session", s->conn}, {"user", s->log_user()}, {"peer", s->peer}});
  close_session(*s, proto::CloseCode::KeepAliveTimeout, "keep-alive timeout");
}

// --- public API ----------------------------------------------------------------------------

Core::Core(CoreConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Core::~Core() = default;

void Core::connection_opened(ConnHandle conn, std::string_view peer, TimePoint now,
                             std::optional<std::size_t> max_pdu_in_one_packet, bool offers_v2) {
  auto [it, inserted] = impl_->sessions.try_emplace(conn);
  if (!inserted) {
    impl_->logger.warn("duplicate_connection", {{"session", conn}, {"peer", peer}});
    return;
  }
  it->second = std::make_unique<Session>(conn, peer, impl_->next_serial++, impl_->config, now);
  Session& s = *it->second;
  s.max_pdu_in_one_packet = max_pdu_in_one_packet;
  s.offers_v2 = offers_v2;
  s.last_heard = now;
  if (max_pdu_in_one_packet) impl_->one_packet_limits.insert(*max_pdu_in_one_packet);
  impl_->deadlines.push(Deadline{s.keepalive_at, conn, s.serial, DeadlineKind::KeepAlive});
}

void Core::stream_data(ConnHandle conn, std::string_view bytes, TimePoint now) {
  Session* s = impl_->find_session(conn);
  if (s == nullptr || s->phase.is(Phase::Closing)) return;
  impl_->input_time = now;
  impl_->feed(*s, bytes, now);
}

void Core::stream_ended(ConnHandle conn, TimePoint now) {
  Session* s = impl_->find_session(conn);
  if (s == nullptr || s->phase.is(Phase::Closing)) return;
  impl_->input_time = now;
  impl_->end_of_stream(*s);
}

void Core::connection_closed(ConnHandle conn, std::string_view reason, TimePoint now) {
  auto it = impl_->sessions.find(conn);
  if (it == impl_->sessions.end()) return;
  Session& s = *it->second;
  impl_->input_time = now;
  impl_->end_presence(s, "connection lost");
  s.phase.close();
  impl_->release_prober(s);
  impl_->logger.at(
      s.kicked ? log::Level::Debug : log::Level::Info, "session_closed",
      {{"session", conn}, {"user", s.log_user()}, {"peer", s.peer}, {"reason", reason}});
  if (s.catching_up || !s.reading_convs.empty()) --impl_->sessions_holding_back;
  if (s.max_pdu_in_one_packet)
    impl_->one_packet_limits.erase(impl_->one_packet_limits.find(*s.max_pdu_in_one_packet));
  impl_->sessions.erase(it);
}

void Core::password_checked(ConnHandle conn, std::uint64_t ticket, PasswordCheck result,
                            TimePoint now, const AccountRef& account) {
  impl_->password_check_done();
  Session* s = impl_->find_session(conn);
  if (s == nullptr || !s->phase.is(Phase::LoginPending) || s->phase.ticket() != ticket) {
    impl_->logger.debug("stale_password_result", {{"session", conn}, {"ticket", ticket}});
    return;
  }
  impl_->input_time = now;
  if (result == PasswordCheck::Ok) {
    s->account_id = account.id;
    if (!account.name.empty()) s->pending_username = account.name;
  }
  impl_->on_password_result(*s, result, now);
  impl_->drain_pending(*s, now);
}

void Core::probe_answered(ConnHandle conn, TimePoint now) {
  Session* holder = impl_->find_session(conn);
  Session* s = holder != nullptr ? impl_->prober_of(*holder) : nullptr;
  if (s == nullptr) return;
  holder->probed_by = 0;
  impl_->input_time = now;
  s->probe_at.reset();
  impl_->logger.info("login_probe_answered",
                     {{"session", conn}, {"user", holder->log_user()}, {"new_session", s->conn}});
  s->phase.login_failed();
  impl_->fail_login(*s, LoginFailure::AlreadyLoggedIn, now, true);
  impl_->drain_pending(*s, now);
}

void Core::stored(std::uint64_t ticket, std::vector<history::OpResult> results, TimePoint now) {
  PendingStores::OnStored then = impl_->pending_stores.take_write(ticket);
  if (!then) {
    impl_->logger.warn("stale_store_result", {{"ticket", ticket}});
    return;
  }
  impl_->input_time = now;
  then(results);
}

void Core::read_done(std::uint64_t ticket, history::ReadResult result, TimePoint now) {
  PendingStores::OnRead then = impl_->pending_stores.take_read(ticket);
  if (!then) {
    impl_->logger.warn("stale_read_result", {{"ticket", ticket}});
    return;
  }
  impl_->input_time = now;
  then(result);
}

void Core::apply_live(const CoreConfig& next) {
  CoreConfig& c = impl_->config;
  c.max_login_attempts = next.max_login_attempts;
  c.login_retry_window = next.login_retry_window;
  c.keepalive_timeout = next.keepalive_timeout;
  c.first_pdu_timeout = next.first_pdu_timeout;
  c.login_probe_timeout = next.login_probe_timeout;
  c.max_pending_logins = next.max_pending_logins;
  c.limits = next.limits;
  c.message_rate = next.message_rate;
  c.login_rate_per_ip = next.login_rate_per_ip;
  c.login_rate_per_account = next.login_rate_per_account;
  impl_->login_by_ip.set_rate(next.login_rate_per_ip);
  impl_->login_by_account.set_rate(next.login_rate_per_account);
  c.allow_registration = next.allow_registration;
  c.registration_rate_per_ip = next.registration_rate_per_ip;
  impl_->registrations_by_ip.set_rate(next.registration_rate_per_ip);
  c.max_text_bytes = next.max_text_bytes;
  c.max_targets = next.max_targets;
  c.max_devices = next.max_devices;
}

void Core::tick(TimePoint now) {
  impl_->input_time = now;
  if (impl_->presence_slice_at && *impl_->presence_slice_at <= now) impl_->send_presence_slice();
  if (impl_->presence_flush_at && *impl_->presence_flush_at <= now) impl_->flush_presence();
  impl_->repair(impl_->order.due(now));
  while (true) {
    impl_->settle_deadlines();
    const Deadline* top = impl_->deadlines.top();
    if (top == nullptr || top->at > now) return;
    const Deadline due = *top;
    impl_->deadlines.pop();
    impl_->fire(due);
  }
}

// Settling only drops dead entries, which does not change what the core will do.
std::optional<TimePoint> Core::next_deadline() const {
  impl_->settle_deadlines();
  const Deadline* top = impl_->deadlines.top();
  std::optional<TimePoint> next = impl_->presence_flush_at;
  if (impl_->presence_slice_at && (!next || *impl_->presence_slice_at < *next))
    next = impl_->presence_slice_at;
  if (top != nullptr && (!next || top->at < *next)) next = top->at;
  if (const auto hole = impl_->order.next_deadline(); hole && (!next || *hole < *next)) next = hole;
  return next;
}

std::vector<Action>& Core::outbox() { return impl_->out.actions(); }

CoreStats Core::stats() const {
  CoreStats s = impl_->counters;
  s.connections = impl_->sessions.size();
  s.active_users = impl_->presence.size();
  s.sessions = impl_->presence.sessions();
  s.v2_sessions = impl_->v2_authenticated;
  s.presence_pending = impl_->presence_feed.pending() || impl_->presence_out.busy();
  s.pending_logins = impl_->checks_in_flight;
  s.rooms = impl_->rooms.size();
  s.store_requests_in_flight = impl_->pending_stores.size();
  s.bus_duplicates = impl_->order.stats().duplicates;
  std::set<std::string> remote;
  for (const auto& [node, names] : impl_->remote_online)
    for (const auto& [key, name] : names)
      if (impl_->presence.find_name(key) == nullptr) remote.insert(key);
  s.remote_online = remote.size();
  return s;
}

proto::UserList Core::active_users() const { return impl_->presence.user_list(); }

}  // namespace qc::chat
