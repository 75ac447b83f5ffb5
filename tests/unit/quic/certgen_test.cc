#include "quic/certgen.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <filesystem>
#include <set>
#include <string>

#include "../support/temp_dir.h"
#include "quic/cert_info.h"

namespace qc::quic {
namespace {

using qc::testing::TempDir;

gnutls_datum_t as_datum(const std::string& s) {
  return {reinterpret_cast<unsigned char*>(const_cast<char*>(s.data())),
          static_cast<unsigned>(s.size())};
}

// The certificate and key written by write_self_signed_cert, imported back with GnuTLS.
class Imported {
 public:
  explicit Imported(const std::filesystem::path& dir) {
    const std::string crt_pem = qc::testing::read_file((dir / kCertFileName).string());
    const std::string key_pem = qc::testing::read_file((dir / kKeyFileName).string());
    gnutls_x509_crt_init(&crt_);
    gnutls_x509_privkey_init(&key_);
    gnutls_datum_t c = as_datum(crt_pem), k = as_datum(key_pem);
    ok_ = gnutls_x509_crt_import(crt_, &c, GNUTLS_X509_FMT_PEM) == 0 &&
          gnutls_x509_privkey_import2(key_, &k, GNUTLS_X509_FMT_PEM, nullptr, 0) == 0;
  }
  ~Imported() {
    gnutls_x509_crt_deinit(crt_);
    gnutls_x509_privkey_deinit(key_);
  }
  Imported(const Imported&) = delete;
  Imported& operator=(const Imported&) = delete;

  bool ok() const { return ok_; }
  gnutls_x509_crt_t crt() const { return crt_; }
  gnutls_x509_privkey_t key() const { return key_; }

  std::string common_name() const {
    char buf[256];
    size_t size = sizeof buf;
    if (gnutls_x509_crt_get_dn_by_oid(crt_, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size) != 0) {
      return "<none>";
    }
    return std::string(buf, size);
  }

  std::set<std::string> alt_names() const {
    std::set<std::string> names;
    for (unsigned seq = 0;; ++seq) {
      unsigned char buf[256];
      size_t size = sizeof buf;
      const int type = gnutls_x509_crt_get_subject_alt_name(crt_, seq, buf, &size, nullptr);
      if (type < 0) break;
      if (type == GNUTLS_SAN_DNSNAME) {
        names.insert("DNS:" + std::string(reinterpret_cast<char*>(buf), size));
      } else if (type == GNUTLS_SAN_IPADDRESS && size == 4) {
        names.insert("IP:" + std::to_string(buf[0]) + "." + std::to_string(buf[1]) + "." +
                     std::to_string(buf[2]) + "." + std::to_string(buf[3]));
      } else if (type == GNUTLS_SAN_IPADDRESS && size == 16) {
        names.insert("IP6:" + std::string(reinterpret_cast<char*>(buf), size));
      }
    }
    return names;
  }

 private:
  gnutls_x509_crt_t crt_ = nullptr;
  gnutls_x509_privkey_t key_ = nullptr;
  bool ok_ = false;
};

// The verification status of `crt` with itself as the only trust anchor (0: valid).
unsigned self_verify_status(gnutls_x509_crt_t crt) {
  gnutls_x509_crt_t anchors[] = {crt};
  unsigned status = ~0u;
  if (gnutls_x509_crt_verify(crt, anchors, 1, 0, &status) != 0) return ~0u;
  return status;
}

class CertgenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    out_ = dir_.path() / "nested" / "certs";
    CertRequest req;
    req.out_dir = out_.string();
    auto r = write_self_signed_cert(req);
    ASSERT_TRUE(r) << r.error().message;
  }
  TempDir dir_;
  std::filesystem::path out_;
};

TEST_F(CertgenTest, KeyIsEcP256) {
  Imported pair(out_);
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(gnutls_x509_privkey_get_pk_algorithm(pair.key()), GNUTLS_PK_ECDSA);
  gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
  gnutls_datum_t x{}, y{}, k{};
  ASSERT_EQ(gnutls_x509_privkey_export_ecc_raw(pair.key(), &curve, &x, &y, &k), 0);
  EXPECT_EQ(curve, GNUTLS_ECC_CURVE_SECP256R1);
  gnutls_free(x.data);
  gnutls_free(y.data);
  gnutls_free(k.data);
  EXPECT_EQ(gnutls_x509_crt_get_pk_algorithm(pair.crt(), nullptr), GNUTLS_PK_ECDSA);
}

const std::string kLoopback6 = std::string(15, '\0') + '\1';

