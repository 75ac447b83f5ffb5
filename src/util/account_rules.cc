#include "util/account_rules.h"

#include <algorithm>

namespace qc {

bool valid_username(std::string_view name) {
  if (name.empty() || name.size() > kMaxUsernameChars) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

std::optional<std::string> password_problem(std::string_view password) {
  if (password.empty()) return "empty password";
  if (password.size() > kMaxPasswordBytes) {
    return "password too long: at most " + std::to_string(kMaxPasswordBytes) + " bytes";
  }
  // bcrypt takes a C string: a NUL would cut the password short.
  if (password.find('\0') != std::string_view::npos) return "password contains a NUL byte";
  return std::nullopt;
}

}  // namespace qc
