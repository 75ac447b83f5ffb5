// The device id a v2 client sends at login, stable per user and server: kept in the per-user
// state folder as <state_dir>/<server>/<user>/device (directories 0700, the file 0600), a random
// 16-hex id created on first use. A reconnecting or restarted client sends the same id, so the
// server replaces its old session instead of adding a device.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace qc::client {

// $XDG_STATE_HOME/quicchat, else $HOME/.local/state/quicchat; empty when neither is set.
std::string default_state_dir();

// <state_dir>/<server>/<user>/device, each part made safe as a file name (user in lower case).
std::string device_file(std::string_view state_dir, std::string_view server, std::string_view user);

// The id in the file, or a new random one written there first.
Result<std::string> load_or_create_device_id(std::string_view state_dir, std::string_view server,
                                             std::string_view user);

// Replaces the stored id (the server chose another one).
Result<void> store_device_id(std::string_view state_dir, std::string_view server,
                             std::string_view user, std::string_view id);

}  // namespace qc::client
