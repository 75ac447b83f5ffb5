#include "auth/password.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace qc::auth {
namespace {

constexpr int kFast = kMinCost;

// Made with Python's bcrypt (python3-bcrypt 3.2) at cost 4; the $2y$ one is a $2b$ hash with
// its prefix edited, which is exactly how PHP-style $2y$ hashes compare.
struct Fixture {
  const char* password;
  const char* hash;
};
constexpr Fixture kPythonHashes[] = {
    {"p1", "$2b$04$ybcci5X0QYRZhni4KaXAm.nRCPGpzaZTtqWiwGv9clcka7L/JrP8i"},
    {"p1", "$2a$04$b.k6gXvgObhRy5r4yJaHvuLYUv1y1ZF7m55JQV4I.539TQFE6uSEC"},
    {"correct horse", "$2b$04$92Ob/iCQhZvd0ylhBcNfeOCmzJCsDhF5.iEp1FSKzbtN9WpCnQIla"},
    {"correct horse", "$2a$04$AWWODEbqbjzDtSOEYL4fdex6pCnro3QgiJgGt2T.XNNsbx8l2XtE2"},
    {"s3cret:with colon", "$2b$04$XWGuhjzdaL3CRfDM4ZLsL.5gDQgN1jRTCWiNueWxS.dplkRK8lDNe"},
    {"s3cret:with colon", "$2y$04$XWGuhjzdaL3CRfDM4ZLsL.5gDQgN1jRTCWiNueWxS.dplkRK8lDNe"},
    {"p\xc3\xa4ssw\xc3\xb6rd", "$2b$04$svuuO4k.DlevXS0nvOXXuuqhi8Iq9bT9ECTzsuAhvohb975sEdOLS"},
};
// Python's bcrypt of 72 'x' followed by "tail": bcrypt reads only the first 72 bytes.
constexpr const char* kPythonLongHash =
    "$2b$04$Qn0/sRfyl19pzMjQIkCVx.1OmYi.Q.GMOhI3mvQqxWS8MIr2RSw5m";

TEST(Password, HashThenVerifyRoundTrips) {
  auto hash = hash_password("hunter2", kFast);
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_EQ(hash->substr(0, 7), "$2b$04$");
  EXPECT_EQ(hash->size(), 60u);
  EXPECT_TRUE(is_bcrypt_hash(*hash));
  EXPECT_TRUE(verify_password("hunter2", *hash));
}

TEST(Password, WrongPasswordFails) {
  auto hash = hash_password("hunter2", kFast);
  ASSERT_TRUE(hash);
  EXPECT_FALSE(verify_password("hunter3", *hash));
  EXPECT_FALSE(verify_password("", *hash));
  EXPECT_FALSE(verify_password("hunter2 ", *hash));
}

TEST(Password, SaltsDiffer) {
  auto a = hash_password("same", kFast);
  auto b = hash_password("same", kFast);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

TEST(Password, PythonHashesVerify) {
  for (const auto& f : kPythonHashes) {
    EXPECT_TRUE(verify_password(f.password, f.hash)) << f.hash;
    EXPECT_FALSE(verify_password(std::string(f.password) + "!", f.hash)) << f.hash;
  }
}

TEST(Password, OnlyFirst72BytesCount) {
  const std::string first72(72, 'x');
  EXPECT_TRUE(verify_password(first72 + "tail", kPythonLongHash));
  EXPECT_TRUE(verify_password(first72 + "other tail", kPythonLongHash));
  EXPECT_FALSE(verify_password(std::string(71, 'x'), kPythonLongHash));
}

TEST(Password, MalformedHashesAreFalse) {
  const std::string good = kPythonHashes[0].hash;
  const std::vector<std::string> bad = {
      "",
      "plaintext",
      "$2b$",
      good.substr(0, 59),
      good + "A",
      "$2x$" + good.substr(4),  // the buggy variant is not accepted
      "$2c$" + good.substr(4),
      "$1$" + good.substr(3),      // md5-crypt prefix
      "$2b$99$" + good.substr(7),  // cost out of range
      "$2b$03$" + good.substr(7),
      "$2b$0a$" + good.substr(7),
      "$2b$04$" + std::string(52, '.') + "!",  // outside bcrypt's alphabet
      "*0",
      std::string("$2b$04$\0", 8) + good.substr(8),
  };
  for (const auto& h : bad) {
    EXPECT_FALSE(is_bcrypt_hash(h)) << h;
    EXPECT_FALSE(verify_password("p1", h)) << h;
  }
}

TEST(Password, CostOutsideBoundsIsRefused) {
  EXPECT_FALSE(hash_password("x", kMinCost - 1));
  EXPECT_FALSE(hash_password("x", kMaxCost + 1));
  EXPECT_FALSE(hash_password("x", -1));
  auto r = hash_password("x", 3);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "bad_cost");
  auto five = hash_password("x", 5);
  ASSERT_TRUE(five);
  EXPECT_EQ(five->substr(0, 7), "$2b$05$");
}

TEST(Password, NulByteIsRefused) {
  const std::string with_nul("ab\0cd", 5);
  auto r = hash_password(with_nul, kFast);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "bad_password");
  auto hash = hash_password("ab", kFast);
  ASSERT_TRUE(hash);
  EXPECT_FALSE(verify_password(with_nul, *hash));  // would otherwise match "ab"
}

TEST(Password, DummyHashIsStableValidAndPerCost) {
  const std::string& a = dummy_hash(kFast);
  const std::string& b = dummy_hash(kFast);
  EXPECT_EQ(&a, &b);
  EXPECT_TRUE(is_bcrypt_hash(a));
  EXPECT_EQ(a.substr(0, 7), "$2b$04$");
  EXPECT_FALSE(verify_password("", a));
  const std::string& c = dummy_hash(5);
  EXPECT_EQ(c.substr(0, 7), "$2b$05$");
}

TEST(Password, DummyHashIsThreadSafe) {
  std::vector<const std::string*> seen(4, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] { seen[i] = &dummy_hash(6); });
  }
  for (auto& t : threads) t.join();
  for (const auto* p : seen) EXPECT_EQ(p, seen[0]);
}

TEST(Password, ConcurrentHashingIsIndependent) {
  std::vector<std::string> hashes(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    threads.emplace_back([&hashes, i] {
      auto h = hash_password("pw" + std::to_string(i), kFast);
      if (h) hashes[i] = *h;
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    EXPECT_TRUE(verify_password("pw" + std::to_string(i), hashes[i])) << i;
    EXPECT_FALSE(verify_password("pw" + std::to_string(i + 1), hashes[i])) << i;
  }
}

}  // namespace
}  // namespace qc::auth
