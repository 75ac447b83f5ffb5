// kill -9 of a process in the middle of a stream of writes loses no acknowledged message: every
// (id, text) whose `done` ran before the kill is in the database afterwards. (The page cache
// survives a killed process, so this shows no ack before the commit; the fsync order is
// durable_ack_test.cc's.)
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <semaphore>

#include "../support/temp_dir.h"
#include "message_test_support.h"

namespace qc::store {
namespace {

using namespace test;

struct Ack {
  std::uint64_t id;
  std::uint64_t n;
};

// The child: writes "m<n>" for n = 0, 1, ... with up to 32 in flight, sending each ack down
// `out`, until it is killed.
[[noreturn]] void write_until_killed(const std::string& path, int out) {
  auto opened = open_sqlite_message_store(path);
  if (!opened) _exit(1);
  MessageWriter writer(std::move(opened.value()));
  std::counting_semaphore<32> in_flight(32);
  for (std::uint64_t n = 0;; ++n) {
    in_flight.acquire();
    writer.write({append("all", 1, "m" + std::to_string(n), "k" + std::to_string(n))},
                 [&, n](std::vector<history::OpResult> r) {
                   if (r.front().status != history::Status::Ok) _exit(2);
                   const Ack ack{r.front().id, n};
                   if (::write(out, &ack, sizeof ack) != sizeof ack) _exit(3);
                   in_flight.release();
                 });
  }
}

TEST(MessageStoreKill, NoAcknowledgedMessageIsLostToKill9) {
  qc::testing::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string path = dir.file("kill.db");
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    write_until_killed(path, fds[1]);
  }
  ::close(fds[1]);
  std::vector<Ack> acks;
  Ack ack{};
  while (acks.size() < 300 && ::read(fds[0], &ack, sizeof ack) == sizeof ack) acks.push_back(ack);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  while (::read(fds[0], &ack, sizeof ack) == sizeof ack) acks.push_back(ack);  // sent before death
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_GE(acks.size(), 300u);

  auto store = open_store(path);
  ASSERT_NE(store, nullptr);
  auto read = store->read(history::ReadPage{"all", {}, {}, 100'000, 0});
  ASSERT_EQ(read.pages.size(), 1u);
  const auto& msgs = read.pages[0].msgs;
  for (const auto& a : acks) {
    ASSERT_GE(msgs.size(), a.id) << "acknowledged id " << a.id << " is missing";
    EXPECT_EQ(msgs[a.id - 1].id, a.id);
    EXPECT_EQ(msgs[a.id - 1].text, "m" + std::to_string(a.n));
  }
}

}  // namespace
}  // namespace qc::store
