// The in-memory network the transport tests run on: delivery, delay, loss, hold and release.
#include "memory_network.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/manual_loop.h"

namespace qc::quic::testing {
namespace {

struct Inbox {
  std::vector<std::string> datagrams;
  std::vector<std::string> senders;
};

class MemoryNetworkTest : public ::testing::Test {
 protected:
  std::unique_ptr<DatagramSocket> bind(const std::string& ip, std::uint16_t port, Inbox& inbox) {
    auto self = std::make_shared<DatagramSocket*>(nullptr);  // known once bound
    auto sock = net.bind(address(ip, port), [&inbox, self] {
      RecvBatch batch;
      std::size_t n = (*self)->receive(batch);
      for (std::size_t i = 0; i < n; ++i) {
        const char* at =
            reinterpret_cast<const char*>(batch.storage.data()) + i * RecvBatch::kBufSize;
        inbox.datagrams.emplace_back(at, batch.len[i]);
        inbox.senders.push_back(batch.from[i].to_string());
      }
    });
    EXPECT_TRUE(sock.ok());
    *self = sock->get();
    return std::move(*sock);
  }
  static void send(DatagramSocket& from, const DatagramSocket& to, const std::string& text) {
    from.queue(to.local(), reinterpret_cast<const std::uint8_t*>(text.data()), text.size(),
               text.size());
    from.flush();
  }

  io::ManualLoop loop;
  MemoryNetwork net{loop};
};

TEST_F(MemoryNetworkTest, DatagramsArriveInOrderAfterTheDelay) {
  Inbox a_in, b_in;
  auto a = bind("0.0.0.0", 0, a_in);
  auto b = bind("127.0.0.1", 4433, b_in);
  EXPECT_EQ(a->local().ip_string(), "127.0.0.1");
  EXPECT_NE(a->local().port(), 0);
  net.set_delay(std::chrono::milliseconds(5));
  auto start = loop.now();
  send(*a, *b, "one");
  send(*a, *b, "two");
  loop.step();
  EXPECT_TRUE(b_in.datagrams.empty());
  ASSERT_TRUE(loop.run_until([&] { return b_in.datagrams.size() == 2; }));
  EXPECT_EQ(loop.now() - start, std::chrono::milliseconds(5));
  EXPECT_EQ(b_in.datagrams, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(b_in.senders[0], a->local().to_string());
}

TEST_F(MemoryNetworkTest, GsoRunsLeaveAsSeparateDatagrams) {
  Inbox a_in, b_in;
  auto a = bind("127.0.0.1", 0, a_in);
  auto b = bind("127.0.0.1", 0, b_in);
  std::string run = "aaaabbbbcc";
  a->queue(b->local(), reinterpret_cast<const std::uint8_t*>(run.data()), run.size(), 4);
  EXPECT_FALSE(loop.run_until([&] { return !b_in.datagrams.empty(); }));  // not flushed yet
  EXPECT_EQ(a->flush(), SendStatus::Sent);
  ASSERT_TRUE(loop.run_until([&] { return b_in.datagrams.size() == 3; }));
  EXPECT_EQ(b_in.datagrams, (std::vector<std::string>{"aaaa", "bbbb", "cc"}));
  EXPECT_EQ(a->counters().datagrams_sent, 3u);
}

TEST_F(MemoryNetworkTest, HeldDatagramsWaitForRelease) {
  Inbox a_in, b_in;
  auto a = bind("127.0.0.1", 0, a_in);
  auto b = bind("127.0.0.1", 0, b_in);
  net.hold(true);
  send(*a, *b, "held");
  EXPECT_FALSE(loop.run_until([&] { return !b_in.datagrams.empty(); }));  // nothing to do
  EXPECT_EQ(net.held(), 1u);
  EXPECT_EQ(net.release(), 1u);
  ASSERT_TRUE(loop.run_until([&] { return !b_in.datagrams.empty(); }));
  send(*a, *b, "dropped");
  EXPECT_EQ(net.drop_held(), 1u);
  EXPECT_FALSE(loop.run_until([&] { return b_in.datagrams.size() > 1; }));
}

TEST_F(MemoryNetworkTest, ReleaseAndDropCanPickTheSender) {
  Inbox a_in, b_in, c_in;
  auto a = bind("127.0.0.1", 0, a_in);
  auto b = bind("127.0.0.1", 0, b_in);
  auto c = bind("127.0.0.1", 0, c_in);
  net.hold(true);
  send(*a, *b, "from a");
  send(*c, *b, "from c");
  send(*a, *b, "from a again");
  EXPECT_EQ(net.release(MemoryNetwork::from(c->local())), 1u);
  EXPECT_EQ(net.held(), 2u);
  ASSERT_TRUE(loop.run_until([&] { return !b_in.datagrams.empty(); }));
  EXPECT_EQ(b_in.datagrams, (std::vector<std::string>{"from c"}));
  EXPECT_EQ(net.drop_held(MemoryNetwork::from(a->local())), 2u);
  EXPECT_EQ(net.held(), 0u);
}

TEST_F(MemoryNetworkTest, AFullSendBufferBlocksUntilTheNextRound) {
  Inbox a_in, b_in;
  auto a = bind("127.0.0.1", 0, a_in);
  auto b = bind("127.0.0.1", 0, b_in);
  net.set_send_buffer(2);
  auto put = [&](const std::string& text) {
    return a->queue(b->local(), reinterpret_cast<const std::uint8_t*>(text.data()), text.size(),
                    text.size());
  };
  for (const char* text : {"1", "2", "3"}) EXPECT_EQ(put(text), SendStatus::Sent);
  EXPECT_EQ(a->flush(), SendStatus::Blocked);
  EXPECT_TRUE(a->blocked());
  EXPECT_TRUE(a->has_queued());
  bool writable = false;
  a->when_writable([&] { writable = true; });
  EXPECT_EQ(put("4"), SendStatus::Blocked);  // kept behind the blocked ones
  loop.step();
  EXPECT_TRUE(writable);
  EXPECT_EQ(a->flush(), SendStatus::Sent);
  EXPECT_FALSE(a->blocked());
  ASSERT_TRUE(loop.run_until([&] { return b_in.datagrams.size() == 4; }));
  EXPECT_EQ(b_in.datagrams, (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(net.blocked_flushes(), 1u);
}

TEST_F(MemoryNetworkTest, NobodyBoundMeansUndeliverableAndAPortIsBoundOnce) {
  Inbox a_in, b_in;
  auto a = bind("127.0.0.1", 0, a_in);
  auto b = bind("127.0.0.1", 5000, b_in);
  EXPECT_FALSE(net.bind(address("127.0.0.1", 5000), [] {}).ok());
  b.reset();
  auto gone = address("127.0.0.1", 5000);
  a->queue(gone, reinterpret_cast<const std::uint8_t*>("x"), 1, 1);
  a->flush();
  loop.run_until([] { return false; });
  EXPECT_EQ(net.undeliverable(), 1u);
}

TEST(LossGenerator, IsDeterministicAndNearItsRate) {
  LossGenerator a(0.05, 42);
  LossGenerator b(0.05, 42);
  int dropped = 0;
  for (int i = 0; i < 100'000; ++i) {
    bool d = a.drop();
    EXPECT_EQ(d, b.drop());
    dropped += d ? 1 : 0;
  }
  EXPECT_GT(dropped, 4000);
  EXPECT_LT(dropped, 6000);
  LossGenerator off(0.0, 42);
  EXPECT_FALSE(off.drop());
}

}  // namespace
}  // namespace qc::quic::testing
