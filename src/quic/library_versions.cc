#include "quic/library_versions.h"

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>

namespace qc::quic {

std::string ngtcp2_runtime_version() {
  const ngtcp2_info* info = ngtcp2_version(0);
  return info && info->version_str ? info->version_str : "unknown";
}

std::string gnutls_runtime_version() {
  const char* version = gnutls_check_version(nullptr);
  return version ? version : "unknown";
}

}  // namespace qc::quic
