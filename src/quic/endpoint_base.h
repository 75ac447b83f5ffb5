// What the server and client endpoints share: the dirty set flushed once per loop iteration,
// retiring connections outside callbacks, stats and the loss-test hook. Internal to src/quic.
#pragma once

#include <memory>
#include <vector>

#include "quic/connection.h"

namespace qc::quic {

class EndpointBase : public ConnectionOwner {
 public:
  EndpointBase(EventLoop& loop, Handler& handler, double drop_rate);
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
  bool conn_drop_tx(Connection& /*c*/) override { return drop_tx_.drop(); }

  static ConnHandle next_handle();

 protected:
  virtual Connection* find(ConnHandle h) const = 0;
  virtual void destroy(ConnHandle h) = 0;  // forget the connection entirely
  virtual void flush_sockets() {}          // sends what the connections' flushes queued
  void flush_dirty();                      // also run when a blocked socket drains
  bool drop_rx() { return drop_rx_.drop(); }
  void count_new_handshake() { ++stats_.handshakes_in_progress; }
  // Fixed seeds: a loss test drops the same datagrams on every run.
  static constexpr std::uint64_t kDropSeedRx = 0x9e3779b97f4a7c15ULL;
  static constexpr std::uint64_t kDropSeedTx = 0xbf58476d1ce4e5b9ULL;
  bool send_pdu(ConnHandle h, SharedBytes pdu, bool replaceable = false) {
    Connection* c = find(h);
    return c != nullptr && c->send(std::move(pdu), replaceable);
  }
  void close_conn(ConnHandle h, std::uint64_t code, std::string_view reason) {
    if (Connection* c = find(h)) c->close(code, reason);
  }

  EventLoop& loop_;
  Handler& handler_;
  Stats stats_;

 private:
  std::vector<ConnHandle> dirty_;     // each with flush_pending() set
  std::vector<ConnHandle> flushing_;  // reused buffers of flush_dirty()
  std::vector<ConnHandle> blocked_;
  std::vector<ConnHandle> retired_;
  DropFilter drop_rx_;
  DropFilter drop_tx_;
  // The loop keeps our idle hook forever; it checks this before touching us.
  std::shared_ptr<EndpointBase*> alive_;
};

}  // namespace qc::quic
