#include "chat/login_flow.h"

namespace qc::chat {
namespace {

std::string_view failure_text(LoginFailure why) {
  switch (why) {
    case LoginFailure::InvalidCredentials:
      return "Invalid credentials";
    case LoginFailure::AlreadyLoggedIn:
      return "User already logged in";
    case LoginFailure::Throttled:
      return kLoginThrottledText;
    case LoginFailure::Busy:
      return kServerBusyText;
    case LoginFailure::StoreUnavailable:
      return kStoreUnavailableText;
    case LoginFailure::Interrupted:
      return kLoginInterruptedText;
  }
  return "Invalid credentials";
}

}  // namespace

// FNV-1a (64 bits) from a keyed offset basis; the high half, whose bits depend on every bit of the
// state, is shown.
std::string name_hash(std::string_view name, std::uint64_t key) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ key;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 0; i < 8; ++i) out[i] = kHex[(h >> (60 - 4 * i)) & 15];
  return out;
}

bool counts_as_attempt(LoginFailure why) {
  return why != LoginFailure::Busy && why != LoginFailure::StoreUnavailable &&
         why != LoginFailure::Interrupted;
}

FailedLoginReply failed_login_reply(LoginFailure why, int failures, int max_attempts) {
  const int attempts_left = max_attempts - failures;
  if (!counts_as_attempt(why) && attempts_left > 0) {  // no attempt used: no count to show
    return FailedLoginReply{proto::MsgType::LoginUnsuccessfulRetry, std::string(failure_text(why)),
                            false};
  }
  if (attempts_left <= 0) {
    // A throttled client keeps the throttle text: it says why, and when to come back.
    const std::string_view text =
        why == LoginFailure::Throttled ? kLoginThrottledText : kMaxAttemptsText;
    return FailedLoginReply{proto::MsgType::LoginUnsuccessfulDisconnect, std::string(text), true};
  }
  if (why == LoginFailure::Throttled) {
    return FailedLoginReply{proto::MsgType::LoginUnsuccessfulRetry,
                            std::string(kLoginThrottledText), false};
  }
  std::string error(failure_text(why));
  error.append(". Attempts left: ").append(std::to_string(attempts_left));
  return FailedLoginReply{proto::MsgType::LoginUnsuccessfulRetry, std::move(error), false};
}

}  // namespace qc::chat
