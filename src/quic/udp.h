// Non-blocking UDP sockets: batched receive (recvmmsg), batched send (GSO, or sendmmsg where
// the kernel lacks UDP_SEGMENT), and the one batch that EAGAIN left unsent. Internal to src/quic.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "util/result.h"

namespace qc::quic {

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t len = 0;

  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  static SockAddr from(const sockaddr* addr, socklen_t len);
  std::string to_string() const;  // "127.0.0.1:4433", "[::1]:4433"
  std::string ip_string() const;  // "127.0.0.1"
  std::uint16_t port() const;
  bool operator==(const SockAddr& o) const;
};

Result<SockAddr> resolve_address(const std::string& host, std::uint16_t port);

// Receive buffers shared by every socket of one endpoint (all read on the same thread).
struct RecvBatch {
  static constexpr std::size_t kCount = 64;
  static constexpr std::size_t kBufSize = 2048;
  std::vector<std::uint8_t> storage = std::vector<std::uint8_t>(kCount * kBufSize);
  SockAddr from[kCount];
  std::size_t len[kCount] = {};
};

enum class SendStatus { Sent, Blocked, Failed };

class UdpSocket {
 public:
  // Binds host:port (port 0 = ephemeral). Non-blocking, close-on-exec.
  static Result<UdpSocket> bind(const SockAddr& local);
  UdpSocket() = default;
  UdpSocket(UdpSocket&& o) noexcept;
  UdpSocket& operator=(UdpSocket&& o) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  int fd() const { return fd_; }
  const SockAddr& local() const { return local_; }

  // Reads up to RecvBatch::kCount datagrams; returns how many (0 when none are waiting).
  std::size_t receive(RecvBatch& batch);

  // Queues `len` bytes to leave as datagrams of `segment` bytes (the last may be shorter).
  // flush() sends everything queued in as few sendmmsg calls as it can: one message per
  // queued run with GSO (UDP_SEGMENT), one per datagram without. Blocked = EAGAIN: the rest
  // stays queued for the next flush() (call it when the socket is writable again).
  SendStatus queue(const SockAddr& to, const std::uint8_t* data, std::size_t len,
                   std::size_t segment);
  // In place, without a copy: write one datagram of at most `room` bytes at slot(room), then
  // commit(to, len) queues the `len` bytes written there, in the GSO run of the datagram before
  // it when it can join (same destination, not larger, the run's datagrams all full so far).
  // slot() is nullptr when the queue is full behind a blocked socket; it stays valid until the
  // next queue(), commit() or flush().
  std::uint8_t* slot(std::size_t room);
  SendStatus commit(const SockAddr& to, std::size_t len);
  SendStatus flush();
  SendStatus send(const SockAddr& to, const std::uint8_t* data, std::size_t len,
                  std::size_t segment) {
    SendStatus st = queue(to, data, len, segment);
    return st == SendStatus::Sent ? flush() : st;
  }
  bool blocked() const { return blocked_; }
  bool has_queued() const { return first_ < queued_.size(); }
  bool gso_enabled() const { return gso_; }
  void disable_gso();  // what a failed GSO send does; tests use it too

  std::uint64_t recv_syscalls = 0;
  std::uint64_t send_syscalls = 0;
  std::uint64_t datagrams_sent = 0;
  std::uint64_t bytes_sent = 0;

 private:
  struct Queued {
    SockAddr to;
    std::size_t offset;  // into out_
    std::size_t len;
    std::size_t segment;
  };
  static constexpr std::size_t kMaxQueuedBytes = 512 * 1024;
  static constexpr std::size_t kMaxQueuedRuns = 1024;
  // One GSO send: at most this many datagrams and bytes (the kernel's limits: 64 segments, a
  // 64 KiB UDP payload).
  static constexpr std::size_t kMaxRunDatagrams = 40;
  static constexpr std::size_t kMaxRunBytes = 60 * 1024;

  void append(const SockAddr& to, std::size_t offset, std::size_t len, std::size_t segment);
  bool joins_last_run(const SockAddr& to, std::size_t len) const;
  bool full_for(std::size_t len) const {
    return out_len_ + len > kMaxQueuedBytes || queued_.size() >= kMaxQueuedRuns;
  }
  int send_some();  // one sendmmsg over the queue head: messages sent, or -1 (errno)

  int fd_ = -1;
  SockAddr local_;
  bool gso_ = false;
  bool blocked_ = false;
  // The queued datagrams' bytes: a plain buffer, so that slot() hands out room past the end
  // without initialising it; it grows (up to kMaxQueuedBytes) only between datagrams.
  std::unique_ptr<std::uint8_t[]> out_;
  std::size_t out_len_ = 0;
  std::size_t out_cap_ = 0;
  std::vector<Queued> queued_;
  std::size_t first_ = 0;  // queued_[first_] is the next to send
};

}  // namespace qc::quic
