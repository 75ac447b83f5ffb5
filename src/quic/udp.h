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

  // Sends `len` bytes cut into datagrams of `segment` bytes (the last may be shorter). On
  // EAGAIN the unsent rest is kept and Blocked returned: call retry_pending() when writable.
  SendStatus send(const SockAddr& to, const std::uint8_t* data, std::size_t len, std::size_t segment);
  bool blocked() const { return !pending_.empty(); }
  SendStatus retry_pending();

  std::uint64_t recv_syscalls = 0;
  std::uint64_t send_syscalls = 0;
  std::uint64_t datagrams_sent = 0;

 private:
  SendStatus send_gso(const SockAddr& to, const std::uint8_t* data, std::size_t len, std::size_t segment);
  SendStatus send_each(const SockAddr& to, const std::uint8_t* data, std::size_t len, std::size_t segment);
  void keep_pending(const SockAddr& to, const std::uint8_t* data, std::size_t len, std::size_t segment);

  int fd_ = -1;
  SockAddr local_;
  bool gso_ = false;
  std::vector<std::uint8_t> pending_;
  SockAddr pending_to_;
  std::size_t pending_segment_ = 0;
};

// Deterministic datagram dropper for loss tests (xorshift64*).
class DropFilter {
 public:
  DropFilter(double rate, std::uint64_t seed) : rate_(rate), state_(seed | 1) {}
  bool drop() {
    if (rate_ <= 0.0) return false;
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    double r = static_cast<double>((state_ * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
    return r < rate_;
  }

 private:
  double rate_;
  std::uint64_t state_;
};

}  // namespace qc::quic
