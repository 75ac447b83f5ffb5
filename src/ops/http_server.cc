#include "ops/http_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "util/log.h"

namespace qc::ops {
namespace {

constexpr int kBacklog = 64;
constexpr std::size_t kMaxAcceptsPerWakeup = 64;
constexpr std::size_t kMaxDiscardBytes = 64 * 1024;  // after the response, until the peer's EOF

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

std::string address_string(const sockaddr* sa, socklen_t len) {
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) !=
      0)
    return "?";
  return sa->sa_family == AF_INET6 ? "[" + std::string(host) + "]:" + serv
                                   : std::string(host) + ":" + serv;
}

Result<int> listen_on(const HostPort& at) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(at.port);
  if (int rv = getaddrinfo(at.host.c_str(), port.c_str(), &hints, &found); rv != 0) {
    return fail("metrics_listen", "cannot resolve '" + at.host + "': " + gai_strerror(rv));
  }
  std::string error = "no address";
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, kBacklog) != 0) {
      error = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) {
    return fail("metrics_listen",
                "cannot listen on " + at.host + ":" + std::to_string(at.port) + ": " + error);
  }
  return fd;
}

}  // namespace

Result<HostPort> parse_host_port(std::string_view text) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail("usage", "'" + std::string(text) + "' is not HOST:PORT");
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return fail("usage", "'" + std::string(text) + "' is not [IPV6]:PORT");
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return fail("usage", "'" + std::string(text) + "': write an IPv6 address as [ADDRESS]:PORT");
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value > 65535) {
    return fail("usage", "'" + std::string(text) + "': bad port");
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(value)};
}

HttpServer::HttpServer(quic::EventLoop& loop, HttpServerOptions options, Handler handler)
    : loop_(loop), options_(std::move(options)), handler_(std::move(handler)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::start(quic::EventLoop& loop,
                                                      const HttpServerOptions& options,
                                                      Handler handler) {
  std::unique_ptr<HttpServer> server(new HttpServer(loop, options, std::move(handler)));
  auto fd = listen_on(options.listen);
  if (!fd) return Unexpected{fd.error()};
  server->listen_fd_ = *fd;
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  getsockname(*fd, reinterpret_cast<sockaddr*>(&local), &len);
  server->port_ =
      ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&local)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&local)->sin_port);
  auto watched = loop.watch_readable(*fd, [s = server.get()] { s->on_accept(); });
  if (!watched) return Unexpected{watched.error()};
  return server;
}

HttpServer::~HttpServer() {
  while (!conns_.empty()) finish(conns_.begin()->first);
  if (listen_fd_ >= 0) {
    loop_.unwatch(listen_fd_);
    ::close(listen_fd_);
  }
}

void HttpServer::on_accept() {
  for (std::size_t i = 0; i < kMaxAcceptsPerWakeup; ++i) {
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    int fd =
        accept4(listen_fd_, reinterpret_cast<sockaddr*>(&from), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (!would_block(errno) && errno != EINTR && errno != ECONNABORTED) {
        log::warn("http_accept_failed", {{"error", std::strerror(errno)}});
      }
      return;
    }
    if (conns_.size() >= options_.max_connections) {
      ++stats_.refused;
      ::close(fd);
      continue;
    }
    const std::uint64_t id = next_id_++;
    Conn& c = conns_[id];
    c.fd = fd;
    c.peer = address_string(reinterpret_cast<sockaddr*>(&from), len);
    c.timer = loop_.add_timer(loop_.now() + options_.deadline, [this, id] {
      auto it = conns_.find(id);
      if (it == conns_.end()) return;
      it->second.timer = 0;
      ++stats_.timed_out;
      log::debug("http_timeout", {{"peer", it->second.peer}});
      finish(id);
    });
    if (auto watched = loop_.watch_readable(fd, [this, id] { on_readable(id); }); !watched) {
      log::warn("http_watch_failed", {{"error", watched.error().message}});
      finish(id);
    }
  }
}

void HttpServer::on_readable(std::uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  if (it->second.phase == Phase::Reading) {
    read_request(id, it->second);
  } else {
    discard_input(id, it->second);
  }
}

void HttpServer::read_request(std::uint64_t id, Conn& c) {
  // Read at most one byte past the cap: enough for the parser to call the head too large.
  while (c.in.size() <= options_.max_head_bytes) {
    char buf[4096];
    std::size_t room = std::min(sizeof buf, options_.max_head_bytes + 1 - c.in.size());
    ssize_t n = ::recv(c.fd, buf, room, 0);
    if (n > 0) {
      c.in.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (would_block(errno) || errno == EINTR)) break;
    finish(id);  // EOF or error before a whole request: nothing to answer
    return;
  }
  HeadResult head = parse_request_head(c.in, options_.max_head_bytes);
  if (head.status == HeadStatus::NeedMore) return;
  if (head.status == HeadStatus::Bad) {
    ++stats_.bad_requests;
    log::info("http_bad_request", {{"peer", c.peer}, {"error", head.error}});
    respond(id, c, error_response(400, head.error));
    return;
  }
  respond(id, c, handler_(head.request));
}

void HttpServer::discard_input(std::uint64_t id, Conn& c) {
  while (true) {
    char buf[4096];
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n < 0 && (would_block(errno) || errno == EINTR)) return;
    if (n <= 0) break;  // EOF (the client read the response and closed) or error
    c.discarded += static_cast<std::size_t>(n);
    if (c.discarded > kMaxDiscardBytes) break;
  }
  finish(id);
}

void HttpServer::respond(std::uint64_t id, Conn& c, const HttpResponse& response) {
  ++stats_.requests;
  c.in.clear();
  c.in.shrink_to_fit();
  c.out = serialize(response);
  c.phase = Phase::Writing;
  write_some(id);
}

void HttpServer::write_some(std::uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  while (c.written < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
    if (n >= 0) {
      c.written += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (!would_block(errno) || !loop_.watch_writable_once(c.fd, [this, id] { write_some(id); })) {
      finish(id);
    }
    return;
  }
  // Half-close, then read until the client's EOF: closing with unread input would reset the
  // connection and could destroy the response before the client has read it.
  ::shutdown(c.fd, SHUT_WR);
  c.out.clear();
  c.out.shrink_to_fit();
  c.phase = Phase::Draining;
}

void HttpServer::finish(std::uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  loop_.unwatch(c.fd);
  ::close(c.fd);
  if (c.timer != 0) loop_.cancel_timer(c.timer);
  conns_.erase(it);
}

}  // namespace qc::ops
