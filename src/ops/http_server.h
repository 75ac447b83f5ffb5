// A tiny HTTP/1.1 responder on the event loop (the metrics endpoint): non-blocking TCP, one
// request per connection, every response closes. The stream server underneath caps the request
// head, the connections and each connection's lifetime.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "io/event_loop.h"
#include "ops/http_request.h"
#include "ops/http_response.h"
#include "ops/stream_server.h"
#include "util/result.h"

namespace qc::ops {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// "127.0.0.1:9100", "localhost:9100", "[::1]:9100". A host is required (no ":9100").
Result<HostPort> parse_host_port(std::string_view text);

// True unless every address `host` stands for is loopback (127.0.0.0/8, ::1): a wildcard
// (0.0.0.0, ::), any other address, and a name that does not resolve may be reached from other
// machines.
bool reachable_from_other_machines(const std::string& host);

// A non-blocking listening TCP socket on `at`; the port actually bound in `bound_port`.
Result<int> listen_tcp(const HostPort& at, std::uint16_t& bound_port);

struct HttpServerOptions {
  HostPort listen{"127.0.0.1", 0};
  StreamLimits limits{16, kMaxRequestHeadBytes, std::chrono::milliseconds(5'000)};
};

struct HttpServerStats {
  std::uint64_t requests = 0;      // answered, whatever the status
  std::uint64_t bad_requests = 0;  // answered 400
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  static Result<std::unique_ptr<HttpServer>> start(io::EventLoop& loop,
                                                   const HttpServerOptions& options,
                                                   Handler handler);

  std::uint16_t port() const { return port_; }
  const HttpServerStats& stats() const { return stats_; }
  const StreamStats& connection_stats() const { return stream_->stats(); }

 private:
  HttpServer(std::size_t max_head_bytes, Handler handler)
      : max_head_bytes_(max_head_bytes), handler_(std::move(handler)) {}
  StreamNext on_input(std::string& input, std::string& output, const std::string& peer);

  std::size_t max_head_bytes_;
  Handler handler_;
  std::uint16_t port_ = 0;
  HttpServerStats stats_;
  std::unique_ptr<StreamServer> stream_;
};

}  // namespace qc::ops
