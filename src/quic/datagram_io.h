// The datagram I/O under the endpoints. In production: UDP sockets watched by the event loop
// (make_udp_io). In tests: anything else, e.g. an in-memory network with a manual clock; the
// endpoints are then made with the *_on() functions below. Not part of the product API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "quic/endpoint.h"
#include "quic/udp.h"

namespace qc::quic {

struct SocketCounters {
  std::uint64_t recv_syscalls = 0;
  std::uint64_t send_syscalls = 0;
  std::uint64_t datagrams_sent = 0;
  std::uint64_t bytes_sent = 0;

  SocketCounters& operator+=(const SocketCounters& o) {
    recv_syscalls += o.recv_syscalls;
    send_syscalls += o.send_syscalls;
    datagrams_sent += o.datagrams_sent;
    bytes_sent += o.bytes_sent;
    return *this;
  }
};

// One bound local address. Same contract as UdpSocket: queue() then flush(); Blocked means
// "call flush() again once when_writable() fires".
class DatagramSocket {
 public:
  virtual ~DatagramSocket() = default;
  virtual const SockAddr& local() const = 0;
  // Reads up to RecvBatch::kCount waiting datagrams; returns how many (0 when none wait).
  virtual std::size_t receive(RecvBatch& batch) = 0;
  virtual SendStatus queue(const SockAddr& to, const std::uint8_t* data, std::size_t len,
                           std::size_t segment) = 0;
  // In place (UdpSocket::slot and commit): the next datagram is written at slot(room), at most
  // `room` bytes, and commit() queues the `len` bytes written there. nullptr: full, blocked.
  // This default writes into a buffer of its own and hands it to queue() (a copy).
  virtual std::uint8_t* slot(std::size_t room) {
    if (scratch_.size() < room) scratch_.resize(room);
    return scratch_.data();
  }
  virtual SendStatus commit(const SockAddr& to, std::size_t len) {
    return queue(to, scratch_.data(), len, len);
  }
  virtual SendStatus flush() = 0;
  virtual bool blocked() const = 0;
  virtual bool has_queued() const = 0;
  // Calls fn once, on the loop, when a blocked socket can take datagrams again.
  virtual void when_writable(std::function<void()> fn) = 0;
  virtual SocketCounters counters() const = 0;

 private:
  std::vector<std::uint8_t> scratch_;
};

class DatagramIo {
 public:
  virtual ~DatagramIo() = default;
  // Binds `local` (port 0 = any free port; an unspecified address = any local address).
  // on_readable runs on the loop whenever datagrams wait on the socket.
  virtual Result<std::unique_ptr<DatagramSocket>> bind(const SockAddr& local,
                                                       std::function<void()> on_readable) = 0;
};

// UDP sockets (GSO/sendmmsg batching) watched by `loop`.
std::unique_ptr<DatagramIo> make_udp_io(EventLoop& loop);

// ServerEndpoint::start and ClientEndpoint::create on other datagram I/O; `io` must outlive
// the endpoint.
Result<std::unique_ptr<ServerEndpoint>> start_server_on(DatagramIo& io, EventLoop& loop,
                                                        const ServerOptions& opts,
                                                        Handler& handler);
Result<std::unique_ptr<ClientEndpoint>> create_client_on(DatagramIo& io, EventLoop& loop,
                                                         Handler& handler);

}  // namespace qc::quic
