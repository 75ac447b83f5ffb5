// A change reported successful survives the process being killed before it closes the store.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../support/temp_dir.h"
#include "store/account_store.h"

namespace qc::store {
namespace {

constexpr const char* kHash = "$2b$04$ybcci5X0QYRZhni4KaXAm.nRCPGpzaZTtqWiwGv9clcka7L/JrP8i";

TEST(SqliteDurability, CommittedChangeSurvivesSigkill) {
  qc::testing::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string path = dir.file("kill.db");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = open_sqlite_store(path);
    if (!store || !(*store)->add("survivor", kHash)) _exit(1);
    raise(SIGKILL);  // no destructor, no close, no checkpoint
    _exit(2);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  auto store = open_sqlite_store(path);
  ASSERT_TRUE(store) << store.error().message;
  auto found = (*store)->find_hash("survivor");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->value_or(""), kHash);
}

}  // namespace
}  // namespace qc::store
