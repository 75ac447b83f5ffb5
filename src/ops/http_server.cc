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

std::uint16_t local_port(int fd) {
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
  return ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&local)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&local)->sin_port);
}

bool loopback(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  if (address->sa_family != AF_INET6) return false;
  const in6_addr& v6 = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
  return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
}

}  // namespace

bool reachable_from_other_machines(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return true;
  bool reachable = false;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (!loopback(a->ai_addr)) reachable = true;
  }
  freeaddrinfo(found);
  return reachable;
}

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

Result<int> listen_tcp(const HostPort& at, std::uint16_t& bound_port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(at.port);
  if (int rv = getaddrinfo(at.host.c_str(), port.c_str(), &hints, &found); rv != 0) {
    return fail("listen", "cannot resolve '" + at.host + "': " + gai_strerror(rv));
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
    return fail("listen",
                "cannot listen on " + at.host + ":" + std::to_string(at.port) + ": " + error);
  }
  bound_port = local_port(fd);
  return fd;
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(io::EventLoop& loop,
                                                      const HttpServerOptions& options,
                                                      Handler handler) {
  std::unique_ptr<HttpServer> server(
      new HttpServer(options.limits.max_input_bytes, std::move(handler)));
  auto fd = listen_tcp(options.listen, server->port_);
  if (!fd) return Unexpected{fd.error()};
  auto stream = StreamServer::start(
      loop, *fd, options.limits,
      [s = server.get()](std::string& input, std::string& output, const std::string& peer) {
        return s->on_input(input, output, peer);
      });
  if (!stream) return Unexpected{stream.error()};
  server->stream_ = std::move(*stream);
  return server;
}

StreamNext HttpServer::on_input(std::string& input, std::string& output, const std::string& peer) {
  HeadResult head = parse_request_head(input, max_head_bytes_);
  if (head.status == HeadStatus::NeedMore) return StreamNext::Continue;
  ++stats_.requests;
  if (head.status == HeadStatus::Bad) {
    ++stats_.bad_requests;
    log::info("http_bad_request", {{"peer", peer}, {"error", head.error}});
    output = serialize(error_response(400, head.error));
  } else {
    output = serialize(handler_(head.request));
  }
  input.clear();
  return StreamNext::FinishWriting;
}

}  // namespace qc::ops
