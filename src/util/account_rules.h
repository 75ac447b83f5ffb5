// The rules every way of creating or changing an account follows (`quicchat user add`, the
// server's self-registration and password change): which names and which passwords are taken.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace qc {

inline constexpr std::size_t kMaxUsernameChars = 32;
// The longest password line `quicchat user` reads; bcrypt itself uses only the first 72 bytes.
inline constexpr std::size_t kMaxPasswordBytes = 4096;

// 1..32 characters of [A-Za-z0-9_.-].
bool valid_username(std::string_view name);
// The sentence that refuses a name valid_username refuses.
inline constexpr std::string_view kUsernameRule = "1-32 characters of A-Z a-z 0-9 _ . -";

// Why `password` cannot be an account's new password ("empty password"), or nullopt when it can.
std::optional<std::string> password_problem(std::string_view password);

}  // namespace qc
