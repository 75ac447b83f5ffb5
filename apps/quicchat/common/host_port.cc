#include "quicchat/common/host_port.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>

#include <charconv>

namespace qc::app {
namespace {

Result<ServerAddress> malformed(std::string_view text, std::string_view why) {
  return fail("usage", "--server '" + std::string(text) + "': " + std::string(why));
}

// An IPv6 address, optionally with a zone ("fe80::1%eth0").
bool is_ipv6(std::string_view host) {
  const std::string address(host.substr(0, host.find('%')));
  unsigned char buf[16];
  return inet_pton(AF_INET6, address.c_str(), buf) == 1;
}

Result<std::uint16_t> parse_port(std::string_view text, std::string_view port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
      value > 65535) {
    return fail("usage", "--server '" + std::string(text) + "': the port must be 1 to 65535");
  }
  return static_cast<std::uint16_t>(value);
}

// "[ADDRESS]" or "[ADDRESS]:PORT".
Result<ServerAddress> parse_bracketed(std::string_view text) {
  const auto close = text.find(']');
  if (close == std::string_view::npos) return malformed(text, "missing ']'");
  const std::string_view host = text.substr(1, close - 1);
  if (host.empty()) return malformed(text, "no address between the brackets");
  if (host.find_first_of("[]") != std::string_view::npos) return malformed(text, "stray bracket");
  if (!is_ipv6(host)) return malformed(text, "brackets hold an IPv6 address only");
  const std::string_view rest = text.substr(close + 1);
  if (rest.empty()) return ServerAddress{std::string(host), std::nullopt};
  if (rest.front() != ':') return malformed(text, "expected ':PORT' after ']'");
  auto port = parse_port(text, rest.substr(1));
  if (!port) return Unexpected{port.error()};
  return ServerAddress{std::string(host), *port};
}

}  // namespace

Result<ServerAddress> parse_server_address(std::string_view text) {
  if (text.empty()) return malformed(text, "no host");
  if (text.front() == '[') return parse_bracketed(text);
  if (text.find_first_of("[]") != std::string_view::npos) return malformed(text, "stray bracket");
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return ServerAddress{std::string(text), std::nullopt};
  // Two colons or more: an IPv6 address, all of it (a port needs brackets: [ADDRESS]:PORT).
  if (text.find(':', colon + 1) != std::string_view::npos) {
    if (!is_ipv6(text)) return malformed(text, "not an IPv6 address (with a port: [ADDRESS]:PORT)");
    return ServerAddress{std::string(text), std::nullopt};
  }
  if (colon == 0) return malformed(text, "no host before ':'");
  auto port = parse_port(text, text.substr(colon + 1));
  if (!port) return Unexpected{port.error()};
  return ServerAddress{std::string(text.substr(0, colon)), *port};
}

Result<std::vector<ServerAddress>> parse_server_list(std::string_view text) {
  std::vector<ServerAddress> list;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    std::string_view entry =
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.empty()) {
      return fail("usage", "--server '" + std::string(text) + "': entry " +
                               std::to_string(list.size() + 1) + " is empty");
    }
    auto address = parse_server_address(entry);
    if (!address) return Unexpected{address.error()};
    list.push_back(std::move(*address));
    if (comma == std::string_view::npos) return list;
    start = comma + 1;
  }
}

Result<std::vector<std::string>> resolve_host_addresses(const std::string& host) {
  unsigned char buf[16];
  if (host == "localhost" || inet_pton(AF_INET, host.c_str(), buf) == 1 || is_ipv6(host)) {
    return std::vector<std::string>{host};
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  const int rv = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rv != 0 || res == nullptr) {
    return fail("resolve", "cannot resolve " + host + ": " + gai_strerror(rv));
  }
  std::vector<std::string> out;
  for (const addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw =
        ai->ai_family == AF_INET6
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr);
    if (inet_ntop(ai->ai_family, raw, text, sizeof text) == nullptr) continue;
    if (std::find(out.begin(), out.end(), text) == out.end()) out.emplace_back(text);
  }
  freeaddrinfo(res);
  if (out.empty()) return fail("resolve", "cannot resolve " + host + ": no address");
  return out;
}

std::string host_port_text(std::string_view host, std::uint16_t port) {
  const bool ipv6 = host.find(':') != std::string_view::npos;
  std::string out = ipv6 ? "[" + std::string(host) + "]" : std::string(host);
  return out + ":" + std::to_string(port);
}

}  // namespace qc::app
