// Development certificates, made with GnuTLS's API: a self-signed EC P-256 certificate whose
// subject alternative names are the DNS names and IP addresses asked for (by default localhost,
// 127.0.0.1 and ::1), CN the first DNS name.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace qc::quic {

inline constexpr const char* kCertFileName = "quic_certificate.pem";
inline constexpr const char* kKeyFileName = "quic_private_key.pem";

struct CertRequest {
  std::string out_dir = "certs";
  std::string common_name = "localhost";
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ip_addresses = {"127.0.0.1", "::1"};  // IPv4 or IPv6 literals
  int valid_days = 825;
};

// Checks the names and addresses of a request (a clear error for the first bad one).
Result<void> check_cert_names(const CertRequest& req);

// Writes out_dir/quic_certificate.pem and out_dir/quic_private_key.pem (key mode 0600),
// creating out_dir. Overwrites existing files.
Result<void> write_self_signed_cert(const CertRequest& req);

}  // namespace qc::quic
