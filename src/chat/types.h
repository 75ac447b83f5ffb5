// The chat core's vocabulary, shared by its parts and by the glue that drives it: connection
// handles, time, rate limits and the actions the core asks its caller to carry out.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "chat/history.h"
#include "proto/bus/events.h"
#include "util/bytes.h"

namespace qc::chat {

using ConnHandle = std::uint64_t;  // the transport's connection handle
using TimePoint = std::chrono::steady_clock::time_point;
using Duration = std::chrono::milliseconds;

// A token bucket's parameters: `per_second` tokens are added continuously up to `burst`;
// per_second <= 0 turns the limit off.
struct RateLimit {
  double per_second = 0;
  double burst = 0;
  bool enabled() const { return per_second > 0; }
};

// The answer to a VerifyPassword. The caller checks a name with no account against a dummy hash
// all the same (it must take as long as a wrong password); the core needs to know which it was
// only to decide whether the log may show the name.
// StoreUnavailable: the account store could not be read (PostgreSQL unreachable): the login is
// refused with its own error, and uses up no attempt.
enum class PasswordCheck { Ok, WrongPassword, NoSuchAccount, StoreUnavailable };

// The answer to a ChangePassword or CreateAccount.
enum class AccountChange {
  Done,           // stored
  WrongPassword,  // ChangePassword: the old password does not match
  NoSuchAccount,  // ChangePassword: the account was deleted meanwhile
  NameTaken,      // CreateAccount: an account has the name (in any case)
  Failed,         // the account store refused (the log says why)
};

namespace action {
struct Send {  // one encoded PDU for one connection (a reply)
  ConnHandle conn;
  SharedBytes bytes;
};
struct Deliver {  // one encoded PDU for many connections (a message, a presence list)
  SharedBytes bytes;
  std::vector<ConnHandle> recipients;  // in delivery order
  // A presence list (LOGIN_BROADCAST / LOGOUT_BROADCAST): it carries the whole state, so the
  // transport may let a newer one supersede it while it is still unsent.
  bool replaceable = false;
};
struct Close {  // close after what was sent before it
  ConnHandle conn;
  std::uint64_t code;  // proto::CloseCode
  std::string reason;
};
struct VerifyPassword {  // check off the loop, then call Core::password_checked(conn, ticket, ...)
  ConnHandle conn;
  std::uint64_t ticket;
  std::string username;
  std::string password;
};
// Both off the loop, on the password hashing workers, then Core::account_changed(conn, ticket, ..):
// check `old_password` against the account's hash, then store a hash of `new_password` at the
// server's bcrypt cost ...
struct ChangePassword {
  ConnHandle conn;
  std::uint64_t ticket;
  std::string username;
  std::string old_password;
  std::string new_password;
};
// ... or create the account `username` with a hash of `password`.
struct CreateAccount {
  ConnHandle conn;
  std::uint64_t ticket;
  std::string username;
  std::string password;
};
struct Probe {  // ask the transport whether conn's peer is there; Core::probe_answered if so
  ConnHandle conn;
};
// Apply these writes in one transaction, durably (fsync before the answer), then call
// Core::stored(ticket, results) with one result per op. Off the loop; first in, first out with
// ReadStore.
struct Store {
  std::uint64_t ticket;
  std::vector<history::Op> ops;
};
struct ReadStore {  // run the query after every Store asked for before it; Core::read_done
  std::uint64_t ticket;
  history::Query query;
};
// A cluster: publish the event on the bus (to every other node). A Presence event also names an
// account whose first session on this node opened or whose last closed: the bus's set_online.
struct Publish {
  proto::bus::Event event;
};
// A cluster: take `count` v1 user ids from the cluster's counter, the first above `above` (the
// counter is raised to it first: a Redis that lost it never gives an id twice). Answer
// Core::v1_ids_taken with the first, or nullopt when the bus cannot.
struct TakeV1Ids {
  std::uint64_t count;
  std::uint64_t above;
};
}  // namespace action

using Action = std::variant<action::Send, action::Deliver, action::Close, action::VerifyPassword,
                            action::Probe, action::Store, action::ReadStore, action::ChangePassword,
                            action::CreateAccount, action::Publish, action::TakeV1Ids>;

}  // namespace qc::chat
