#include "server_options.h"

#include <cstdlib>
#include <thread>

#include <toml++/toml.h>

#include "util/log.h"

namespace qc::app {

Flags make_server_flags() {
  return Flags(
      "usage: quicchat server [options]\n\n"
      "Runs the chat server. Options may also come from a TOML file (--config) whose keys are\n"
      "the option names, e.g.  port = 4433  or  alpn = \"quicchat,echo-protocol\".\n"
      "The command line wins over the file.",
      {
          {"config", "", "TOML configuration file"},
          {"host", "127.0.0.1", "address to listen on"},
          {"port", "4433", "UDP port (0 = any free port)"},
          {"cert", "certs/quic_certificate.pem", "TLS certificate (PEM)"},
          {"key", "certs/quic_private_key.pem", "TLS private key (PEM)"},
          {"db", "data/quicchat.db", "SQLite account database"},
          {"alpn", "quicchat,echo-protocol", "accepted ALPN protocols, preferred first"},
          {"log-level", "info", "debug, info, warn, error or off"},
          {"hash-threads", "0", "password-hashing threads (0 = number of cores)"},
          {"bcrypt-cost", "12", "cost of the dummy hash checked for unknown users"},
          {"max-pending-logins", "256",
           "password checks waiting or running; LOGIN beyond gets 'Server busy' (0 = no limit)"},
          {"login-attempts", "3", "LOGIN attempts before the connection is closed"},
          {"login-retry-window-ms", "60000", "after a failed LOGIN, the next must come within"},
          {"keepalive-timeout-ms", "90000", "close a session silent for this long"},
          {"idle-timeout-ms", "120000", "QUIC idle timeout"},
          {"handshake-timeout-ms", "10000", "QUIC handshake timeout"},
          {"max-pdu-bytes", "65536", "largest PDU accepted"},
          {"max-connections", "20000", "connections in all"},
          {"max-connections-per-ip", "20000", "connections from one address"},
          {"retry", "auto", "QUIC Retry (address validation): auto, always or never"},
          {"retry-threshold", "256", "handshakes in progress above which auto sends Retry"},
          {"msg-rate", "20", "messages per second one session may send (0 = no limit)"},
          {"msg-burst", "40", "messages one session may send in one burst"},
          {"login-rate-per-ip", "30", "LOGIN attempts per minute from one address (0 = no limit)"},
          {"login-burst-per-ip", "50", "LOGIN attempts at once from one address"},
          {"login-rate-per-account", "6",
           "LOGIN attempts per minute for one account (0 = no limit)"},
          {"login-burst-per-account", "6", "LOGIN attempts at once for one account"},
          {"max-text-bytes", "32768", "longest message text, in bytes"},
          {"max-targets", "100", "user ids in one ONE_TO_MANY"},
          {"max-queued-bytes", "1048576", "unacknowledged bytes before a slow reader is closed"},
          {"qlog-dir", "", "write a qlog file per connection into this folder"},
          {"admin-socket", "",
           "unix socket for quicchat admin (who, kick, stats); created mode 0600"},
          {"metrics-listen", "",
           "serve Prometheus metrics at http://HOST:PORT/metrics (off when empty; keep it on "
           "loopback or behind a firewall)"},
      });
}

Result<void> apply_config_file(Flags& flags) {
  if (!flags.given("config")) return {};
  const std::string path = flags.get("config");
  toml::table parsed;
  try {
    parsed = toml::parse_file(path);
  } catch (const toml::parse_error& err) {
    return fail("bad_config", path + ":" + std::to_string(err.source().begin.line) + ": " +
                                  std::string(err.description()));
  }
  for (auto&& [key, node] : parsed) {
    std::string name(key.str());
    if (name == "config") return fail("bad_config", path + ": 'config' cannot be set in a file");
    std::string value;
    if (auto s = node.value<std::string>())
      value = *s;
    else if (auto i = node.value<std::int64_t>())
      value = std::to_string(*i);
    else if (auto b = node.value<bool>())
      value = *b ? "1" : "0";
    else
      return fail("bad_config", path + ": '" + name + "' must be a string or an integer");
    if (!flags.knows(name)) {
      return fail("bad_config", path + ": unknown option '" + name + "'");
    }
    if (!flags.given(name)) flags.set_default(name, value);
  }
  return {};
}

namespace {

Result<std::chrono::milliseconds> millis(const Flags& f, const char* name) {
  auto v = f.get_int(name, 1, 86'400'000);
  if (!v) return Unexpected{v.error()};
  return std::chrono::milliseconds(*v);
}

// A rate flag (per `period_seconds`) and its burst flag; a rate of 0 turns the limit off.
Result<chat::RateLimit> rate_limit(const Flags& f, const char* rate_name, const char* burst_name,
                                   double period_seconds) {
  auto rate = f.get_int(rate_name, 0, 1'000'000);
  if (!rate) return Unexpected{rate.error()};
  auto burst = f.get_int(burst_name, 1, 1'000'000);
  if (!burst) return Unexpected{burst.error()};
  return chat::RateLimit{static_cast<double>(*rate) / period_seconds, static_cast<double>(*burst)};
}

Result<void> apply_limits(const Flags& f, server::ServerConfig& c) {
  auto msg = rate_limit(f, "msg-rate", "msg-burst", 1);
  auto per_ip = rate_limit(f, "login-rate-per-ip", "login-burst-per-ip", 60);
  auto per_account = rate_limit(f, "login-rate-per-account", "login-burst-per-account", 60);
  for (auto* r : {&msg, &per_ip, &per_account}) {
    if (!*r) return Unexpected{r->error()};
  }
  c.chat.message_rate = *msg;
  c.chat.login_rate_per_ip = *per_ip;
  c.chat.login_rate_per_account = *per_account;
  auto text = f.get_int("max-text-bytes", 1, 16 << 20);
  auto targets = f.get_int("max-targets", 1, 1'000'000);
  auto queued = f.get_int("max-queued-bytes", 4096, std::int64_t{1} << 40);
  auto logins = f.get_int("max-pending-logins", 0, 10'000'000);
  for (auto* r : {&text, &targets, &queued, &logins}) {
    if (!*r) return Unexpected{r->error()};
  }
  c.chat.max_text_bytes = static_cast<std::size_t>(*text);
  c.chat.max_targets = static_cast<std::size_t>(*targets);
  c.max_queued_bytes = static_cast<std::size_t>(*queued);
  c.chat.max_pending_logins = static_cast<std::size_t>(*logins);
  return {};
}

}  // namespace

Result<server::ServerConfig> server_config_from(const Flags& f) {
  server::ServerConfig c;
  auto& t = c.transport;
  t.host = f.get("host");
  t.cert_file = f.get("cert");
  t.key_file = f.get("key");
  t.alpns = split_list(f.get("alpn"));
  if (t.alpns.empty()) return fail("usage", "--alpn needs at least one protocol");
  t.qlog_dir = f.get("qlog-dir");
  if (const char* keylog = std::getenv("SSLKEYLOGFILE")) t.keylog_file = keylog;

  std::string retry = f.get("retry");
  if (retry == "auto")
    t.retry = quic::RetryMode::Auto;
  else if (retry == "always")
    t.retry = quic::RetryMode::Always;
  else if (retry == "never")
    t.retry = quic::RetryMode::Never;
  else
    return fail("usage", "--retry must be auto, always or never");

  log::Level level;
  if (!log::parse_level(f.get("log-level"), level)) {
    return fail("usage", "--log-level must be debug, info, warn, error or off");
  }
  log::set_level(level);

  struct IntOption {
    const char* name;
    std::int64_t min, max;
    std::int64_t* out;
  };
  std::int64_t port, threads, cost, attempts, pdu, max_conn, max_ip, retry_threshold;
  const IntOption ints[] = {
      {"port", 0, 65535, &port},
      {"hash-threads", 0, 256, &threads},
      {"bcrypt-cost", 4, 31, &cost},
      {"login-attempts", 1, 100, &attempts},
      {"max-pdu-bytes", 256, 16 << 20, &pdu},
      {"max-connections", 1, 10'000'000, &max_conn},
      {"max-connections-per-ip", 1, 10'000'000, &max_ip},
      {"retry-threshold", 0, 10'000'000, &retry_threshold},
  };
  for (const IntOption& o : ints) {
    auto v = f.get_int(o.name, o.min, o.max);
    if (!v) return Unexpected{v.error()};
    *o.out = *v;
  }
  t.port = static_cast<std::uint16_t>(port);
  t.max_connections = static_cast<std::size_t>(max_conn);
  t.max_connections_per_ip = static_cast<std::size_t>(max_ip);
  t.retry_threshold = static_cast<std::size_t>(retry_threshold);
  c.hash_threads = threads > 0 ? static_cast<unsigned>(threads)
                               : std::max(1u, std::thread::hardware_concurrency());
  c.bcrypt_cost = static_cast<int>(cost);
  c.chat.max_login_attempts = static_cast<int>(attempts);
  c.chat.limits.max_bytes = static_cast<std::size_t>(pdu);

  auto retry_window = millis(f, "login-retry-window-ms");
  auto keepalive = millis(f, "keepalive-timeout-ms");
  auto idle = millis(f, "idle-timeout-ms");
  auto handshake = millis(f, "handshake-timeout-ms");
  for (auto* r : {&retry_window, &keepalive, &idle, &handshake}) {
    if (!*r) return Unexpected{r->error()};
  }
  c.chat.login_retry_window = *retry_window;
  c.chat.keepalive_timeout = *keepalive;
  t.idle_timeout = *idle;
  t.handshake_timeout = *handshake;
  if (auto limits = apply_limits(f, c); !limits) return Unexpected{limits.error()};
  return c;
}

}  // namespace qc::app
