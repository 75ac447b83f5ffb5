// `quicchat client` options: one table (client_options.cc) gives each option's flag, default,
// range and help; it fills the chat connection's and the terminal client's settings.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "quicchat/client/client_app.h"
#include "quicchat/client/client_config.h"
#include "quicchat/client/server_rotation.h"
#include "quicchat/common/host_port.h"
#include "quicchat/common/options.h"
#include "util/log.h"

namespace qc::app {

struct ClientSettings {
  client::ChatClientOptions chat;
  ClientAppOptions app;
  log::Level log_level = log::Level::Warn;
  std::optional<std::uint16_t> port_in_server;  // --server HOST:PORT (one server)
  std::vector<ServerAddress> server_list;       // --server as written
  std::vector<ServerEntry> servers;             // with their ports settled
};

std::span<const Option<ClientSettings>> client_options();

Flags make_client_flags();

// Checks every option against its row and builds the settings; names the first bad value.
// `source` says which options the config file set (for precedence and messages).
Result<ClientSettings> client_settings_from(const Flags& flags, const ConfigSource& source = {});

// The options table of docs/CLIENT.md (`quicchat client --options-markdown` prints it).
std::string client_options_markdown();

}  // namespace qc::app
