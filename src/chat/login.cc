// The login flow: LOGIN -> VerifyPassword -> password_checked -> ACK / RETRY / DISCONNECT; with
// the right password for a name that is active elsewhere, first a probe of that session.
#include <cstdint>

#include "chat/core_impl.h"
#include "chat/login_flow.h"

namespace qc::chat {
namespace {

std::string_view v2_login_error_code(LoginFailure why) {
  switch (why) {
    case LoginFailure::Throttled:
      return proto::v2::code::kThrottled;
    case LoginFailure::Busy:
      return proto::v2::code::kServerBusy;
    case LoginFailure::AlreadyLoggedIn:
      return proto::v2::code::kAlreadyLoggedIn;
    case LoginFailure::StoreUnavailable:
      return proto::v2::code::kStoreFailed;
    case LoginFailure::Interrupted:
      return proto::v2::code::kLoginInterrupted;
    case LoginFailure::InvalidCredentials:
      break;
  }
  return proto::v2::code::kBadCredentials;
}

std::string_view failure_name(LoginFailure why) {
  switch (why) {
    case LoginFailure::AlreadyLoggedIn:
      return "already logged in";
    case LoginFailure::Throttled:
      return "throttled";
    case LoginFailure::Busy:
      return "server busy";
    case LoginFailure::StoreUnavailable:
      return "account store unavailable";
    case LoginFailure::Interrupted:
      return "interrupted by an end of the account's sessions";
    case LoginFailure::InvalidCredentials:
      break;
  }
  return "invalid credentials";
}

}  // namespace

void Core::Impl::on_login(Session& s, const Route& /*route*/, const proto::Pdu& pdu,
                          TimePoint now) {
  proto::Decoded<proto::LoginRequest> login = proto::decode_login(pdu.msg, config.limits);
  if (!login) {
    malformed(s, login.error().detail);
    return;
  }
  begin_login(s, std::move(login->username), std::move(login->password), now);
}

// Both protocols: the rate limits, the name rules and the bound on checks in flight, then the
// password check off the loop.
void Core::Impl::begin_login(Session& s, std::string username, std::string password,
                             TimePoint now) {
  s.retry_at.reset();
  s.pending_username = std::move(username);
  s.login_interrupted = false;
  if (!login_allowed(s, s.pending_username, now)) {
    fail_login(s, LoginFailure::Throttled, now, false);
    return;
  }
  if (!valid_username(s.pending_username)) {
    fail_login(s, LoginFailure::InvalidCredentials, now, false);
    return;
  }
  if (hash_queue_full()) {
    login_by_ip.refund(s.ip);  // no password was checked: nothing to charge
    login_by_account.refund(name_key(s.pending_username));
    fail_login(s, LoginFailure::Busy, now, false);
    return;
  }
  s.phase.start_check(next_ticket++);
  ++checks_in_flight;
  out.verify_password(s.conn, s.phase.ticket(), s.pending_username, std::move(password));
}

// The per-address and per-account budgets, checked before any password work. A name that cannot
// exist gets no bucket of its own (it never reaches bcrypt), but still spends the address's.
bool Core::Impl::login_allowed(Session& s, std::string_view username, TimePoint now) {
  if (!login_by_ip.take(s.ip, now)) return false;
  return !valid_username(username) || login_by_account.take(name_key(username), now);
}

// The bound on password checks in flight: past it a LOGIN is refused at once rather than queued
// behind minutes of bcrypt work. One warning per episode of overload, one line when it ends.
bool Core::Impl::hash_queue_full() {
  if (config.max_pending_logins == 0 || checks_in_flight < config.max_pending_logins) return false;
  if (busy_since_full++ == 0) {
    logger.warn("login_queue_full", {{"pending_checks", checks_in_flight},
                                     {"max_pending_logins", config.max_pending_logins}});
  }
  return true;
}

void Core::Impl::password_check_done() {
  if (checks_in_flight > 0) --checks_in_flight;
  if (busy_since_full > 0 && checks_in_flight < config.max_pending_logins) {
    logger.info("login_queue_ok",
                {{"pending_checks", checks_in_flight}, {"refused_while_full", busy_since_full}});
    busy_since_full = 0;
  }
}

// Every attempt is charged up front (it costs a bcrypt check); one with the right password is
// refunded, so only failures use up a budget: honest users reconnecting are never throttled.
void Core::Impl::on_password_result(Session& s, PasswordCheck result, TimePoint now) {
  if (result == PasswordCheck::Ok) {
    login_by_ip.refund(s.ip);
    login_by_account.refund(name_key(s.pending_username));
  }
  if (result == PasswordCheck::StoreUnavailable || s.login_interrupted) {  // nothing to charge
    login_by_ip.refund(s.ip);
    login_by_account.refund(name_key(s.pending_username));
    s.phase.login_failed();
    fail_login(s, s.login_interrupted ? LoginFailure::Interrupted : LoginFailure::StoreUnavailable,
               now, false);
  } else if (result != PasswordCheck::Ok) {
    s.phase.login_failed();
    fail_login(s, LoginFailure::InvalidCredentials, now, result == PasswordCheck::WrongPassword);
  } else {
    settle_login(s, now);
  }
}

// The right password: admit, or probe the session holding the name, or refuse as before. One
// probe per holder: a second login meanwhile is refused at once.
void Core::Impl::settle_login(Session& s, TimePoint now) {
  const std::size_t held = s.version == 2 ? 0 : sessions_of(s.pending_username);
  // Only an account's one session can be probed: with several (v2 devices), which would it ask?
  Session* holder = held == 1 ? find_holder(s.pending_username) : nullptr;
  // A session on another node cannot be probed from here: v1 refuses it as a duplicate.
  const bool held_elsewhere =
      s.version != 2 && clustered() && online_remotely(name_key(s.pending_username));
  if (held == 0 && !held_elsewhere) {
    complete_login(s);
  } else if (config.login_probe_timeout.count() > 0 && s.phase.is(Phase::LoginPending) &&
             holder != nullptr && prober_of(*holder) == nullptr) {
    start_probe(s, *holder, now);
  } else {
    s.phase.login_failed();
    fail_login(s, LoginFailure::AlreadyLoggedIn, now, true);
  }
}

std::size_t Core::Impl::sessions_of(std::string_view username) const {
  const Member* m = presence.find_name(username);
  return m == nullptr ? 0 : m->conns.size();
}

// The oldest session of the account `username` (v1: its only one), if it is online.
Session* Core::Impl::find_holder(std::string_view username) {
  const Member* m = presence.find_name(username);
  return m == nullptr || m->conns.empty() ? nullptr : find_session(m->conns.front());
}

// The session in LOGIN_PROBING that waits for `holder`'s probe, if any still does.
Session* Core::Impl::prober_of(const Session& holder) {
  Session* p = holder.probed_by != 0 ? find_session(holder.probed_by) : nullptr;
  if (p == nullptr || !p->phase.is(Phase::LoginProbing) ||
      p->phase.probing().probed_serial != holder.serial) {
    return nullptr;
  }
  return p;
}

void Core::Impl::start_probe(Session& s, Session& holder, TimePoint now) {
  s.phase.start_probe(holder.conn, holder.serial);
  holder.probed_by = s.conn;
  s.probe_at = now + config.login_probe_timeout;
  deadlines.push(Deadline{*s.probe_at, s.conn, s.serial, DeadlineKind::LoginProbe});
  logger.info("login_probe", {{"session", s.conn},
                              {"user", s.pending_username},
                              {"peer", s.peer},
                              {"probed_session", holder.conn},
                              {"probed_peer", holder.peer}});
  out.probe(holder.conn);
}

// No answer in time: the holder's client is gone. Closing it admits the waiting login
// (release_prober).
void Core::Impl::probe_unanswered(Session& s, TimePoint now) {
  s.probe_at.reset();
  const SessionPhase::LoginProbing probing = s.phase.probing();
  Session* holder = find_session(probing.probed);
  if (holder != nullptr && holder->serial == probing.probed_serial) {
    logger.info("login_probe_unanswered", {{"session", holder->conn},
                                           {"user", holder->log_user()},
                                           {"peer", holder->peer},
                                           {"new_session", s.conn}});
    close_session(*holder, proto::CloseCode::KeepAliveTimeout, kProbeUnansweredReason);
  }
  if (s.phase.is(Phase::LoginProbing)) settle_login(s, now);  // the holder left unnoticed
  drain_pending(s, now);
}

// `holder` is leaving presence (closing or closed): a login probing it is admitted now.
void Core::Impl::release_prober(Session& holder) {
  Session* p = prober_of(holder);
  holder.probed_by = 0;
  if (p == nullptr) return;
  p->probe_at.reset();
  complete_login(*p);
  drain_pending(*p, input_time);
}

void Core::Impl::fail_login(Session& s, LoginFailure why, TimePoint now, bool known_account) {
  if (counts_as_attempt(why)) ++s.failed_logins;
  count_failure(why);
  const log::Field who =
      known_account ? log::Field("user", s.pending_username)
                    : log::Field("user_hash", name_hash(s.pending_username, config.log_hash_key));
  logger.info("login_failed", {{"session", s.conn},
                               who,
                               {"peer", s.peer},
                               {"reason", failure_name(why)},
                               {"failures", s.failed_logins}});
  const FailedLoginReply reply =
      failed_login_reply(why, s.failed_logins, config.max_login_attempts);
  if (s.version == 2) {
    send_error_v2(s, s.pending_rid,
                  reply.disconnect ? proto::v2::code::kTooManyAttempts : v2_login_error_code(why),
                  reply.error);
  } else {
    send_error(s, reply.type, reply.error);
  }
  if (reply.disconnect) {
    close_session(s, proto::CloseCode::LoginFailed, "maximum login attempts exceeded");
    return;
  }
  s.retry_at = now + config.login_retry_window;
  deadlines.push(Deadline{*s.retry_at, s.conn, s.serial, DeadlineKind::LoginRetry});
}

// Each refused attempt lands in exactly one result of quicchat_logins_total (docs/OPERATIONS.md).
void Core::Impl::count_failure(LoginFailure why) {
  switch (why) {
    case LoginFailure::InvalidCredentials:
      ++counters.failed_logins;
      return;
    case LoginFailure::AlreadyLoggedIn:
      ++counters.already_logged_in;
      return;
    case LoginFailure::Throttled:
      ++counters.throttled_logins;
      return;
    case LoginFailure::Busy:
      ++counters.busy_logins;
      return;
    case LoginFailure::StoreUnavailable:
      ++counters.store_unavailable_logins;
      return;
    case LoginFailure::Interrupted:
      ++counters.interrupted_logins;
      return;
  }
}

// In presence; an account's first session announces it (v1 lists now, v2 events at the flush).
// A v2 device then replaces its own older session and, over the limit, the least recently heard.
void Core::Impl::complete_login(Session& s) {
  std::uint64_t v1_id = 0;
  if (!v1_id_for(s, v1_id)) return;  // a cluster's: waits for a block of v1 ids
  s.username = std::move(s.pending_username);
  s.pending_username.clear();
  s.logged_in_ms = wall_ms(input_time);
  const Presence::Added added = presence.add(s.username, s.conn, s.account_id, v1_id);
  s.phase.login_succeeded(added.user_id);
  ++(s.version == 2 ? v2_authenticated : v1_authenticated);
  ++counters.logins;
  logger.info("login", {{"session", s.conn},
                        {"user", s.username},
                        {"user_id", s.phase.user_id()},
                        {"protocol", s.version},
                        {"device", s.device},
                        {"peer", s.peer}});
  if (added.came_online) went_online(s);
  if (s.version == 2) {
    send_welcome(s);
    replace_devices(s);
    return;
  }
  if (!s.phase.is(Phase::Closing))
    out.send(s.conn, presence_pdu(proto::MsgType::LoginAck, v1_user_list(),
                                  s.max_pdu_in_one_packet.value_or(SIZE_MAX)));
}

void Core::Impl::went_online(const Session& s) {
  broadcast_presence(proto::MsgType::LoginBroadcast, s.conn);
  if (!local_presence_changed(s, true)) return;  // online on another node already
  presence_feed.changed(s.username, true);
  schedule_presence_flush();
}

void Core::Impl::replace_devices(Session& s) {
  const Member* m = presence.find(s.phase.user_id());
  if (m == nullptr) return;
  std::vector<Session*> others;
  for (ConnHandle conn : m->conns) {
    Session* o = find_session(conn);
    if (o != nullptr && o != &s) others.push_back(o);
  }
  for (Session*& o : others) {
    if (o->device != s.device) continue;
    ++counters.replaced_sessions;
    close_session(*o, proto::CloseCode::Replaced, "replaced by a new session of the same device");
    o = nullptr;
  }
  std::erase(others, nullptr);
  std::sort(others.begin(), others.end(),
            [](const Session* a, const Session* b) { return a->last_heard < b->last_heard; });
  for (std::size_t i = 0; i < others.size() && others.size() - i + 1 > config.max_devices; ++i) {
    ++counters.replaced_sessions;
    close_session(*others[i], proto::CloseCode::Replaced,
                  "replaced: the account has reached its limit of " +
                      std::to_string(config.max_devices) + " devices");
  }
}

void Core::Impl::login_timeout(Session& s) {
  logger.info("login_failed", {{"session", s.conn}, {"peer", s.peer}, {"reason", "login timeout"}});
  if (s.version == 2)
    send_error_v2(s, s.pending_rid, proto::v2::code::kLoginTimeout, std::string(kLoginTimeoutText));
  else
    send_error(s, proto::MsgType::LoginUnsuccessfulDisconnect, kLoginTimeoutText);
  close_session(s, proto::CloseCode::LoginFailed, "login timeout");
}

}  // namespace qc::chat
