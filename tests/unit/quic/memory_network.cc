#include "memory_network.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace qc::quic::testing {

bool LossGenerator::drop() {
  if (rate_ <= 0.0) return false;
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  double r = static_cast<double>((state_ * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
  return r < rate_;
}

SockAddr address(const std::string& ip, std::uint16_t port) {
  auto addr = resolve_address(ip, port);
  EXPECT_TRUE(addr.ok()) << ip;
  return addr.ok() ? *addr : SockAddr{};
}

namespace {

bool unspecified(const SockAddr& a) {
  if (a.storage.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_addr;
    return IN6_IS_ADDR_UNSPECIFIED(&in6);
  }
  return reinterpret_cast<const sockaddr_in*>(&a.storage)->sin_addr.s_addr == htonl(INADDR_ANY);
}

}  // namespace

MemoryNetwork::~MemoryNetwork() {
  for (auto& [seq, flight] : in_flight_) loop_.cancel_timer(flight.timer);
}

Result<std::unique_ptr<DatagramSocket>> MemoryNetwork::bind(const SockAddr& local,
                                                            std::function<void()> on_readable) {
  bool v6 = local.storage.ss_family == AF_INET6;
  std::string ip = unspecified(local) ? (v6 ? "::1" : "127.0.0.1") : local.ip_string();
  std::uint16_t port = local.port();
  while (port == 0) {
    std::uint16_t candidate = next_port_++;
    if (!sockets_.contains(address(ip, candidate).to_string())) port = candidate;
  }
  SockAddr bound = address(ip, port);
  if (sockets_.contains(bound.to_string()))
    return fail("bind", "address in use: " + bound.to_string());
  auto socket = std::make_unique<MemorySocket>(*this, bound, std::move(on_readable));
  sockets_[bound.to_string()] = socket.get();
  return std::unique_ptr<DatagramSocket>(std::move(socket));
}

void MemoryNetwork::send(Datagram d) {
  ++sent_;
  if (loss_.drop() || (blackhole_ && blackhole_(d))) {
    ++lost_;
    return;
  }
  if (holding_) {
    held_.push_back(std::move(d));
    return;
  }
  transmit(std::move(d));
}

MemoryNetwork::Match MemoryNetwork::from(const SockAddr& sender) {
  return [key = sender.to_string()](const Datagram& d) { return d.from.to_string() == key; };
}

std::deque<Datagram> MemoryNetwork::take_held(const Match& which) {
  std::deque<Datagram> taken, kept;
  for (Datagram& d : held_) (which == nullptr || which(d) ? taken : kept).push_back(std::move(d));
  held_.swap(kept);
  return taken;
}

std::size_t MemoryNetwork::release(const Match& which) {
  std::deque<Datagram> out = take_held(which);
  for (Datagram& d : out) transmit(std::move(d));
  return out.size();
}

std::size_t MemoryNetwork::drop_held(const Match& which) { return take_held(which).size(); }

void MemoryNetwork::transmit(Datagram d) {
  std::uint64_t seq = next_seq_++;
  InFlight& flight = in_flight_[seq];
  flight.datagram = std::move(d);
  flight.timer = loop_.add_timer(loop_.now() + delay_, [this, seq] { deliver(seq); });
}

void MemoryNetwork::deliver(std::uint64_t seq) {
  auto it = in_flight_.find(seq);
  if (it == in_flight_.end()) return;
  Datagram d = std::move(it->second.datagram);
  in_flight_.erase(it);
  auto to = sockets_.find(d.to.to_string());
  if (to == sockets_.end()) {
    ++undeliverable_;  // nobody bound there: gone, as UDP to a closed port
    return;
  }
  to->second->arrive(std::move(d));
}

void MemorySocket::arrive(Datagram d) {
  inbox_.push_back(std::move(d));
  on_readable_();
}

std::size_t MemorySocket::receive(RecvBatch& batch) {
  ++counters_.recv_syscalls;
  std::size_t n = 0;
  for (; n < RecvBatch::kCount && !inbox_.empty(); ++n) {
    Datagram& d = inbox_.front();
    std::size_t len = d.bytes.size() <= RecvBatch::kBufSize ? d.bytes.size() : 0;  // truncated
    std::memcpy(batch.storage.data() + n * RecvBatch::kBufSize, d.bytes.data(), len);
    batch.from[n] = d.from;
    batch.len[n] = len;
    inbox_.pop_front();
  }
  return n;
}

MemorySocket::~MemorySocket() {
  if (drain_timer_ != 0) net_.loop_.cancel_timer(drain_timer_);
  net_.unbind(local_);
}

SendStatus MemorySocket::queue(const SockAddr& to, const std::uint8_t* data, std::size_t len,
                               std::size_t segment) {
  for (std::size_t off = 0; off < len; off += segment) {
    std::size_t n = std::min(segment, len - off);
    outbox_.push_back(Datagram{local_, to, std::vector<std::uint8_t>(data + off, data + off + n)});
  }
  return blocked_ ? SendStatus::Blocked : SendStatus::Sent;
}

SendStatus MemorySocket::flush() {
  std::size_t limit = net_.send_buffer_;
  if (!outbox_.empty()) ++counters_.send_syscalls;
  while (!outbox_.empty() && (limit == 0 || sent_this_round_ < limit)) {
    ++counters_.datagrams_sent;
    counters_.bytes_sent += outbox_.front().bytes.size();
    net_.send(std::move(outbox_.front()));
    outbox_.pop_front();
    ++sent_this_round_;
  }
  if (limit != 0 && drain_timer_ == 0)
    drain_timer_ = net_.loop_.add_timer(net_.loop_.now(), [this] { drain(); });
  blocked_ = !outbox_.empty();
  if (!blocked_) return SendStatus::Sent;
  ++net_.blocked_flushes_;
  return SendStatus::Blocked;
}

// As EPOLLOUT after EAGAIN: the socket stays blocked until a flush() gets everything out.
void MemorySocket::drain() {
  drain_timer_ = 0;
  sent_this_round_ = 0;
  if (auto fn = std::exchange(on_writable_, nullptr)) fn();
}

}  // namespace qc::quic::testing
