// What a server certificate file says about itself, for the log: the names and addresses it
// covers and when it expires. The first certificate of the file is the server's (a full chain
// follows it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"

namespace qc::quic {

struct CertificateInfo {
  std::vector<std::string> names;  // "DNS:localhost", "IP:127.0.0.1", "IP:::1"
  std::int64_t not_after_unix = 0;  // seconds
};

Result<CertificateInfo> read_certificate_info(const std::string& cert_file);

// "2026-12-02T16:25:54Z"
std::string utc_time_text(std::int64_t unix_seconds);

}  // namespace qc::quic
