// The login rules as pure functions: which names are acceptable and what a failed attempt answers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/pdu.h"
#include "util/account_rules.h"

namespace qc::chat {

// 1..32 characters of [A-Za-z0-9_.-]: the rule `quicchat user add` follows too.
using qc::valid_username;

enum class LoginFailure {
  InvalidCredentials,  // wrong password, or a name that cannot exist
  AlreadyLoggedIn,     // right password, but the name is active on another session
  Throttled,           // refused by a login rate limit before any password check
  Busy,                // refused because too many password checks are in flight (no attempt used)
  StoreUnavailable,    // the account store could not be read (no attempt used)
  Interrupted,         // the account's sessions were ended while its password was checked
                       // (passwd, delete, kick): the check may have read the old hash
};

// What the log shows instead of a LOGIN name that is not a known account's (it may be a password
// typed into the name field): 8 hex digits of a hash keyed with `key`, enough to tell repeated
// names apart within one server run.
std::string name_hash(std::string_view name, std::uint64_t key);

// False for a refusal that says nothing about the password (Busy): it uses up no attempt.
bool counts_as_attempt(LoginFailure why);

struct FailedLoginReply {
  proto::MsgType type = proto::MsgType::LoginUnsuccessfulRetry;
  std::string error;
  bool disconnect = false;  // attempts exhausted
};

// The answer to a failed attempt, given the failures so far (this one included).
FailedLoginReply failed_login_reply(LoginFailure why, int failures, int max_attempts);

inline constexpr std::string_view kLoginTimeoutText = "Login timeout. Please try again.";
// The close reason of a session whose client did not answer the probe a new login started.
inline constexpr std::string_view kProbeUnansweredReason = "no answer to a liveness probe";
inline constexpr std::string_view kMaxAttemptsText = "Maximum login attempts exceeded.";
inline constexpr std::string_view kAlreadyAuthenticatedText = "Already logged in";
inline constexpr std::string_view kNotAuthenticatedText = "User not authenticated";
inline constexpr std::string_view kLoginThrottledText = "Too many login attempts. Try again later.";
inline constexpr std::string_view kServerBusyText = "Server busy. Try again later.";
inline constexpr std::string_view kStoreUnavailableText =
    "Login unavailable: the account store cannot be reached. Try again later.";
inline constexpr std::string_view kLoginInterruptedText =
    "Login interrupted: the account's sessions were ended meanwhile. Please try again.";
inline constexpr std::string_view kRateLimitedText = "Rate limited: slow down";

}  // namespace qc::chat
