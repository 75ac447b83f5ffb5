#include "quic/cert_info.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sys/socket.h>

#include <ctime>

namespace qc::quic {
namespace {

std::string ip_text(const unsigned char* bytes, std::size_t size) {
  char text[INET6_ADDRSTRLEN] = {};
  const int family = size == 4 ? AF_INET : size == 16 ? AF_INET6 : -1;
  if (family < 0 || inet_ntop(family, bytes, text, sizeof text) == nullptr) return "?";
  return text;
}

std::vector<std::string> alt_names(gnutls_x509_crt_t crt) {
  std::vector<std::string> names;
  for (unsigned seq = 0;; ++seq) {
    unsigned char buf[1024];
    size_t size = sizeof buf;
    const int type = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf, &size, nullptr);
    if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) break;
    if (type == GNUTLS_SAN_DNSNAME) {
      names.push_back("DNS:" + std::string(reinterpret_cast<const char*>(buf), size));
    } else if (type == GNUTLS_SAN_IPADDRESS) {
      names.push_back("IP:" + ip_text(buf, size));
    }  // other kinds (and a name too long for buf) say nothing about which host this is
  }
  return names;
}

}  // namespace

Result<CertificateInfo> read_certificate_info(const std::string& cert_file) {
  gnutls_datum_t pem{};
  int rv = gnutls_load_file(cert_file.c_str(), &pem);
  if (rv < 0) return fail("tls_cert", "cannot read " + cert_file + ": " + gnutls_strerror(rv));
  gnutls_x509_crt_t* list = nullptr;
  unsigned count = 0;
  rv = gnutls_x509_crt_list_import2(&list, &count, &pem, GNUTLS_X509_FMT_PEM, 0);
  gnutls_free(pem.data);
  if (rv < 0 || count == 0) {
    return fail("tls_cert", "no certificate in " + cert_file +
                                (rv < 0 ? std::string(": ") + gnutls_strerror(rv) : ""));
  }
  CertificateInfo info;
  info.names = alt_names(list[0]);
  info.not_after_unix = static_cast<std::int64_t>(gnutls_x509_crt_get_expiration_time(list[0]));
  for (unsigned i = 0; i < count; ++i) gnutls_x509_crt_deinit(list[i]);
  gnutls_free(list);
  return info;
}

std::string utc_time_text(std::int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace qc::quic
