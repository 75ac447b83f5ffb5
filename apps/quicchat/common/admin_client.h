// The client side of the admin socket (ops/admin_protocol.h), for `quicchat admin` and
// `quicchat user --admin-socket`: one request line out, one reply line back.
#pragma once

#include <chrono>
#include <string>

#include "ops/admin_protocol.h"
#include "util/result.h"

namespace qc::app {

// The server's reply (which may say ok: false), or why there was none: the socket cannot be
// reached, no reply within `timeout`, or a reply that does not decode.
Result<ops::AdminReply> ask_admin(const std::string& socket_path, const ops::AdminRequest& request,
                                  std::chrono::seconds timeout = std::chrono::seconds(10));

}  // namespace qc::app
