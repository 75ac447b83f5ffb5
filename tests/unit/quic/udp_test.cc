#include "quic/udp.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace qc::quic {
namespace {

UdpSocket bound_socket() {
  auto addr = resolve_address("127.0.0.1", 0);
  EXPECT_TRUE(addr.ok());
  auto sock = UdpSocket::bind(*addr);
  EXPECT_TRUE(sock.ok()) << sock.error().message;
  return std::move(*sock);
}

// Receives until `count` datagrams arrived (poll() waits for each batch).
std::vector<std::size_t> receive_sizes(UdpSocket& sock, std::size_t count, RecvBatch& batch) {
  std::vector<std::size_t> sizes;
  while (sizes.size() < count) {
    pollfd p{sock.fd(), POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) break;
    std::size_t n = sock.receive(batch);
    for (std::size_t i = 0; i < n; ++i) sizes.push_back(batch.len[i]);
  }
  return sizes;
}

void expect_segments_arrive(bool use_gso) {
  UdpSocket sender = bound_socket();
  UdpSocket receiver = bound_socket();
  if (!use_gso) sender.disable_gso();
  std::vector<std::uint8_t> data(3 * 1000 + 400, 0xab);
  EXPECT_EQ(sender.send(receiver.local(), data.data(), data.size(), 1000), SendStatus::Sent);
  RecvBatch batch;
  auto sizes = receive_sizes(receiver, 4, batch);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{1000, 1000, 1000, 400}));
  EXPECT_EQ(batch.from[0], sender.local());
  EXPECT_EQ(sender.datagrams_sent, 4u);
}

TEST(Udp, GsoBatchArrivesAsSeparateDatagrams) { expect_segments_arrive(true); }

TEST(Udp, SendmmsgFallbackArrivesAsSeparateDatagrams) { expect_segments_arrive(false); }

TEST(Udp, QueuedRunsLeaveInOneSyscall) {
  UdpSocket sender = bound_socket();
  UdpSocket receiver = bound_socket();
  std::vector<std::uint8_t> data(2500, 0xcd);
  ASSERT_EQ(sender.queue(receiver.local(), data.data(), 2500, 1200),
            SendStatus::Sent);  // 1200+1200+100
  ASSERT_EQ(sender.queue(receiver.local(), data.data(), 700, 700), SendStatus::Sent);
  ASSERT_EQ(sender.queue(receiver.local(), data.data(), 50, 1200), SendStatus::Sent);
  EXPECT_TRUE(sender.has_queued());
  EXPECT_EQ(sender.send_syscalls, 0u);
  EXPECT_EQ(sender.flush(), SendStatus::Sent);
  EXPECT_EQ(sender.send_syscalls, 1u);
  EXPECT_FALSE(sender.has_queued());
  RecvBatch batch;
  EXPECT_EQ(receive_sizes(receiver, 5, batch),
            (std::vector<std::size_t>{1200, 1200, 100, 700, 50}));
  EXPECT_EQ(sender.datagrams_sent, 5u);
}

// Receives until `count` datagrams arrived; each as its first byte and its size.
std::vector<std::pair<std::uint8_t, std::size_t>> receive_tagged(UdpSocket& sock,
                                                                 std::size_t count) {
  RecvBatch batch;
  std::vector<std::pair<std::uint8_t, std::size_t>> got;
  while (got.size() < count) {
    pollfd p{sock.fd(), POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) break;
    std::size_t n = sock.receive(batch);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint8_t* d = batch.storage.data() + i * RecvBatch::kBufSize;
      const bool uniform =
          std::all_of(d, d + batch.len[i], [&](std::uint8_t b) { return b == d[0]; });
      got.emplace_back(uniform ? d[0] : 0, batch.len[i]);
    }
  }
  return got;
}

// Writes a datagram of `len` bytes, all `tag`, in place and commits it.
void write_in_place(UdpSocket& sock, const SockAddr& to, std::uint8_t tag, std::size_t len) {
  std::uint8_t* room = sock.slot(1452);
  ASSERT_NE(room, nullptr);
  std::fill(room, room + len, tag);
  ASSERT_EQ(sock.commit(to, len), SendStatus::Sent);
}

void expect_in_place_datagrams_arrive(bool use_gso) {
  UdpSocket sender = bound_socket();
  UdpSocket a = bound_socket();
  UdpSocket b = bound_socket();
  if (!use_gso) sender.disable_gso();
  // A run to a of two full datagrams and a short one; a larger datagram cannot join the run
  // after a short one, nor one to another address.
  write_in_place(sender, a.local(), 1, 1200);
  write_in_place(sender, a.local(), 2, 1200);
  write_in_place(sender, a.local(), 3, 300);
  write_in_place(sender, a.local(), 4, 1200);
  write_in_place(sender, b.local(), 5, 1200);
  write_in_place(sender, a.local(), 6, 800);
  EXPECT_EQ(sender.send_syscalls, 0u);
  EXPECT_EQ(sender.flush(), SendStatus::Sent);
  EXPECT_EQ(sender.send_syscalls, 1u);
  using Tagged = std::vector<std::pair<std::uint8_t, std::size_t>>;
  EXPECT_EQ(receive_tagged(a, 5), (Tagged{{1, 1200}, {2, 1200}, {3, 300}, {4, 1200}, {6, 800}}));
  EXPECT_EQ(receive_tagged(b, 1), (Tagged{{5, 1200}}));
  EXPECT_EQ(sender.datagrams_sent, 6u);
}

TEST(Udp, InPlaceDatagramsArriveWithGso) { expect_in_place_datagrams_arrive(true); }

TEST(Udp, InPlaceDatagramsArriveWithSendmmsg) { expect_in_place_datagrams_arrive(false); }

// The queue's buffer grows between datagrams: what was written before keeps its bytes.
TEST(Udp, InPlaceQueueGrowsWithoutLosingBytes) {
  UdpSocket sender = bound_socket();
  UdpSocket receiver = bound_socket();
  constexpr std::size_t kCount = 200;  // 240 KB: past any first buffer, within the queue bound
  for (std::size_t i = 0; i < kCount; ++i) {
    write_in_place(sender, receiver.local(), static_cast<std::uint8_t>(i + 1), 1200);
  }
  EXPECT_EQ(sender.flush(), SendStatus::Sent);
  auto got = receive_tagged(receiver, kCount);
  ASSERT_EQ(got.size(), kCount);
  for (std::size_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(got[i], std::make_pair(static_cast<std::uint8_t>(i + 1), std::size_t{1200}));
  }
}

TEST(Udp, AddressFormatting) {
  auto addr = resolve_address("localhost", 4433);
  ASSERT_TRUE(addr.ok());
  EXPECT_EQ(addr->to_string(), "127.0.0.1:4433");
  EXPECT_EQ(addr->port(), 4433);
  auto v6 = resolve_address("::1", 5);
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->to_string(), "[::1]:5");
  EXPECT_FALSE(resolve_address("no-such-host.invalid", 1).ok());
}

}  // namespace
}  // namespace qc::quic
