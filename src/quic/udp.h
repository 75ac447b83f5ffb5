// Non-blocking UDP sockets: batched receive (recvmmsg), batched send (GSO, or sendmmsg where
// the kernel lacks UDP_SEGMENT), and the one batch that EAGAIN left unsent. Internal to src/quic.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>
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

  void append(const SockAddr& to, std::size_t offset, std::size_t len, std::size_t segment);
  int send_some();  // one sendmmsg over the queue head: messages sent, or -1 (errno)

  int fd_ = -1;
  SockAddr local_;
  bool gso_ = false;
  bool blocked_ = false;
  std::vector<std::uint8_t> out_;
  std::vector<Queued> queued_;
  std::size_t first_ = 0;  // queued_[first_] is the next to send
};

}  // namespace qc::quic
