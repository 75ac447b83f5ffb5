// A tiny HTTP/1.1 responder on the event loop (the metrics endpoint): non-blocking TCP, one
// request per connection, every response closes. Slow or hostile clients cannot hold the loop:
// the request head is capped, each connection has a deadline, and the connections are capped.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "ops/http_request.h"
#include "ops/http_response.h"
#include "quic/event_loop.h"
#include "util/result.h"

namespace qc::ops {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// "127.0.0.1:9100", "localhost:9100", "[::1]:9100". A host is required (no ":9100").
Result<HostPort> parse_host_port(std::string_view text);

struct HttpServerOptions {
  HostPort listen{"127.0.0.1", 0};
  std::size_t max_head_bytes = kMaxRequestHeadBytes;
  std::size_t max_connections = 16;           // more are accepted and closed at once
  std::chrono::milliseconds deadline{5'000};  // from accept to close, whatever the client does
};

struct HttpServerStats {
  std::uint64_t requests = 0;      // answered, whatever the status
  std::uint64_t bad_requests = 0;  // answered 400
  std::uint64_t refused = 0;       // closed at accept: over max_connections
  std::uint64_t timed_out = 0;     // closed at the deadline
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  static Result<std::unique_ptr<HttpServer>> start(quic::EventLoop& loop,
                                                   const HttpServerOptions& options,
                                                   Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  const HttpServerStats& stats() const { return stats_; }

 private:
  enum class Phase { Reading, Writing, Draining };
  struct Conn {
    int fd = -1;
    std::string peer;
    Phase phase = Phase::Reading;
    std::string in;
    std::string out;
    std::size_t written = 0;
    std::size_t discarded = 0;
    quic::EventLoop::TimerId timer = 0;
  };

  HttpServer(quic::EventLoop& loop, HttpServerOptions options, Handler handler);
  void on_accept();
  void on_readable(std::uint64_t id);
  void read_request(std::uint64_t id, Conn& c);
  void discard_input(std::uint64_t id, Conn& c);
  void respond(std::uint64_t id, Conn& c, const HttpResponse& response);
  void write_some(std::uint64_t id);
  void finish(std::uint64_t id);

  quic::EventLoop& loop_;
  HttpServerOptions options_;
  Handler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, Conn> conns_;
  HttpServerStats stats_;
};

}  // namespace qc::ops
