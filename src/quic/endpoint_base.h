// What the server and client endpoints share: the dirty set flushed once per loop iteration,
// retiring connections outside callbacks, stats, and the datagram I/O. Internal to src/quic.
#pragma once

#include <memory>
#include <vector>

#include "quic/conn_memory.h"
#include "quic/connection.h"
#include "quic/datagram_io.h"

namespace qc::quic {

class EndpointBase : public ConnectionOwner {
 public:
  // io == nullptr: UDP sockets on loop (owned by the endpoint).
  EndpointBase(EventLoop& loop, Handler& handler, DatagramIo* io);
  ~EndpointBase() override;
  EndpointBase(const EndpointBase&) = delete;
  EndpointBase& operator=(const EndpointBase&) = delete;

  EventLoop& loop() override { return loop_; }
  Handler& handler() override { return handler_; }
  void conn_dirty(Connection& c) override {
    if (c.flush_pending()) return;  // already listed: a delivery costs no lookup here
    c.set_flush_pending(true);
    dirty_.push_back(c.handle());
  }
  void conn_retire(Connection& c) override { retired_.push_back(c.handle()); }
  void conn_handshake_done(Connection& c) override;
  void conn_closed(Connection& c) override;
  const ngtcp2_mem* conn_mem() override { return memory_.mem(); }
  Stats& conn_stats() override { return stats_; }

  static ConnHandle next_handle();

 protected:
  virtual Connection* find(ConnHandle h) const = 0;
  virtual void destroy(ConnHandle h) = 0;  // forget the connection entirely
  virtual void flush_sockets() {}          // sends what the connections' flushes queued
  void flush_dirty();                      // also run when a blocked socket drains
  void count_new_handshake() { ++stats_.handshakes_in_progress; }
  bool send_pdu(ConnHandle h, SharedBytes pdu, bool replaceable = false) {
    Connection* c = find(h);
    return c != nullptr && c->send(std::move(pdu), replaceable);
  }
  void close_conn(ConnHandle h, std::uint64_t code, std::string_view reason) {
    if (Connection* c = find(h)) c->close(code, reason);
  }

  // First: the derived endpoints' connections are freed before it.
  ConnMemory memory_{ConnMemory::default_reserve()};
  EventLoop& loop_;
  Handler& handler_;
  std::unique_ptr<DatagramIo> owned_io_;
  DatagramIo& io_;
  Stats stats_;

 private:
  std::vector<ConnHandle> dirty_;     // each with flush_pending() set
  std::vector<ConnHandle> flushing_;  // reused buffers of flush_dirty()
  std::vector<ConnHandle> blocked_;
  std::vector<ConnHandle> retired_;
  // The loop keeps our idle hook forever; it checks this before touching us.
  std::shared_ptr<EndpointBase*> alive_;
};

}  // namespace qc::quic
