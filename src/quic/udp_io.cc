// DatagramIo on real UDP sockets: readiness and writability come from the event loop.
#include "quic/datagram_io.h"

namespace qc::quic {
namespace {

class LoopUdpSocket final : public DatagramSocket {
 public:
  LoopUdpSocket(EventLoop& loop, UdpSocket socket) : loop_(loop), socket_(std::move(socket)) {}
  ~LoopUdpSocket() override { loop_.unwatch(socket_.fd()); }
  LoopUdpSocket(const LoopUdpSocket&) = delete;
  LoopUdpSocket& operator=(const LoopUdpSocket&) = delete;

  Result<void> watch(std::function<void()> on_readable) {
    return loop_.watch_readable(socket_.fd(), std::move(on_readable));
  }

  const SockAddr& local() const override { return socket_.local(); }
  std::size_t receive(RecvBatch& batch) override { return socket_.receive(batch); }
  SendStatus queue(const SockAddr& to, const std::uint8_t* data, std::size_t len,
                   std::size_t segment) override {
    return socket_.queue(to, data, len, segment);
  }
  std::uint8_t* slot(std::size_t room) override { return socket_.slot(room); }
  SendStatus commit(const SockAddr& to, std::size_t len) override {
    return socket_.commit(to, len);
  }
  SendStatus flush() override { return socket_.flush(); }
  bool blocked() const override { return socket_.blocked(); }
  bool has_queued() const override { return socket_.has_queued(); }
  void when_writable(std::function<void()> fn) override {
    (void)loop_.watch_writable_once(socket_.fd(), std::move(fn));
  }
  SocketCounters counters() const override {
    return {socket_.recv_syscalls, socket_.send_syscalls, socket_.datagrams_sent,
            socket_.bytes_sent};
  }

 private:
  EventLoop& loop_;
  UdpSocket socket_;
};

class UdpIo final : public DatagramIo {
 public:
  explicit UdpIo(EventLoop& loop) : loop_(loop) {}

  Result<std::unique_ptr<DatagramSocket>> bind(const SockAddr& local,
                                               std::function<void()> on_readable) override {
    auto sock = UdpSocket::bind(local);
    if (!sock) return Unexpected{sock.error()};
    auto out = std::make_unique<LoopUdpSocket>(loop_, std::move(*sock));
    auto watched = out->watch(std::move(on_readable));
    if (!watched) return Unexpected{watched.error()};
    return std::unique_ptr<DatagramSocket>(std::move(out));
  }

 private:
  EventLoop& loop_;
};

}  // namespace

std::unique_ptr<DatagramIo> make_udp_io(EventLoop& loop) { return std::make_unique<UdpIo>(loop); }

}  // namespace qc::quic
