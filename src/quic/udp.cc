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

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS; }

bool probe_gso(int fd) {
  int seg = 1200;
  if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg) != 0) return false;
  seg = 0;  // per-message cmsg decides; the socket default stays "no segmentation"
  setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg);
  return true;
}

}  // namespace

SockAddr SockAddr::from(const sockaddr* addr, socklen_t len) {
  SockAddr out;
  out.len = std::min<socklen_t>(len, sizeof(out.storage));
  std::memcpy(&out.storage, addr, out.len);
  return out;
}

std::string SockAddr::ip_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf,
              sizeof buf);
  } else {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
  }
  return buf;
}

std::uint16_t SockAddr::port() const {
  if (storage.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
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
  if (rv != 0 || res == nullptr)
    return fail("resolve", "cannot resolve " + host + ": " + gai_strerror(rv));
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
  blocked_ = o.blocked_;
  out_ = std::move(o.out_);
  out_len_ = std::exchange(o.out_len_, 0);
  out_cap_ = std::exchange(o.out_cap_, 0);
  queued_ = std::move(o.queued_);
  first_ = o.first_;
  recv_syscalls = o.recv_syscalls;
  send_syscalls = o.send_syscalls;
  datagrams_sent = o.datagrams_sent;
  bytes_sent = o.bytes_sent;
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

void UdpSocket::append(const SockAddr& to, std::size_t offset, std::size_t len,
                       std::size_t segment) {
  if (gso_ || len <= segment) {
    queued_.push_back(Queued{to, offset, len, segment});
    return;
  }
  for (std::size_t off = 0; off < len; off += segment) {
    std::size_t n = std::min(segment, len - off);
    queued_.push_back(Queued{to, offset + off, n, n});
  }
}

std::uint8_t* UdpSocket::slot(std::size_t room) {
  if (full_for(room) && !blocked_) flush();
  if (full_for(room)) return nullptr;  // the queue is full behind a blocked socket
  if (out_len_ + room > out_cap_) {
    const std::size_t cap = std::min(kMaxQueuedBytes, std::max(out_cap_ * 2, out_len_ + room));
    auto grown = std::make_unique_for_overwrite<std::uint8_t[]>(cap);
    if (out_len_ > 0) std::memcpy(grown.get(), out_.get(), out_len_);
    out_ = std::move(grown);
    out_cap_ = cap;
  }
  return out_.get() + out_len_;
}

SendStatus UdpSocket::queue(const SockAddr& to, const std::uint8_t* data, std::size_t len,
                            std::size_t segment) {
  std::uint8_t* room = slot(len);
  if (room == nullptr) return SendStatus::Blocked;  // dropped: QUIC recovers
  std::memcpy(room, data, len);
  const std::size_t offset = out_len_;
  out_len_ += len;
  append(to, offset, len, segment);
  return blocked_ ? SendStatus::Blocked : SendStatus::Sent;
}

bool UdpSocket::joins_last_run(const SockAddr& to, std::size_t len) const {
  if (!gso_ || first_ >= queued_.size()) return false;
  const Queued& last = queued_.back();
  return len <= last.segment && last.len % last.segment == 0 &&
         last.len + len <= std::min(kMaxRunBytes, kMaxRunDatagrams * last.segment) &&
         last.offset + last.len == out_len_ && last.to == to;
}

SendStatus UdpSocket::commit(const SockAddr& to, std::size_t len) {
  if (joins_last_run(to, len)) {
    queued_.back().len += len;
  } else {
    queued_.push_back(Queued{to, out_len_, len, len});
  }
  out_len_ += len;
  return blocked_ ? SendStatus::Blocked : SendStatus::Sent;
}

void UdpSocket::disable_gso() {
  if (!gso_) return;
  gso_ = false;
  std::vector<Queued> rest(queued_.begin() + static_cast<std::ptrdiff_t>(first_), queued_.end());
  queued_.clear();
  first_ = 0;
  for (const Queued& q : rest) append(q.to, q.offset, q.len, q.segment);
}

int UdpSocket::send_some() {
  constexpr std::size_t kBatch = 64;
  mmsghdr msgs[kBatch];
  iovec iovs[kBatch];
  alignas(cmsghdr) char control[kBatch][CMSG_SPACE(sizeof(std::uint16_t))];
  std::size_t count = 0;
  for (std::size_t i = first_; i < queued_.size() && count < kBatch; ++i, ++count) {
    Queued& q = queued_[i];
    iovs[count] = iovec{out_.get() + q.offset, q.len};
    msgs[count] = mmsghdr{};
    msghdr& h = msgs[count].msg_hdr;
    h.msg_name = q.to.get();
    h.msg_namelen = q.to.len;
    h.msg_iov = &iovs[count];
    h.msg_iovlen = 1;
    if (q.len > q.segment) {  // only queued so while GSO is on
      std::memset(control[count], 0, sizeof control[count]);
      h.msg_control = control[count];
      h.msg_controllen = sizeof control[count];
      cmsghdr* cm = CMSG_FIRSTHDR(&h);
      cm->cmsg_level = SOL_UDP;
      cm->cmsg_type = UDP_SEGMENT;
      cm->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
      auto seg16 = static_cast<std::uint16_t>(q.segment);
      std::memcpy(CMSG_DATA(cm), &seg16, sizeof seg16);
    }
  }
  ++send_syscalls;
  int n = sendmmsg(fd_, msgs, static_cast<unsigned>(count), 0);
  for (int i = 0; i < n; ++i) {
    const Queued& q = queued_[first_ + static_cast<std::size_t>(i)];
    datagrams_sent += (q.len + q.segment - 1) / q.segment;
    bytes_sent += q.len;
  }
  return n;
}

SendStatus UdpSocket::flush() {
  blocked_ = false;
  SendStatus status = SendStatus::Sent;
  while (first_ < queued_.size()) {
    int n = send_some();
    if (n >= 0) {
      first_ += static_cast<std::size_t>(n);
      continue;
    }
    if (would_block(errno)) {
      blocked_ = true;
      return SendStatus::Blocked;
    }
    if (gso_ && (errno == EIO || errno == EINVAL || errno == EOPNOTSUPP)) {
      disable_gso();  // the device cannot segment: fall back for good
      continue;
    }
    ++first_;  // unsendable (e.g. unreachable): drop this one, QUIC treats it as lost
    status = SendStatus::Failed;
  }
  out_len_ = 0;
  queued_.clear();
  first_ = 0;
  return status;
}

}  // namespace qc::quic
