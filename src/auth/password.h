// bcrypt password hashing via libcrypt. Hashes made by Python's bcrypt ($2b$, $2a$, $2y$) verify.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace qc::auth {

inline constexpr int kDefaultCost = 12;
inline constexpr int kMinCost = 4;
inline constexpr int kMaxCost = 31;

// bcrypt reads at most the first 72 bytes of a password: longer passwords that share those 72
// bytes hash alike. A password containing a NUL byte is refused (C strings would cut it short).

// A new $2b$ hash with a random salt. Fails on a cost outside [kMinCost, kMaxCost] or a NUL byte.
Result<std::string> hash_password(std::string_view password, int cost = kDefaultCost);

// True when `password` matches `hash`. Never throws; a malformed hash is simply false.
// The final comparison takes constant time.
bool verify_password(std::string_view password, std::string_view hash);

// True when `hash` has the shape of a bcrypt hash: $2a$, $2b$ or $2y$, a cost in range,
// 53 characters of bcrypt's base64. Says nothing about which password it matches.
bool is_bcrypt_hash(std::string_view hash);

// A valid hash of a random password at `cost`: verifying against it costs the same as a real
// check, so an unknown user cannot be told from a wrong password by timing.
const std::string& dummy_hash(int cost);

}  // namespace qc::auth
