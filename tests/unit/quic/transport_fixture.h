// A server and a client endpoint on one loop, plus recorders of every Handler event.
// TransportTest: an in-memory network (memory_network.h) and a manual clock (io::ManualLoop);
// run_until() steps the loop, jumping the clock to the next timer whenever nothing else is due,
// within a budget of rounds: deterministic, and minutes of loop time take milliseconds.
// UdpTransportTest: real UDP on 127.0.0.1 and the epoll loop, with a wall-clock failsafe.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/event_loop.h"
#include "io/manual_loop.h"
#include "memory_network.h"
#include "quic/datagram_io.h"
#include "quic/endpoint.h"
#include "quic/test_hooks.h"

namespace qc::quic::testing {

inline std::string data_path(const std::string& rel) {
  return std::string(QC_TEST_DATA_DIR) + "/" + rel;
}

struct Recorder : Handler {
  std::vector<ConnHandle> opened;
  std::map<ConnHandle, PeerInfo> peers;
  std::map<ConnHandle, std::string> received;
  std::map<ConnHandle, std::vector<std::string>> chunks;  // one entry per on_data call
  std::map<ConnHandle, CloseInfo> closed;
  std::map<ConnHandle, std::string> received_at_end;  // what on_data had given at on_stream_end
  std::map<ConnHandle, int> close_calls;
  int path_changes = 0;
  std::map<ConnHandle, int> probes_answered;
  std::function<void(ConnHandle)> on_open_hook;
  std::function<void(ConnHandle, std::string_view)> on_data_hook;

  void on_open(ConnHandle c, const PeerInfo& peer) override {
    opened.push_back(c);
    peers[c] = peer;
    if (on_open_hook) on_open_hook(c);
  }
  void on_data(ConnHandle c, std::string_view bytes) override {
    received[c].append(bytes);
    chunks[c].emplace_back(bytes);
    if (on_data_hook) on_data_hook(c, bytes);
  }
  void on_stream_end(ConnHandle c) override { received_at_end[c] = received[c]; }
  void on_closed(ConnHandle c, const CloseInfo& info) override {
    closed[c] = info;
    ++close_calls[c];
  }
  void on_probe_answered(ConnHandle c) override { ++probes_answered[c]; }
  void on_path_changed(ConnHandle c, const PeerInfo& peer) override {
    ++path_changes;
    peers[c] = peer;
  }
};

class TransportTest : public ::testing::Test {
 protected:
  virtual bool over_real_udp() const { return false; }

  void SetUp() override {
    if (!over_real_udp()) {
      auto manual = std::make_unique<io::ManualLoop>();
      manual_ = manual.get();
      loop = std::move(manual);
      net = std::make_unique<MemoryNetwork>(*loop);
      started_ = loop->now();
      return;
    }
    auto l = EventLoop::create();
    ASSERT_TRUE(l.ok());
    loop = std::move(*l);
    loop->on_idle([this] {
      if (until_ && until_()) loop->stop();
    });
    started_ = loop->now();
  }

  ServerOptions server_options() const {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.cert_file = data_path("certs/quic_certificate.pem");
    o.key_file = data_path("certs/quic_private_key.pem");
    o.retry = RetryMode::Never;
    o.alpns = {"quicchat", "echo-protocol"};
    o.one_pdu_per_packet_alpns = {"echo-protocol"};
    o.refusal_close_code = 5;
    return o;
  }

  ClientOptions client_options() const {
    ClientOptions o;
    o.host = "localhost";
    o.port = server ? server->local_port() : 0;
    o.ca_file = data_path("certs/quic_certificate.pem");
    o.alpns = {"quicchat", "echo-protocol"};
    o.one_pdu_per_packet_alpns = {"echo-protocol"};
    return o;
  }

  Result<std::unique_ptr<ServerEndpoint>> make_server(const ServerOptions& o) {
    return net ? start_server_on(*net, *loop, o, server_h)
               : ServerEndpoint::start(*loop, o, server_h);
  }

