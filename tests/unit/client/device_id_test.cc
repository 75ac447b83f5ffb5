// The device id kept in the per-user state folder.
#include "client/device_id.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "../support/temp_dir.h"

namespace qc::client {
namespace {

class DeviceId : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  static unsigned mode(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 0777;
  }
  qc::testing::TempDir dir_;
  std::string state_ = dir_.file("state");
};

TEST_F(DeviceId, CreatedOnceWithPrivateModesThenReused) {
  auto first = load_or_create_device_id(state_, "example.org:4433", "Alice");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->size(), 16u);
  EXPECT_EQ(first->find_first_not_of("0123456789abcdef"), std::string::npos);
  const std::string file = state_ + "/example.org:4433/alice/device";
  EXPECT_EQ(device_file(state_, "example.org:4433", "Alice"), file);
  EXPECT_EQ(mode(file), 0600u);
  EXPECT_EQ(mode(state_ + "/example.org:4433/alice"), 0700u);
  EXPECT_EQ(mode(state_), 0700u);
  EXPECT_EQ(*load_or_create_device_id(state_, "example.org:4433", "alice"), *first);
  auto other_server = load_or_create_device_id(state_, "other:4433", "alice");
  ASSERT_TRUE(other_server);
  EXPECT_NE(*other_server, *first);
}

TEST_F(DeviceId, StoreReplacesAndNamesCannotEscapeTheFolder) {
  ASSERT_TRUE(store_device_id(state_, "h:1", "bob", "server-chosen"));
  EXPECT_EQ(*load_or_create_device_id(state_, "h:1", "bob"), "server-chosen");
  EXPECT_EQ(device_file(state_, "../x", ".."), state_ + "/.._x/_../device");
  EXPECT_FALSE(store_device_id(state_, "h:1", "bob", "has space"));
}

TEST(DeviceIdDefaults, XdgStateHomeThenHome) {
  const char* xdg = std::getenv("XDG_STATE_HOME");
  const std::string saved = xdg ? xdg : "";
  setenv("XDG_STATE_HOME", "/x/state", 1);
  EXPECT_EQ(default_state_dir(), "/x/state/quicchat");
  unsetenv("XDG_STATE_HOME");
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(default_state_dir(), "/home/u/.local/state/quicchat");
  if (xdg) setenv("XDG_STATE_HOME", saved.c_str(), 1);
}

}  // namespace
}  // namespace qc::client
