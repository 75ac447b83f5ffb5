// The versions of the QUIC and TLS libraries this process runs with: the shared libraries
// loaded at run time, which may be newer than the headers quicchat was built against.
#pragma once

#include <string>

namespace qc::quic {

std::string ngtcp2_runtime_version();  // "0.12.1"
std::string gnutls_runtime_version();  // "3.7.9"

}  // namespace qc::quic
