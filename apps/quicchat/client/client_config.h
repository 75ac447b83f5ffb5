// The client's per-user config file: $XDG_CONFIG_HOME/quicchat/client.toml (else
// ~/.config/quicchat/client.toml), or --config FILE. Its keys are the client's option names; a
// value there is the default the command line overrides. `--save-config` writes one.
#pragma once

#include <string>
#include <vector>

#include "quicchat/common/flags.h"

namespace qc::app {

// <xdg_config_home>/quicchat/client.toml, else <home>/.config/quicchat/client.toml; "" when
// both are empty.
std::string client_config_path(const std::string& xdg_config_home, const std::string& home);

// The same from $XDG_CONFIG_HOME and $HOME.
std::string default_client_config_path();

// Where the options came from besides the command line.
struct ConfigSource {
  std::string path;                    // the file read; "" when none
  std::vector<std::string> keys = {};  // the options it set
};

// Reads --config FILE (which must exist; --config '' reads none), else `default_path` when that
// file exists. A relative path in the file (ca, password-file, state-dir) is taken from the
// file's folder, not from the current directory.
Result<ConfigSource> apply_client_config(Flags& flags, const std::string& default_path);

// --save-config: writes the options given on the command line (those a file may hold) to the
// config file, paths made absolute. Never replaces a file: an existing one is an error with the
// code "config_exists". Returns the file's path.
Result<std::string> save_client_config(const Flags& flags, const std::string& default_path);

}  // namespace qc::app
