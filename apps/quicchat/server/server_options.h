// `quicchat server` options: one table (server_options.cc) gives each option's flag, TOML key,
// default, range, help and whether a reload applies it (server_reload.h); the rest of this file
// reads it.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "cluster/redis_config.h"
#include "ops/http_server.h"
#include "quicchat/common/options.h"
#include "server/chat_server.h"
#include "util/log.h"

namespace qc::app {

// Everything the options decide: the server's configuration and what cmd_server sets up itself.
struct ServerSettings {
  server::ServerConfig config;
  std::string db;
  std::string secret_file;  // the stateless-reset secret (server/secret_file.h)
  log::Level log_level = log::Level::Info;
  std::optional<ops::HostPort> metrics_listen;  // nullopt = no metrics endpoint
  std::string admin_socket;                     // empty = no admin socket
  // --cluster: this node's Redis (bus, presence); nullopt = a server on its own. The password
  // is read from cluster_password_file when the server starts (cmd_server.cc).
  std::optional<cluster::RedisConfig> cluster;
  std::string cluster_password_file;
};

std::span<const Option<ServerSettings>> server_options();

Flags make_server_flags();

// Reads `--config FILE` (TOML; keys are the option names) as defaults under the command line.
Result<void> apply_config_file(Flags& flags);

// Checks every option against its row and builds the settings; names the first bad value.
Result<ServerSettings> server_settings_from(const Flags& flags);

// The options table of docs/OPERATIONS.md (`quicchat server --options-markdown` prints it).
std::string server_options_markdown();

}  // namespace qc::app
