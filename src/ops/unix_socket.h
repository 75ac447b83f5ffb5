// Unix stream sockets for the admin socket: the server's listening socket (mode 0600, a stale
// file from a crashed server replaced, a live server's socket refused) and the client's connect.
#pragma once

#include <string>

#include "util/result.h"

namespace qc::ops {

// A non-blocking listening socket at `path`, readable and writable by this user only.
Result<int> listen_unix(const std::string& path);

// A blocking connected socket (for `quicchat admin`).
Result<int> connect_unix(const std::string& path);

}  // namespace qc::ops
