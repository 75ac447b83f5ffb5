// `quicchat client` options: one table (client_options.cc) gives each option's flag, default,
// range and help; it fills the chat connection's and the terminal client's settings.
#pragma once

#include <span>
#include <string>

#include "quicchat/client/client_app.h"
#include "quicchat/common/options.h"
#include "util/log.h"

namespace qc::app {

struct ClientSettings {
  client::ChatClientOptions chat;
  ClientAppOptions app;
  log::Level log_level = log::Level::Warn;
};

std::span<const Option<ClientSettings>> client_options();

Flags make_client_flags();

// Checks every option against its row and builds the settings; names the first bad value.
Result<ClientSettings> client_settings_from(const Flags& flags);

// The options table of docs/CLIENT.md (`quicchat client --options-markdown` prints it).
std::string client_options_markdown();

}  // namespace qc::app
