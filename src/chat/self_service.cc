// Accounts users manage themselves (v2): `passwd` changes the logged-in account's password and
// ends its other sessions; `register` creates an account before login where the server allows
// it. Both are bcrypt work, done off the loop by the glue (action::ChangePassword, CreateAccount)
// and answered through Core::account_changed.
#include "chat/core_impl.h"
#include "chat/login_flow.h"

namespace qc::chat {
namespace {

namespace v2 = proto::v2;

inline constexpr std::string_view kPasswordChangedReason = "password changed on another session";

}  // namespace

void Core::Impl::on_passwd_v2(Session& s, v2::Passwd passwd, TimePoint now) {
  if (auto problem = password_problem(passwd.new_password))
    return send_error_v2(s, passwd.rid, v2::code::kBadPassword, std::move(*problem));
  // A wrong old password is a guess at the account's password: the login budget pays for it.
  if (!login_by_account.take(name_key(s.username), now)) {
    ++counters.throttled_logins;
    return send_error_v2(s, passwd.rid, v2::code::kThrottled, std::string(kLoginThrottledText));
  }
  if (!may_start_account_change(s, passwd.rid)) {
    login_by_account.refund(name_key(s.username));
    return;
  }
  const std::uint64_t ticket = start_account_change(s, passwd.rid, true);
  out.change_password(
      {s.conn, ticket, s.username, std::move(passwd.old_password), std::move(passwd.new_password)});
}

void Core::Impl::on_register_v2(Session& s, v2::Register request, TimePoint now) {
  const std::uint64_t rid = request.rid;
  if (!config.allow_registration) {
    return send_error_v2(s, rid, v2::code::kRegistrationClosed,
                         "this server does not allow registration");
  }
  if (!valid_username(request.user)) {
    return send_error_v2(s, rid, v2::code::kBadName,
                         "an account name is " + std::string(kUsernameRule));
  }
  if (auto problem = password_problem(request.password))
    return send_error_v2(s, rid, v2::code::kBadPassword, std::move(*problem));
  // Charged before the name is looked up: name_taken must not become a cheap way to list names.
  if (!registrations_by_ip.take(s.ip, now)) {
    return send_error_v2(s, rid, v2::code::kThrottled,
                         "too many registrations from this address; try again later");
  }
  const bool taken = presence.find_name(request.user) != nullptr ||
                     (config.directory && config.directory->find(request.user));
  if (taken) {
    return send_error_v2(s, rid, v2::code::kNameTaken, "the name " + request.user + " is taken");
  }
  if (!may_start_account_change(s, rid)) {
    registrations_by_ip.refund(s.ip);
    return;
  }
  const std::uint64_t ticket = start_account_change(s, rid, false);
  account_changes[ticket].username = request.user;
  out.create_account({s.conn, ticket, std::move(request.user), std::move(request.password)});
}

bool Core::Impl::may_start_account_change(Session& s, std::uint64_t rid) {
  for (const auto& [ticket, request] : account_changes) {
    if (request.who.conn == s.conn && request.who.serial == s.serial) {
      send_error_v2(s, rid, v2::code::kServerBusy,
                    "request " + std::to_string(request.rid) + " is not answered yet");
      return false;
    }
  }
  if (hash_queue_full()) {
    ++counters.busy_logins;
    send_error_v2(s, rid, v2::code::kServerBusy, std::string(kServerBusyText));
    return false;
  }
  return true;
}

std::uint64_t Core::Impl::start_account_change(Session& s, std::uint64_t rid, bool passwd) {
  const std::uint64_t ticket = next_ticket++;
  ++checks_in_flight;  // the same workers and bound as the login's password checks
  account_changes[ticket] = AccountChangeRequest{ref_of(s), rid, passwd, s.username};
  return ticket;
}

void Core::account_changed(ConnHandle conn, std::uint64_t ticket, AccountChange result,
                           TimePoint now) {
  impl_->password_check_done();
  auto it = impl_->account_changes.find(ticket);
  if (it == impl_->account_changes.end() || it->second.who.conn != conn) {
    impl_->logger.debug("stale_account_change", {{"session", conn}, {"ticket", ticket}});
    return;
  }
  const Impl::AccountChangeRequest request = std::move(it->second);
  impl_->account_changes.erase(it);
  impl_->input_time = now;
  Session* s = impl_->find_session(conn);  // the one that asked, if it is still there
  if (s != nullptr && (s->serial != request.who.serial || s->phase.is(Phase::Closing))) s = nullptr;
  namespace code = proto::v2::code;
  switch (result) {
    case AccountChange::Done:
      if (request.passwd) return impl_->password_changed(request.username, s, request.rid);
      ++impl_->counters.registrations;
      impl_->logger.info("registered", {{"session", conn},
                                        {"user", request.username},
                                        {"peer", s != nullptr ? s->peer : std::string("-")}});
      if (s != nullptr) impl_->send_frame(*s, proto::v2::Ok{request.rid});
      return;
    case AccountChange::WrongPassword:
      if (s != nullptr)
        impl_->send_error_v2(*s, request.rid, code::kWrongPassword, "the old password is wrong");
      return;
    case AccountChange::NoSuchAccount:
      if (s != nullptr)
        impl_->send_error_v2(*s, request.rid, code::kNoSuchUser, "the account no longer exists");
      return;
    case AccountChange::NameTaken:
      if (s != nullptr) {
        impl_->send_error_v2(*s, request.rid, code::kNameTaken,
                             "the name " + request.username + " is taken");
      }
      return;
    case AccountChange::Failed:
      if (s != nullptr)
        impl_->send_error_v2(*s, request.rid, code::kInternal, "the account store failed");
      return;
  }
}

// The right old password: its budget is given back, as a login's is. Every other session of the
// account ends, on every device: whoever knew the old password is out.
void Core::Impl::password_changed(const std::string& username, Session* caller, std::uint64_t rid) {
  login_by_account.refund(name_key(username));
  ++counters.password_changes;
  const std::size_t ended = close_account_sessions(
      username, caller, proto::CloseCode::PasswordChanged, kPasswordChangedReason);
  if (clustered())
    out.publish(proto::bus::EndSessions{username, proto::to_wire(proto::CloseCode::PasswordChanged),
                                        std::string(kPasswordChangedReason)});
  logger.info("password_changed", {{"session", caller != nullptr ? caller->conn : 0},
                                   {"user", username},
                                   {"peer", caller != nullptr ? caller->peer : std::string("-")},
                                   {"sessions_ended", ended}});
  if (caller != nullptr) send_frame(*caller, proto::v2::Ok{rid});
}

// A login whose password check is in flight may have read the hash a passwd or delete is
// replacing: its result is not trusted (refused, no attempt used). Rare, so a walk is fine.
void Core::Impl::interrupt_logins_in_check(std::string_view username) {
  const std::string key = name_key(username);
  for (auto& [conn, s] : sessions) {
    if (s->phase.is(Phase::LoginPending) && name_key(s->pending_username) == key)
      s->login_interrupted = true;
  }
}

std::size_t Core::Impl::close_account_sessions(std::string_view username, const Session* except,
                                               proto::CloseCode code, std::string_view reason,
                                               const std::function<void(Session&)>& each) {
  interrupt_logins_in_check(username);
  const Member* m = presence.find_name(username);
  if (m == nullptr) return 0;
  const std::vector<ConnHandle> conns = m->conns;  // closing changes the member
  std::size_t closed = 0;
  for (ConnHandle conn : conns) {
    Session* s = find_session(conn);
    if (s == nullptr || s == except || s->phase.is(Phase::Closing)) continue;
    if (each) each(*s);
    close_session(*s, code, reason);
    ++closed;
  }
  return closed;
}

}  // namespace qc::chat
