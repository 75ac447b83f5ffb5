// Development certificates, made with GnuTLS's API: a self-signed EC P-256 certificate,
// CN=localhost, SAN DNS:localhost and IP:127.0.0.1, as the seed's certs/ holds.
#pragma once

#include <string>

#include "util/result.h"

namespace qc::quic {

inline constexpr const char* kCertFileName = "quic_certificate.pem";
inline constexpr const char* kKeyFileName = "quic_private_key.pem";

struct CertRequest {
  std::string out_dir = "certs";
  std::string common_name = "localhost";
  int valid_days = 825;
};

// Writes out_dir/quic_certificate.pem and out_dir/quic_private_key.pem (key mode 0600),
// creating out_dir. Overwrites existing files.
Result<void> write_self_signed_cert(const CertRequest& req);

}  // namespace qc::quic
