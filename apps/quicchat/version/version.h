// `quicchat version` (and `quicchat --version`): quicchat's own version, the versions of the
// libraries it runs with, and the protocol versions it speaks with the ALPNs of each.
#pragma once

#include <string>

namespace qc::app {

// One "name version" line each:
//   quicchat 0.1.0
//   ngtcp2 0.12.1
//   GnuTLS 3.7.9
//   SQLite 3.40.1
//   protocol 1 over ALPN quicchat, echo-protocol
//   protocol 2 over ALPN quicchat
std::string version_text();

}  // namespace qc::app
