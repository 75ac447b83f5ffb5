#include "quic/certgen.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <type_traits>

namespace qc::quic {
namespace {

struct KeyDeleter {
  void operator()(gnutls_x509_privkey_t k) const { gnutls_x509_privkey_deinit(k); }
};
struct CrtDeleter {
  void operator()(gnutls_x509_crt_t c) const { gnutls_x509_crt_deinit(c); }
};
using KeyHandle = std::unique_ptr<std::remove_pointer_t<gnutls_x509_privkey_t>, KeyDeleter>;
using CrtHandle = std::unique_ptr<std::remove_pointer_t<gnutls_x509_crt_t>, CrtDeleter>;

Result<void> check(int rc, const char* what) {
  if (rc >= 0) return {};
  return fail("certgen", std::string(what) + ": " + gnutls_strerror(rc));
}

Result<KeyHandle> make_key() {
  gnutls_x509_privkey_t raw = nullptr;
  if (auto r = check(gnutls_x509_privkey_init(&raw), "privkey_init"); !r) {
    return Unexpected<Error>{r.error()};
  }
  KeyHandle key(raw);
  auto r = check(gnutls_x509_privkey_generate(key.get(), GNUTLS_PK_ECDSA,
                                              GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                 "generating the EC P-256 key");
  if (!r) return Unexpected<Error>{r.error()};
  return key;
}

// A positive 16-byte serial whose first byte is non-zero (minimal DER integer).
Result<void> set_random_serial(gnutls_x509_crt_t crt) {
  unsigned char serial[16];
  if (auto r = check(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial), "random serial"); !r) {
    return r;
  }
  serial[0] = static_cast<unsigned char>((serial[0] & 0x7f) | 0x40);
  return check(gnutls_x509_crt_set_serial(crt, serial, sizeof serial), "set_serial");
}

// A DNS name as a SAN may hold it: letters, digits, '-', '.', and a leading "*." wildcard.
bool plausible_dns_name(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  const std::size_t start = name.starts_with("*.") ? 2 : 0;
  for (std::size_t i = start; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// The address's bytes (4 or 16), or none when it is not an IP literal.
std::vector<unsigned char> ip_bytes(const std::string& text) {
  unsigned char buf[sizeof(in6_addr)];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) return {buf, buf + 4};
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return {buf, buf + 16};
  return {};
}

Result<void> add_alt_name(gnutls_x509_crt_t crt, gnutls_x509_subject_alt_name_t type,
                          const void* data, std::size_t size) {
  return check(gnutls_x509_crt_set_subject_alt_name(crt, type, data, static_cast<unsigned>(size),
                                                    GNUTLS_FSAN_APPEND),
               type == GNUTLS_SAN_DNSNAME ? "set SAN DNS" : "set SAN IP");
}

Result<void> set_identity(gnutls_x509_crt_t crt, const CertRequest& req) {
  const std::string& cn = req.common_name;
  if (auto r = check(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn.data(),
                                                   static_cast<unsigned>(cn.size())),
                     "set CN");
      !r) {
    return r;
  }
  for (const std::string& dns : req.dns_names) {
    if (auto r = add_alt_name(crt, GNUTLS_SAN_DNSNAME, dns.data(), dns.size()); !r) return r;
  }
  for (const std::string& ip : req.ip_addresses) {
    const std::vector<unsigned char> bytes = ip_bytes(ip);
    if (auto r = add_alt_name(crt, GNUTLS_SAN_IPADDRESS, bytes.data(), bytes.size()); !r) return r;
  }
  return {};
}

Result<void> set_usage(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key) {
  unsigned char key_id[64];
  size_t key_id_size = sizeof key_id;
  // Self-signed and CA=true, so clients can name this very file as their trust anchor.
  Result<void> steps[] = {
      check(gnutls_x509_crt_set_basic_constraints(crt, 1, -1), "set basic constraints"),
      check(gnutls_x509_crt_set_key_usage(crt,
                                          GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN),
            "set key usage"),
      check(gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0),
            "set extended key usage"),
      check(gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA1, key_id, &key_id_size),
            "key id"),
  };
  for (auto& s : steps) {
    if (!s) return s;
  }
  if (auto r = check(gnutls_x509_crt_set_subject_key_id(crt, key_id, key_id_size), "key id"); !r) {
    return r;
  }
  // Self-issued: the authority key is its own key. Strict verifiers like to see it named.
  return check(gnutls_x509_crt_set_authority_key_id(crt, key_id, key_id_size), "authority key id");
}