  void start_server(const ServerOptions& o) {
    auto s = make_server(o);
    ASSERT_TRUE(s.ok()) << s.error().message;
    server = std::move(*s);
    auto c =
        net ? create_client_on(*net, *loop, client_h) : ClientEndpoint::create(*loop, client_h);
    ASSERT_TRUE(c.ok());
    client = std::move(*c);
  }
  void start_server() { start_server(server_options()); }

  ConnHandle connect(const ClientOptions& o) {
    auto h = client->connect(o);
    EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error().message);
    return h.ok() ? *h : 0;
  }
  ConnHandle connect() { return connect(client_options()); }
  // Starts the server and connects offering only the original's ALPN; 0 when it did not open.
  ConnHandle open_echo_protocol() {
    start_server();
    ClientOptions o = client_options();
    o.alpns = {"echo-protocol"};
    ConnHandle c = connect(o);
    return both_open(c) ? c : 0;
  }

  // Runs the loop until done() is true; false (and a test failure) when the memory network's
  // budget of loop rounds runs out (or nothing is left to happen), or over real UDP after
  // `limit` of wall-clock time.
  bool run_until(std::function<bool()> done,
                 std::chrono::seconds limit = std::chrono::seconds(20)) {
    if (done()) return true;
    if (manual_ != nullptr) {
      bool ok = manual_->run_until(done);
      EXPECT_TRUE(ok) << "the awaited event did not happen within the step budget";
      return ok;
    }
    until_ = std::move(done);
    bool timed_out = false;
    auto failsafe = loop->add_timer(Clock::now() + limit, [&] {
      timed_out = true;
      loop->stop();
    });
    auto rv = loop->run();
    EXPECT_TRUE(rv.ok());
    loop->cancel_timer(failsafe);
    until_ = nullptr;
    EXPECT_FALSE(timed_out) << "timed out waiting for the awaited event";
    return !timed_out;
  }

  bool both_open(ConnHandle c) {
    return run_until([&] { return !client_h.opened.empty() && !server_h.opened.empty(); }) &&
           client_h.opened.front() == c;
  }

  ConnHandle server_conn() const { return server_h.opened.empty() ? 0 : server_h.opened.front(); }

  // Starts the server, connects, and opens the chat stream with `hello` (the server learns of
  // the stream from the client's first bytes on it). Returns the client's and the server's
  // handle of the connection, or zeros (and a test failure).
  std::pair<ConnHandle, ConnHandle> open_chat(const std::string& hello = "hello") {
    start_server();
    ConnHandle c = connect();
    if (!both_open(c) || !client->send(c, make_shared_bytes(hello)) ||
        !run_until([&] { return server_h.received[server_conn()] == hello; })) {
      ADD_FAILURE() << "chat stream not opened";
      return {0, 0};
    }
    return {c, server_conn()};
  }

  // Sends a PDU from the server as the chat server does.
  bool server_send(ConnHandle s, std::string pdu, bool replaceable = false) {
    return server->queue(s, make_shared_bytes(std::move(pdu)), replaceable).has_value();
  }
  // Bytes the server has queued on `s` and not yet seen acknowledged.
  std::size_t server_queued(ConnHandle s) const {
    return test_queued_bytes(*server, s).value_or(SIZE_MAX);
  }

  // Runs the loop for `d` of loop time (a timer bounds the manual clock's jumps).
  void run_for(Clock::duration d) {
    const TimePoint until = loop->now() + d;
    auto bound = loop->add_timer(until, [] {});
    run_until([&] { return loop->now() >= until; });
    loop->cancel_timer(bound);
  }

  // How far the loop's clock has moved since the test began.
  Clock::duration elapsed() const { return loop->now() - started_; }

  std::unique_ptr<EventLoop> loop;
  std::unique_ptr<MemoryNetwork> net;  // null over real UDP
  io::ManualLoop* manual_ = nullptr;
  TimePoint started_{};
  Recorder server_h;
  Recorder client_h;
  std::unique_ptr<ServerEndpoint> server;
  std::unique_ptr<ClientEndpoint> client;

 private:
  std::function<bool()> until_;
};

class UdpTransportTest : public TransportTest {
 protected:
  bool over_real_udp() const override { return true; }
};

inline SharedBytes bytes(std::string s) { return make_shared_bytes(std::move(s)); }

}  // namespace qc::quic::testing
