// `quicchat server --cluster`: the URL becomes the settings' RedisConfig, --node-id is required
// with it, and a password never comes from the command line.
#include <gtest/gtest.h>

#include "quicchat/server/server_options.h"

namespace qc::app {
namespace {

Result<ServerSettings> settings_of(std::vector<std::string> args) {
  Flags flags = make_server_flags();
  if (auto parsed = flags.parse(args); !parsed) return Unexpected{parsed.error()};
  return server_settings_from(flags);
}

std::string error_of(std::vector<std::string> args) {
  auto settings = settings_of(std::move(args));
  return settings ? std::string() : settings.error().message;
}

TEST(ClusterOptions, WithoutClusterTheServerIsOnItsOwn) {
  auto s = settings_of({});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_FALSE(s->cluster);
}

TEST(ClusterOptions, TheUrlAndTheNodeIdMakeTheRedisConfig) {
  auto s = settings_of({"--cluster", "redis://quicchat@[::1]:7001", "--node-id", "n1",
                        "--cluster-password-file", "/etc/quicchat/redis.pass"});
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE(s->cluster);
  EXPECT_EQ(s->cluster->host, "::1");
  EXPECT_EQ(s->cluster->port, 7001);
  EXPECT_EQ(s->cluster->user, "quicchat");
  EXPECT_EQ(s->cluster->node_id, "n1");
  EXPECT_EQ(s->cluster->password, "");  // read from the file when the server starts
  EXPECT_EQ(s->cluster_password_file, "/etc/quicchat/redis.pass");
}

TEST(ClusterOptions, ClusterNeedsANodeId) {
  EXPECT_NE(error_of({"--cluster", "redis://127.0.0.1:6379"}).find("--node-id"), std::string::npos);
}

TEST(ClusterOptions, APasswordInTheUrlPointsToThePasswordFile) {
  const std::string e = error_of({"--cluster", "redis://u:hunter2@h:1", "--node-id", "n1"});
  EXPECT_NE(e.find("--cluster-password-file"), std::string::npos) << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
}

TEST(ClusterOptions, APasswordFileWithoutClusterIsAMistake) {
  EXPECT_NE(error_of({"--cluster-password-file", "x"}).find("needs --cluster"), std::string::npos);
}

}  // namespace
}  // namespace qc::app