Result<CrtHandle> make_cert(gnutls_x509_privkey_t key, const CertRequest& req) {
  gnutls_x509_crt_t raw = nullptr;
  if (auto r = check(gnutls_x509_crt_init(&raw), "crt_init"); !r) {
    return Unexpected<Error>{r.error()};
  }
  CrtHandle crt(raw);
  const std::time_t now = std::time(nullptr);
  Result<void> steps[] = {
      check(gnutls_x509_crt_set_version(crt.get(), 3), "set version"),
      set_random_serial(crt.get()),
      check(gnutls_x509_crt_set_activation_time(crt.get(), now - 3600), "set activation"),
      check(
          gnutls_x509_crt_set_expiration_time(crt.get(), now + std::time_t{req.valid_days} * 86400),
          "set expiration"),
      check(gnutls_x509_crt_set_key(crt.get(), key), "set key"),
      set_identity(crt.get(), req),
      set_usage(crt.get(), key),
      check(gnutls_x509_crt_sign2(crt.get(), crt.get(), key, GNUTLS_DIG_SHA256, 0), "sign"),
  };
  for (auto& s : steps) {
    if (!s) return Unexpected<Error>{s.error()};
  }
  return crt;
}

Result<std::string> take_datum(int rc, gnutls_datum_t& d, const char* what) {
  if (auto r = check(rc, what); !r) return Unexpected<Error>{r.error()};
  std::string out(reinterpret_cast<const char*>(d.data), d.size);
  gnutls_memset(d.data, 0, d.size);
  gnutls_free(d.data);
  return out;
}

Unexpected<Error> io_fail(const std::string& what, const std::string& path) {
  return fail("io", what + " " + path + ": " + std::strerror(errno));
}

// Writes via a temporary file in the same directory and rename(), so a reader sees the old
// file or the complete new one, never a torn one.
Result<void> write_atomically(const std::filesystem::path& path, const std::string& content,
                              mode_t mode) {
  std::string tmp = (path.parent_path() / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());  // created with mode 0600
  if (fd < 0) return io_fail("cannot create a temporary file next to", path.string());
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == content.size() && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  const int saved = errno;
  const bool closed = ::close(fd) == 0;
  if (!ok || !closed || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = ok && closed ? errno : saved;
    ::unlink(tmp.c_str());
    errno = err;
    return io_fail("cannot write", path.string());
  }
  return {};
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);  // best effort: makes the renames durable
  ::close(fd);
}

}  // namespace

Result<void> check_cert_names(const CertRequest& req) {
  if (req.common_name.empty()) return fail("certgen", "the common name must not be empty");
  if (req.dns_names.empty() && req.ip_addresses.empty())
    return fail("certgen", "a certificate needs at least one name or address");
  for (const std::string& dns : req.dns_names) {
    if (!plausible_dns_name(dns)) return fail("certgen", "'" + dns + "' is not a DNS name");
  }
  for (const std::string& ip : req.ip_addresses) {
    if (ip_bytes(ip).empty()) return fail("certgen", "'" + ip + "' is not an IP address");
  }
  return {};
}

Result<void> write_self_signed_cert(const CertRequest& req) {
  if (req.valid_days <= 0) return fail("certgen", "valid_days must be positive");
  if (auto r = check_cert_names(req); !r) return r;
  const std::filesystem::path dir = req.out_dir.empty() ? "." : req.out_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail("io", "cannot create " + dir.string() + ": " + ec.message());

  auto key = make_key();
  if (!key) return Unexpected<Error>{key.error()};
  auto crt = make_cert(key->get(), req);
  if (!crt) return Unexpected<Error>{crt.error()};
  gnutls_datum_t key_pem{}, crt_pem{};
  auto key_text =
      take_datum(gnutls_x509_privkey_export2_pkcs8(key->get(), GNUTLS_X509_FMT_PEM, nullptr,
                                                   GNUTLS_PKCS_PLAIN, &key_pem),
                 key_pem, "export key");
  if (!key_text) return Unexpected<Error>{key_text.error()};
  auto crt_text = take_datum(gnutls_x509_crt_export2(crt->get(), GNUTLS_X509_FMT_PEM, &crt_pem),
                             crt_pem, "export certificate");
  if (!crt_text) return Unexpected<Error>{crt_text.error()};

  if (auto r = write_atomically(dir / kKeyFileName, *key_text, 0600); !r) return r;
  if (auto r = write_atomically(dir / kCertFileName, *crt_text, 0644); !r) return r;
  sync_directory(dir);
  return {};
}

}  // namespace qc::quic
