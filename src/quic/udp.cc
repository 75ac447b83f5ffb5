#include "quic/udp.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/udp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

namespace qc::quic {
namespace {

constexpr std::size_t kMaxSegmentsPerSend = 64;

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS; }

bool probe_gso(int fd) {
  int seg = 1200;
  if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg) != 0) return false;
  seg = 0;  // per-message cmsg decides; the socket default stays "no segmentation"
  setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg);
  return true;
}

}  // namespace

std::string SockAddr::ip_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
  }
  return buf;
}

std::uint16_t SockAddr::port() const {
  if (storage.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
}

std::string SockAddr::to_string() const {
  if (storage.ss_family == AF_INET6) return "[" + ip_string() + "]:" + std::to_string(port());
  return ip_string() + ":" + std::to_string(port());
}

bool SockAddr::operator==(const SockAddr& o) const {
  return len == o.len && std::memcmp(&storage, &o.storage, len) == 0;
}

Result<SockAddr> resolve_address(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  const char* name = host == "localhost" ? "127.0.0.1" : host.c_str();
  int rv = getaddrinfo(name, service.c_str(), &hints, &res);
  if (rv != 0 || res == nullptr) return fail("resolve", "cannot resolve " + host + ": " + gai_strerror(rv));
  SockAddr out;
  std::memcpy(&out.storage, res->ai_addr, res->ai_addrlen);
  out.len = static_cast<socklen_t>(res->ai_addrlen);
  freeaddrinfo(res);
  return out;
}

Result<UdpSocket> UdpSocket::bind(const SockAddr& local) {
  int fd = ::socket(local.storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("socket", std::string("socket: ") + std::strerror(errno));
  UdpSocket sock;
  sock.fd_ = fd;
  if (::bind(fd, local.get(), local.len) != 0) {
    return fail("bind", "cannot bind " + local.to_string() + ": " + std::strerror(errno));
  }
  sock.local_.len = sizeof(sock.local_.storage);
  getsockname(fd, sock.local_.get(), &sock.local_.len);
  int bufsize = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof bufsize);
  sock.gso_ = probe_gso(fd);
  return sock;
}

UdpSocket::UdpSocket(UdpSocket&& o) noexcept { *this = std::move(o); }

UdpSocket& UdpSocket::operator=(UdpSocket&& o) noexcept {
  if (this == &o) return *this;
  if (fd_ >= 0) ::close(fd_);
  fd_ = std::exchange(o.fd_, -1);
  local_ = o.local_;
  gso_ = o.gso_;
  pending_ = std::move(o.pending_);
  pending_to_ = o.pending_to_;
  pending_segment_ = o.pending_segment_;
  recv_syscalls = o.recv_syscalls;
  send_syscalls = o.send_syscalls;
  datagrams_sent = o.datagrams_sent;
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t UdpSocket::receive(RecvBatch& batch) {
  mmsghdr msgs[RecvBatch::kCount];
  iovec iovs[RecvBatch::kCount];
  for (std::size_t i = 0; i < RecvBatch::kCount; ++i) {
    iovs[i] = iovec{batch.storage.data() + i * RecvBatch::kBufSize, RecvBatch::kBufSize};
    msgs[i] = mmsghdr{};
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &batch.from[i].storage;
    msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
  }
  ++recv_syscalls;
  int n = recvmmsg(fd_, msgs, RecvBatch::kCount, MSG_DONTWAIT, nullptr);
  if (n <= 0) return 0;
  for (int i = 0; i < n; ++i) {
    batch.from[i].len = msgs[i].msg_hdr.msg_namelen;
    // A truncated datagram is not a QUIC packet we can use: report it empty.
    batch.len[i] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0 ? 0 : msgs[i].msg_len;
  }
  return static_cast<std::size_t>(n);
}

SendStatus UdpSocket::send(const SockAddr& to, const std::uint8_t* data, std::size_t len, std::size_t segment) {
  if (blocked()) {
    keep_pending(to, data, len, segment);  // only reached if a caller ignored blocked()
    return SendStatus::Blocked;
  }
  if (gso_ && len > segment) return send_gso(to, data, len, segment);
  return send_each(to, data, len, segment);
}

SendStatus UdpSocket::send_gso(const SockAddr& to, const std::uint8_t* data, std::size_t len, std::size_t segment) {
  iovec iov{const_cast<std::uint8_t*>(data), len};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(std::uint16_t))] = {};
  msghdr msg{};
  msg.msg_name = const_cast<sockaddr*>(to.get());
  msg.msg_namelen = to.len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_UDP;
  cm->cmsg_type = UDP_SEGMENT;
  cm->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
  auto seg16 = static_cast<std::uint16_t>(segment);
  std::memcpy(CMSG_DATA(cm), &seg16, sizeof seg16);
  ++send_syscalls;
  if (sendmsg(fd_, &msg, 0) >= 0) {
    datagrams_sent += (len + segment - 1) / segment;
    return SendStatus::Sent;
  }
  if (would_block(errno)) {
    keep_pending(to, data, len, segment);
    return SendStatus::Blocked;
  }
  if (errno == EIO || errno == EINVAL || errno == EOPNOTSUPP) {
    gso_ = false;  // the device cannot segment: fall back for good
    return send_each(to, data, len, segment);
  }
  return SendStatus::Failed;
}

SendStatus UdpSocket::send_each(const SockAddr& to, const std::uint8_t* data, std::size_t len, std::size_t segment) {
  std::size_t offset = 0;
  while (offset < len) {
    mmsghdr msgs[kMaxSegmentsPerSend];
    iovec iovs[kMaxSegmentsPerSend];
    std::size_t count = 0;
    for (std::size_t off = offset; off < len && count < kMaxSegmentsPerSend; off += segment, ++count) {
      iovs[count] = iovec{const_cast<std::uint8_t*>(data + off), std::min(segment, len - off)};
      msgs[count] = mmsghdr{};
      msgs[count].msg_hdr.msg_name = const_cast<sockaddr*>(to.get());
      msgs[count].msg_hdr.msg_namelen = to.len;
      msgs[count].msg_hdr.msg_iov = &iovs[count];
      msgs[count].msg_hdr.msg_iovlen = 1;
    }
    ++send_syscalls;
    int n = sendmmsg(fd_, msgs, static_cast<unsigned>(count), 0);
    if (n < 0) {
      if (!would_block(errno)) return SendStatus::Failed;
      keep_pending(to, data + offset, len - offset, segment);
      return SendStatus::Blocked;
    }
    datagrams_sent += static_cast<std::uint64_t>(n);
    offset += static_cast<std::size_t>(n) * segment;
  }
  return SendStatus::Sent;
}

void UdpSocket::keep_pending(const SockAddr& to, const std::uint8_t* data, std::size_t len, std::size_t segment) {
  if (!pending_.empty()) return;  // one batch is kept; more is dropped and QUIC recovers it
  pending_.insert(pending_.end(), data, data + len);
  pending_to_ = to;
  pending_segment_ = segment;
}

SendStatus UdpSocket::retry_pending() {
  if (pending_.empty()) return SendStatus::Sent;
  std::vector<std::uint8_t> data = std::move(pending_);
  pending_.clear();
  return send(pending_to_, data.data(), data.size(), pending_segment_);
}

}  // namespace qc::quic
