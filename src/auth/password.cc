#include "auth/password.h"

#include <crypt.h>

#include <map>
#include <memory>
#include <mutex>
#include <random>

namespace qc::auth {
namespace {

constexpr std::size_t kBcryptHashLength = 60;  // "$2b$" + "NN$" + 22 salt + 31 digest

// crypt_data is 32 KiB: too big for the stack of a worker thread, so each call gets its own
// zeroed heap copy. No static buffers: every call is independent and thread-safe.
struct CryptScratch {
  std::unique_ptr<crypt_data> data = std::make_unique<crypt_data>();
};

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// crypt_rn() needs NUL-terminated strings.
std::string bcrypt_raw(std::string_view password, std::string_view setting, bool& ok) {
  CryptScratch scratch;
  const std::string phrase(password);
  const std::string salt(setting);
  const char* out = crypt_rn(phrase.c_str(), salt.c_str(), scratch.data.get(),
                             static_cast<int>(sizeof(crypt_data)));
  ok = out != nullptr && out[0] != '*';
  return ok ? std::string(out) : std::string();
}

}  // namespace

bool is_bcrypt_hash(std::string_view hash) {
  if (hash.size() != kBcryptHashLength) return false;
  const std::string_view prefix = hash.substr(0, 4);
  if (prefix != "$2a$" && prefix != "$2b$" && prefix != "$2y$") return false;
  if (!is_digit(hash[4]) || !is_digit(hash[5]) || hash[6] != '$') return false;
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < kMinCost || cost > kMaxCost) return false;
  for (char c : hash.substr(7)) {
    const bool base64 =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '.' || c == '/';
    if (!base64) return false;
  }
  return true;
}

Result<std::string> hash_password(std::string_view password, int cost) {
  if (cost < kMinCost || cost > kMaxCost) {
    return fail("bad_cost", "bcrypt cost must be between " + std::to_string(kMinCost) + " and " +
                                std::to_string(kMaxCost) + ", got " + std::to_string(cost));
  }
  if (has_nul(password)) return fail("bad_password", "a password must not contain a NUL byte");
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  // A null random-bytes argument makes libxcrypt draw the salt from the OS itself.
  if (!crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, setting,
                        sizeof setting)) {
    return fail("crypt", "crypt_gensalt_rn failed to make a bcrypt salt");
  }
  bool ok = false;
  std::string hash = bcrypt_raw(password, setting, ok);
  if (!ok || !is_bcrypt_hash(hash)) return fail("crypt", "crypt_rn failed to hash a password");
  return hash;
}

bool verify_password(std::string_view password, std::string_view hash) {
  if (has_nul(password) || !is_bcrypt_hash(hash)) return false;
  bool ok = false;
  const std::string computed = bcrypt_raw(password, hash, ok);
  return ok && constant_time_equal(computed, hash);
}

const std::string& dummy_hash(int cost) {
  static std::mutex mu;
  static std::map<int, std::string> by_cost;  // map nodes never move: references stay valid
  if (cost < kMinCost) cost = kMinCost;
  if (cost > kMaxCost) cost = kMaxCost;
  std::lock_guard<std::mutex> lock(mu);
  auto it = by_cost.find(cost);
  if (it != by_cost.end()) return it->second;
  std::random_device rd;
  std::string secret;
  for (int i = 0; i < 4; ++i) secret += std::to_string(rd());
  auto hashed = hash_password(secret, cost);
  // Hashing only fails on an unusable libcrypt; a fixed well-formed hash still costs a full check.
  std::string value = hashed ? std::move(hashed.value())
                             : std::string("$2b$") + (cost < 10 ? "0" : "") + std::to_string(cost) +
                                   "$" + std::string(53, 'A');
  return by_cost.emplace(cost, std::move(value)).first->second;
}

}  // namespace qc::auth
