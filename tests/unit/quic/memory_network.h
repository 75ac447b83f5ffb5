// An in-memory datagram network for transport tests (after quicly's t/test.c): every socket
// bound on it is an address (127.0.0.1:port), datagrams travel as loop timers after a fixed
// one-way delay, a seeded generator loses the same ones on every run, and the test can hold
// datagrams back and release them (transmit) or drop them. With io::ManualLoop nothing here
// depends on the wall clock.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "quic/datagram_io.h"

namespace qc::quic::testing {

// Deterministic loss decisions (xorshift64*): the same seed drops the same datagrams.
class LossGenerator {
 public:
  LossGenerator(double rate, std::uint64_t seed) : rate_(rate), state_(seed | 1) {}
  bool drop();

 private:
  double rate_;
  std::uint64_t state_;
};

struct Datagram {
  SockAddr from;
  SockAddr to;
  std::vector<std::uint8_t> bytes;
};

class MemorySocket;

class MemoryNetwork final : public DatagramIo {
 public:
  explicit MemoryNetwork(EventLoop& loop) : loop_(loop) {}
  ~MemoryNetwork() override;
  MemoryNetwork(const MemoryNetwork&) = delete;
  MemoryNetwork& operator=(const MemoryNetwork&) = delete;

  // An unspecified address binds 127.0.0.1 (or ::1); port 0 picks the next free port.
  Result<std::unique_ptr<DatagramSocket>> bind(const SockAddr& local,
                                               std::function<void()> on_readable) override;

  void set_delay(Clock::duration one_way) { delay_ = one_way; }
  void set_loss(double rate, std::uint64_t seed = 1) { loss_ = LossGenerator(rate, seed); }
  // Each socket hands at most `datagrams` to the network per loop round (0 = no limit); a
  // flush() beyond that is Blocked, like EAGAIN, and the socket turns writable next round.
  void set_send_buffer(std::size_t datagrams) { send_buffer_ = datagrams; }
  // While held, sent datagrams wait (in order) until release() puts them on the wire or
  // drop_held() loses them. Both take the held datagrams `which` selects (all by default) and
  // return how many they took: release(from(a)) is quicly's transmit(a, *).
  using Match = std::function<bool(const Datagram&)>;
  static Match from(const SockAddr& sender);
  void hold(bool on) { holding_ = on; }
  std::size_t held() const { return held_.size(); }
  std::size_t release(const Match& which = nullptr);
  std::size_t drop_held(const Match& which = nullptr);
  // From now on every sent datagram `which` selects is lost (a blackhole); nullptr ends it.
  void drop_all(Match which) { blackhole_ = std::move(which); }

  std::uint64_t sent() const { return sent_; }
  std::uint64_t lost() const { return lost_; }
  std::uint64_t undeliverable() const { return undeliverable_; }
  std::uint64_t blocked_flushes() const { return blocked_flushes_; }

 private:
  friend class MemorySocket;
  std::deque<Datagram> take_held(const Match& which);
  void send(Datagram d);      // from a socket: loss, hold, or on the wire
  void transmit(Datagram d);  // on the wire: arrives after the delay
  void deliver(std::uint64_t seq);
  void unbind(const SockAddr& local) { sockets_.erase(local.to_string()); }

  EventLoop& loop_;
  Clock::duration delay_ = std::chrono::milliseconds(1);
  LossGenerator loss_{0.0, 1};
  bool holding_ = false;
  Match blackhole_;
  std::deque<Datagram> held_;
  std::map<std::string, MemorySocket*> sockets_;  // by "ip:port"
  struct InFlight {
    Datagram datagram;
    EventLoop::TimerId timer = 0;
  };
  std::map<std::uint64_t, InFlight> in_flight_;
  std::uint64_t next_seq_ = 0;
  std::uint16_t next_port_ = 40000;
  std::uint64_t sent_ = 0;
  std::uint64_t lost_ = 0;
  std::uint64_t undeliverable_ = 0;
  std::size_t send_buffer_ = 0;
  std::uint64_t blocked_flushes_ = 0;
};

// A socket on a MemoryNetwork: queue() keeps datagrams until flush() hands them to the
// network, within the network's send buffer.
class MemorySocket final : public DatagramSocket {
 public:
  MemorySocket(MemoryNetwork& net, SockAddr local, std::function<void()> on_readable)
      : net_(net), local_(local), on_readable_(std::move(on_readable)) {}
  ~MemorySocket() override;
  MemorySocket(const MemorySocket&) = delete;
  MemorySocket& operator=(const MemorySocket&) = delete;

  const SockAddr& local() const override { return local_; }
  std::size_t receive(RecvBatch& batch) override;
  SendStatus queue(const SockAddr& to, const std::uint8_t* data, std::size_t len,
                   std::size_t segment) override;
  SendStatus flush() override;
  bool blocked() const override { return blocked_; }
  bool has_queued() const override { return !outbox_.empty(); }
  void when_writable(std::function<void()> fn) override { on_writable_ = std::move(fn); }
  SocketCounters counters() const override { return counters_; }

  void arrive(Datagram d);

 private:
  void drain();  // a new round: the send buffer is empty again

  MemoryNetwork& net_;
  SockAddr local_;
  std::function<void()> on_readable_;
  std::function<void()> on_writable_;
  std::deque<Datagram> inbox_;
  std::deque<Datagram> outbox_;
  std::size_t sent_this_round_ = 0;
  EventLoop::TimerId drain_timer_ = 0;
  bool blocked_ = false;
  SocketCounters counters_;
};

// "127.0.0.1:4433" as a SockAddr (fails the test on a bad literal).
SockAddr address(const std::string& ip, std::uint16_t port);

}  // namespace qc::quic::testing
