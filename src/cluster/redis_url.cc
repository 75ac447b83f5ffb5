#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

#include "cluster/redis_config.h"

namespace qc::cluster {
namespace {

constexpr std::string_view kScheme = "redis://";

Unexpected<Error> bad_url(const std::string& why) { return fail("usage", "--cluster: " + why); }

Result<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > 65535)
    return bad_url("the port must be a number from 1 to 65535, not '" + std::string(text) + "'");
  return static_cast<std::uint16_t>(value);
}

// HOST[:PORT] with an IPv6 HOST in brackets.
Result<void> parse_host_port(std::string_view text, RedisConfig& out) {
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return bad_url("an IPv6 address lacks its ']'");
    out.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':'))
      return bad_url("unexpected '" + std::string(rest) + "' after the address");
    if (!rest.empty()) port = rest.substr(1);
    if (rest == ":") port = "-";  // a colon without a port
  } else {
    const auto colon = text.find(':');
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = text.substr(colon + 1);
      if (port.find(':') != std::string_view::npos)
        return bad_url("write an IPv6 address in brackets: redis://[::1]:6379");
      if (port.empty()) port = "-";
    }
  }
  if (out.host.empty()) return bad_url("the URL names no host");
  if (!port.empty()) {
    auto number = parse_port(port);
    if (!number) return Unexpected{number.error()};
    out.port = *number;
  }
  return {};
}

}  // namespace

Result<RedisConfig> parse_redis_url(std::string_view url) {
  if (url.starts_with("rediss://"))
    return bad_url(
        "TLS (rediss://) is not supported by hiredis 0.14: use redis:// on a private "
        "network or through a tunnel");
  if (!url.starts_with(kScheme))
    return bad_url("expected redis://[USER@]HOST:PORT, not '" + std::string(url) + "'");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos)
    return bad_url("no path, database number or query: redis://[USER@]HOST:PORT");
  RedisConfig config;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view user = rest.substr(0, at);
    if (user.find(':') != std::string_view::npos)
      return bad_url(
          "a password in the URL is refused (it would show in ps and logs): put it "
          "in a file given with --cluster-password-file");
    if (user.empty()) return bad_url("an empty user before '@'");
    config.user = std::string(user);
    rest = rest.substr(at + 1);
  }
  if (auto parsed = parse_host_port(rest, config); !parsed) return Unexpected{parsed.error()};
  return config;
}

std::string redis_address(const RedisConfig& config) {
  const bool v6 = config.host.find(':') != std::string::npos;
  return (v6 ? "[" + config.host + "]" : config.host) + ":" + std::to_string(config.port);
}

Result<std::string> read_password_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return fail("usage", "--cluster-password-file " + path + ": " + std::strerror(errno));
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    return fail("usage",
                "--cluster-password-file " + path + ": group or others may read it (chmod 600 it)");
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line))
    return fail("usage", "--cluster-password-file " + path + ": cannot read a line");
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.empty()) return fail("usage", "--cluster-password-file " + path + ": it is empty");
  return line;
}

}  // namespace qc::cluster