TEST_F(CertgenTest, NamesAreLocalhostAndBothLoopbacks) {
  Imported pair(out_);
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair.common_name(), "localhost");
  EXPECT_EQ(pair.alt_names(),
            (std::set<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP6:" + kLoopback6}));
  EXPECT_EQ(gnutls_x509_crt_check_hostname(pair.crt(), "localhost"), 1u);
  EXPECT_EQ(gnutls_x509_crt_check_hostname(pair.crt(), "127.0.0.1"), 1u);
  EXPECT_EQ(gnutls_x509_crt_check_hostname(pair.crt(), "::1"), 1u);
  EXPECT_EQ(gnutls_x509_crt_check_hostname(pair.crt(), "example.com"), 0u);
}

TEST(Certgen, SeveralNamesAndAddresses) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  CertRequest req;
  req.out_dir = dir.path().string();
  req.common_name = "chat.example.org";
  req.dns_names = {"chat.example.org", "localhost"};
  req.ip_addresses = {"192.0.2.7", "::1", "2001:db8::5"};
  ASSERT_TRUE(write_self_signed_cert(req));
  Imported pair(dir.path());
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair.common_name(), "chat.example.org");
  for (const char* name : {"chat.example.org", "localhost", "192.0.2.7", "::1", "2001:db8::5"}) {
    EXPECT_EQ(gnutls_x509_crt_check_hostname(pair.crt(), name), 1u) << name;
  }
  EXPECT_EQ(gnutls_x509_crt_check_hostname(pair.crt(), "example.org"), 0u);
  EXPECT_EQ(gnutls_x509_crt_check_hostname(pair.crt(), "127.0.0.1"), 0u);

  auto info = read_certificate_info(dir.file(kCertFileName));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->names, (std::vector<std::string>{"DNS:chat.example.org", "DNS:localhost",
                                                   "IP:192.0.2.7", "IP:::1", "IP:2001:db8::5"}));
  const auto expires = static_cast<std::int64_t>(gnutls_x509_crt_get_expiration_time(pair.crt()));
  EXPECT_EQ(info->not_after_unix, expires);
  EXPECT_EQ(utc_time_text(0), "1970-01-01T00:00:00Z");
}

TEST(Certgen, BadNamesAndAddressesAreRefused) {
  CertRequest req;
  req.dns_names = {"bad name"};
  EXPECT_FALSE(check_cert_names(req));
  req.dns_names = {"*.example.org"};
  EXPECT_TRUE(check_cert_names(req));
  req.ip_addresses = {"300.1.1.1"};
  auto r = check_cert_names(req);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("'300.1.1.1' is not an IP address"), std::string::npos);
  req.dns_names.clear();
  req.ip_addresses.clear();
  EXPECT_FALSE(check_cert_names(req));
}

TEST(CertificateInfo, AFileWithoutACertificateSaysSo) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  qc::testing::write_file(dir.file("junk.pem"), "not a certificate\n");
  EXPECT_FALSE(read_certificate_info(dir.file("junk.pem")));
  EXPECT_FALSE(read_certificate_info(dir.file("missing.pem")));
}

TEST_F(CertgenTest, SelfSignatureVerifiesAsItsOwnTrustAnchor) {
  Imported pair(out_);
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(self_verify_status(pair.crt()), 0u);
  EXPECT_EQ(gnutls_x509_crt_get_version(pair.crt()), 3);
  unsigned critical = 0;
  EXPECT_EQ(gnutls_x509_crt_get_ca_status(pair.crt(), &critical), 1);
  char oid[128];
  size_t oid_size = sizeof oid;
  ASSERT_EQ(gnutls_x509_crt_get_key_purpose_oid(pair.crt(), 0, oid, &oid_size, nullptr), 0);
  EXPECT_STREQ(oid, GNUTLS_KP_TLS_WWW_SERVER);
  unsigned usage = 0;
  ASSERT_GE(gnutls_x509_crt_get_key_usage(pair.crt(), &usage, nullptr), 0);
  EXPECT_EQ(usage, unsigned{GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN});
  EXPECT_EQ(gnutls_x509_crt_get_signature_algorithm(pair.crt()), GNUTLS_SIGN_ECDSA_SHA256);
}

TEST_F(CertgenTest, KeyMatchesCertificate) {
  Imported pair(out_);
  ASSERT_TRUE(pair.ok());
  std::array<unsigned char, 64> crt_id{}, key_id{};
  size_t crt_size = crt_id.size(), key_size = key_id.size();
  ASSERT_EQ(
      gnutls_x509_crt_get_key_id(pair.crt(), GNUTLS_KEYID_USE_SHA256, crt_id.data(), &crt_size), 0);
  ASSERT_EQ(
      gnutls_x509_privkey_get_key_id(pair.key(), GNUTLS_KEYID_USE_SHA256, key_id.data(), &key_size),
      0);
  EXPECT_EQ(crt_size, key_size);
  EXPECT_EQ(crt_id, key_id);
}

TEST_F(CertgenTest, FileModesAndNoLeftovers) {
  struct stat st {};
  ASSERT_EQ(stat((out_ / kKeyFileName).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((out_ / kCertFileName).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(out_)) ++entries;
  EXPECT_EQ(entries, 2);  // no temporary files left behind
}

TEST_F(CertgenTest, RegeneratingReplacesBothFiles) {
  const std::string before = qc::testing::read_file((out_ / kCertFileName).string());
  CertRequest req;
  req.out_dir = out_.string();
  ASSERT_TRUE(write_self_signed_cert(req));
  EXPECT_NE(qc::testing::read_file((out_ / kCertFileName).string()), before);
  Imported pair(out_);
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(self_verify_status(pair.crt()), 0u);
}

TEST(Certgen, OutDirThatIsAFileFails) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  qc::testing::write_file(dir.file("blocker"), "x");
  CertRequest req;
  req.out_dir = dir.file("blocker");
  auto r = write_self_signed_cert(req);
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().message.empty());
  req.out_dir = dir.file("ok");
  req.valid_days = 0;
  EXPECT_FALSE(write_self_signed_cert(req));
}

}  // namespace
}  // namespace qc::quic
