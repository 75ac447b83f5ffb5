// `quicchat server` options: every flag, its default and its TOML config key (the same name).
#pragma once

#include "flags.h"
#include "server/chat_server.h"

namespace qc::app {

Flags make_server_flags();

// Reads `--config FILE` (TOML; keys are the option names) as defaults under the command line.
Result<void> apply_config_file(Flags& flags);

// Turns the parsed options into the server's configuration; names the first bad value.
Result<server::ServerConfig> server_config_from(const Flags& flags);

}  // namespace qc::app
