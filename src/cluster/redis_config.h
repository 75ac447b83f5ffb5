// What a node needs to reach the cluster's Redis, and the timing of its heartbeat; parsed from
// `--cluster redis://[USER@]HOST:PORT` (parse_redis_url) and `--cluster-password-file`.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace qc::cluster {

struct RedisConfig {
  std::string host = "127.0.0.1";  // a name is resolved (blocking) at every connect
  std::uint16_t port = 6379;
  std::string user;      // the ACL user (empty: AUTH PASSWORD, or no AUTH without a password)
  std::string password;  // from --cluster-password-file; never logged
  std::string node_id;   // this node (valid account-name characters: safe in key names)
  std::string prefix = "quicchat:";  // of every key and channel
  // This node's heartbeat key is refreshed every interval and expires after node_expiry: the
  // others notice a dead node within node_expiry + heartbeat_interval.
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds node_expiry{3000};
  // A heartbeat's replies (on both connections) must come within this, and a connection attempt
  // must be ready within connect_timeout, or the bus goes Down and reconnects.
  std::chrono::milliseconds reply_timeout{2000};
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds reconnect_min{100};  // backoff between attempts, doubling to max
  std::chrono::milliseconds reconnect_max{2000};
  // A dead node's heartbeat record stays this long after its last heartbeat (it is shown down in
  // `quicchat admin nodes`), then the next reader removes it.
  std::chrono::milliseconds record_retention{std::chrono::minutes(10)};
};

// redis://[USER@]HOST[:PORT][/] (PORT defaults to 6379; an IPv6 HOST in brackets). A password in
// the URL is refused: it would show in `ps` and in logs (it belongs in --cluster-password-file).
Result<RedisConfig> parse_redis_url(std::string_view url);

// HOST:PORT as it is shown in the log (an IPv6 host in brackets); never the user or password.
std::string redis_address(const RedisConfig& config);

// The password file's first line (trailing CR/LF removed). Refused when empty, or when group or
// others may read it.
Result<std::string> read_password_file(const std::string& path);

}  // namespace qc::cluster
