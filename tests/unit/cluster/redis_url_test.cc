#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cluster/redis_config.h"

namespace qc::cluster {
namespace {

TEST(RedisUrl, HostAndPort) {
  auto c = parse_redis_url("redis://10.0.0.5:6380");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->host, "10.0.0.5");
  EXPECT_EQ(c->port, 6380);
  EXPECT_EQ(c->user, "");
  EXPECT_EQ(redis_address(*c), "10.0.0.5:6380");
}

TEST(RedisUrl, MissingPortIs6379AndATrailingSlashIsAccepted) {
  auto c = parse_redis_url("redis://redis.internal/");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->host, "redis.internal");
  EXPECT_EQ(c->port, 6379);
}

TEST(RedisUrl, User) {
  auto c = parse_redis_url("redis://quicchat@127.0.0.1:7000");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->user, "quicchat");
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 7000);
}

TEST(RedisUrl, Ipv6InBrackets) {
  auto c = parse_redis_url("redis://[::1]:6390");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 6390);
  EXPECT_EQ(redis_address(*c), "[::1]:6390");
  auto d = parse_redis_url("redis://u@[fe80::1]");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->host, "fe80::1");
  EXPECT_EQ(d->port, 6379);
}

void expect_refused(std::string_view url, std::string_view words) {
  auto c = parse_redis_url(url);
  ASSERT_FALSE(c) << url;
  EXPECT_EQ(c.error().code, "usage");
  EXPECT_NE(c.error().message.find(words), std::string::npos) << c.error().message;
}

TEST(RedisUrl, Refused) {
  expect_refused("http://127.0.0.1:6379", "expected redis://");
  expect_refused("127.0.0.1:6379", "expected redis://");
  expect_refused("rediss://127.0.0.1:6379", "TLS");
  expect_refused("redis://quicchat:secret@127.0.0.1:6379", "--cluster-password-file");
  expect_refused("redis://:secret@127.0.0.1", "--cluster-password-file");
  expect_refused("redis://127.0.0.1:0", "port");
  expect_refused("redis://127.0.0.1:65536", "port");
  expect_refused("redis://127.0.0.1:", "port");
  expect_refused("redis://127.0.0.1:63a", "port");
  expect_refused("redis://::1:6379", "brackets");
  expect_refused("redis://[::1:6379", "']'");
  expect_refused("redis://[::1]x", "after the address");
  expect_refused("redis://", "no host");
  expect_refused("redis://@host", "empty user");
  expect_refused("redis://host:6379/2", "no path");
  expect_refused("redis://host?x=1", "no path");
}

TEST(RedisUrl, TheRefusalNeverRepeatsThePassword) {
  auto c = parse_redis_url("redis://u:hunter2@h:1");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message.find("hunter2"), std::string::npos);
}

class PasswordFile : public ::testing::Test {
 protected:
  void write(const std::string& text, mode_t mode) {
    std::ofstream(path_) << text;
    ::chmod(path_.c_str(), mode);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_ =
      (std::filesystem::temp_directory_path() / ("qc-redis-pw-" + std::to_string(::getpid())))
          .string();
};

TEST_F(PasswordFile, FirstLineWithoutItsNewline) {
  write("s3cret pass\r\nsecond line\n", 0600);
  auto pw = read_password_file(path_);
  ASSERT_TRUE(pw) << pw.error().message;
  EXPECT_EQ(*pw, "s3cret pass");
}

TEST_F(PasswordFile, RefusedWhenOthersMayReadItOrEmptyOrMissing) {
  write("pw\n", 0644);
  auto open = read_password_file(path_);
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("chmod 600"), std::string::npos);
  write("\n", 0600);
  EXPECT_FALSE(read_password_file(path_));
  EXPECT_FALSE(read_password_file(path_ + ".missing"));
}

}  // namespace
}  // namespace qc::cluster
