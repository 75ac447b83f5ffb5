// The login flow: LOGIN -> VerifyPassword -> password_checked -> ACK / RETRY / DISCONNECT.
#include "chat/core_impl.h"
#include "chat/login_flow.h"
#include "util/log.h"

namespace qc::chat {
namespace {

std::string_view failure_name(LoginFailure why) {
  return why == LoginFailure::AlreadyLoggedIn ? "already logged in" : "invalid credentials";
}

}  // namespace

void Core::Impl::on_login(Session& s, const proto::Pdu& pdu, TimePoint now) {
  if (s.authenticated()) {
    send_error(s, proto::MsgType::MsgUnsuccessful, kAlreadyAuthenticatedText);
    return;
  }
  proto::Decoded<proto::LoginRequest> login = proto::decode_login(pdu.msg, config.limits);
  if (!login) {
    malformed(s, login.error().detail);
    return;
  }
  s.retry_at.reset();
  s.pending_username = std::move(login->username);
  if (!valid_username(s.pending_username)) {
    fail_login(s, LoginFailure::InvalidCredentials, now);
    return;
  }
  s.ticket = next_ticket++;
  out.verify_password(s.conn, *s.ticket, s.pending_username, std::move(login->password));
}

void Core::Impl::on_password_result(Session& s, bool ok, TimePoint now) {
  if (!ok) {
    fail_login(s, LoginFailure::InvalidCredentials, now);
  } else if (presence.contains_name(s.pending_username)) {
    fail_login(s, LoginFailure::AlreadyLoggedIn, now);
  } else {
    complete_login(s);
  }
}

void Core::Impl::fail_login(Session& s, LoginFailure why, TimePoint now) {
  ++s.failed_logins;
  ++counters.failed_logins;
  log::info("login_failed", {{"session", s.conn},
                             {"user", s.pending_username},
                             {"peer", s.peer},
                             {"reason", failure_name(why)},
                             {"failures", s.failed_logins}});
  const FailedLoginReply reply =
      failed_login_reply(why, s.failed_logins, config.max_login_attempts);
  send_error(s, reply.type, reply.error);
  if (reply.disconnect) {
    close_session(s, proto::CloseCode::LoginFailed, "maximum login attempts exceeded");
    return;
  }
  s.retry_at = now + config.login_retry_window;
  deadlines.push(Deadline{*s.retry_at, s.conn, s.serial, DeadlineKind::LoginRetry});
}

void Core::Impl::complete_login(Session& s) {
  s.username = std::move(s.pending_username);
  s.pending_username.clear();
  s.user_id = presence.add(s.username, s.conn);
  ++counters.logins;
  advance(s, proto::ConnEvent::LoginSucceeded);
  log::info("login",
            {{"session", s.conn}, {"user", s.username}, {"user_id", *s.user_id}, {"peer", s.peer}});
  broadcast_presence(proto::MsgType::LoginBroadcast, s.conn);
  send_to(s, proto::MsgType::LoginAck, proto::encode_user_list(presence.user_list()));
}

void Core::Impl::login_timeout(Session& s) {
  log::info("login_failed", {{"session", s.conn}, {"peer", s.peer}, {"reason", "login timeout"}});
  send_error(s, proto::MsgType::LoginUnsuccessfulDisconnect, kLoginTimeoutText);
  close_session(s, proto::CloseCode::LoginFailed, "login timeout");
}

}  // namespace qc::chat
