#include "quic/tls.h"

#include <gnutls/x509.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

namespace qc::quic::tls {
namespace {

// TLS 1.3 only, the AEADs QUIC defines, no middlebox compatibility mode (RFC 9001 8.4).
constexpr const char* kPriority =
    "%DISABLE_TLS13_COMPAT_MODE:NORMAL:-VERS-ALL:+VERS-TLS1.3:"
    "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-CCM:"
    "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1";

std::string gnutls_message(std::string_view what, int rv) {
  return std::string(what) + ": " + gnutls_strerror(rv);
}

int keylog_callback(gnutls_session_t session, const char* label, const gnutls_datum_t* secret) {
  auto* ref = static_cast<SessionRef*>(gnutls_session_get_ptr(session));
  if (ref == nullptr || ref->keylog == nullptr) return 0;
  gnutls_datum_t client_random{};
  gnutls_datum_t server_random{};
  gnutls_session_get_random(session, &client_random, &server_random);
  ref->keylog->write_line(label, client_random.data, client_random.size, secret->data,
                          secret->size);
  return 0;
}

// A client that offered no protocol we speak (or no ALPN at all) is refused.
int require_alpn_hook(gnutls_session_t session, unsigned /*htype*/, unsigned /*when*/,
                      unsigned /*incoming*/, const gnutls_datum_t* /*msg*/) {
  gnutls_datum_t selected{};
  if (gnutls_alpn_get_selected_protocol(session, &selected) != 0)
    return GNUTLS_E_NO_APPLICATION_PROTOCOL;
  return 0;
}

Result<void> set_alpns(gnutls_session_t session, const std::vector<std::string>& alpns,
                       unsigned flags) {
  std::vector<gnutls_datum_t> list;
  for (const auto& a : alpns) {
    list.push_back(gnutls_datum_t{reinterpret_cast<unsigned char*>(const_cast<char*>(a.data())),
                                  static_cast<unsigned>(a.size())});
  }
  int rv =
      gnutls_alpn_set_protocols(session, list.data(), static_cast<unsigned>(list.size()), flags);
  if (rv != 0) return fail("tls", gnutls_message("gnutls_alpn_set_protocols", rv));
  return {};
}

Result<gnutls_session_t> new_session(const Context& ctx, SessionRef* ref) {
  gnutls_session_t session = nullptr;
  unsigned flags = (ctx.is_server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NO_END_OF_EARLY_DATA;
  int rv = gnutls_init(&session, flags);
  if (rv != 0) return fail("tls", gnutls_message("gnutls_init", rv));
  rv = ctx.is_server ? ngtcp2_crypto_gnutls_configure_server_session(session)
                     : ngtcp2_crypto_gnutls_configure_client_session(session);
  const char* step = "ngtcp2_crypto_gnutls_configure_session";
  if (rv == 0) {
    step = "gnutls_priority_set";
    rv = gnutls_priority_set(session, ctx.priority);
  }
  if (rv == 0) {
    step = "gnutls_credentials_set";
    rv = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, ctx.cred);
  }
  if (rv != 0) {
    gnutls_deinit(session);
    return fail("tls", gnutls_message(step, rv));
  }
  gnutls_session_set_ptr(session, ref);
  if (ref->keylog != nullptr) gnutls_session_set_keylog_function(session, keylog_callback);
  return session;
}

bool is_ip_literal(const std::string& name) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

struct StatusName {
  unsigned flag;
  const char* text;
};

constexpr StatusName kStatusNames[] = {
    {GNUTLS_CERT_SIGNER_NOT_FOUND, "signer not found"},
    {GNUTLS_CERT_UNEXPECTED_OWNER, "name does not match the certificate"},
    {GNUTLS_CERT_EXPIRED, "certificate expired"},
    {GNUTLS_CERT_NOT_ACTIVATED, "certificate not yet valid"},
    {GNUTLS_CERT_REVOKED, "certificate revoked"},
    {GNUTLS_CERT_SIGNER_NOT_CA, "signer is not a CA"},
    {GNUTLS_CERT_SIGNATURE_FAILURE, "bad signature"},
    {GNUTLS_CERT_INSECURE_ALGORITHM, "insecure algorithm"},
};

}  // namespace

// The secrets decrypt every session: a new file is its owner's alone, whatever the umask.
Result<std::shared_ptr<KeyLog>> KeyLog::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  std::FILE* f = fd < 0 ? nullptr : ::fdopen(fd, "a");
  if (f == nullptr) {
    if (fd >= 0) ::close(fd);
    return fail("keylog", "cannot open key log file " + path);
  }
  return std::shared_ptr<KeyLog>(new KeyLog(f));
}

KeyLog::~KeyLog() { std::fclose(file_); }

void KeyLog::write_line(std::string_view label, const unsigned char* client_random,
                        std::size_t random_len, const unsigned char* secret,
                        std::size_t secret_len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string line(label);
  line += ' ';
  for (std::size_t i = 0; i < random_len; ++i)
    (line += kHex[client_random[i] >> 4]) += kHex[client_random[i] & 15];
  line += ' ';
  for (std::size_t i = 0; i < secret_len; ++i)
    (line += kHex[secret[i] >> 4]) += kHex[secret[i] & 15];
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

Context::~Context() {
  if (priority != nullptr) gnutls_priority_deinit(priority);
  if (cred != nullptr) gnutls_certificate_free_credentials(cred);
}

namespace {

// What server and client contexts share: credentials, the parsed priorities, the key log.
Result<std::shared_ptr<Context>> new_context(bool is_server, const std::vector<std::string>& alpns,
                                             const std::string& keylog_file) {
  auto ctx = std::make_shared<Context>();
  ctx->is_server = is_server;
  ctx->alpns = alpns;
  int rv = gnutls_certificate_allocate_credentials(&ctx->cred);
  if (rv != 0) return fail("tls", gnutls_message("gnutls_certificate_allocate_credentials", rv));
  rv = gnutls_priority_init(&ctx->priority, kPriority, nullptr);
  if (rv != 0) return fail("tls", gnutls_message("gnutls_priority_init", rv));
  if (!keylog_file.empty()) {
    auto kl = KeyLog::open(keylog_file);
    if (!kl) return Unexpected{kl.error()};
    ctx->keylog = *kl;
  }
  return ctx;
}

}  // namespace

Result<std::shared_ptr<Context>> make_server_context(const std::string& cert_file,
                                                     const std::string& key_file,
                                                     const std::vector<std::string>& alpns,
                                                     const std::string& keylog_file) {
  auto made = new_context(true, alpns, keylog_file);
  if (!made) return made;
  std::shared_ptr<Context> ctx = *made;
  int rv = gnutls_certificate_set_x509_key_file(ctx->cred, cert_file.c_str(), key_file.c_str(),
                                                GNUTLS_X509_FMT_PEM);
  if (rv < 0) {
    return fail("tls_cert", "cannot load certificate " + cert_file + " / key " + key_file + ": " +
                                gnutls_strerror(rv));
  }
  return ctx;
}

Result<std::shared_ptr<Context>> make_client_context(const std::string& ca_file,
                                                     const std::vector<std::string>& alpns,
                                                     const std::string& keylog_file) {
  auto made = new_context(false, alpns, keylog_file);
  if (!made) return made;
  std::shared_ptr<Context> ctx = *made;
  int rv = 0;
  if (ca_file.empty()) {
    rv = gnutls_certificate_set_x509_system_trust(ctx->cred);
    if (rv < 0) return fail("tls_ca", gnutls_message("cannot load the system trust store", rv));
  } else {
    rv = gnutls_certificate_set_x509_trust_file(ctx->cred, ca_file.c_str(), GNUTLS_X509_FMT_PEM);
    if (rv <= 0) {
      return fail("tls_ca",
                  "cannot load CA file " + ca_file + ": " +
                      (rv == 0 ? std::string("no certificate in it") : gnutls_strerror(rv)));
    }
  }
  return ctx;
}

Result<std::unique_ptr<Session>> Session::create_server(const Context& ctx, SessionRef* ref) {
  auto s = new_session(ctx, ref);
  if (!s) return Unexpected{s.error()};
  auto session = std::unique_ptr<Session>(new Session(*s));
  auto alpn = set_alpns(*s, ctx.alpns, GNUTLS_ALPN_SERVER_PRECEDENCE | GNUTLS_ALPN_MANDATORY);
  if (!alpn) return Unexpected{alpn.error()};
  gnutls_handshake_set_hook_function(*s, GNUTLS_HANDSHAKE_CLIENT_HELLO, GNUTLS_HOOK_POST,
                                     require_alpn_hook);
  return session;
}

Result<std::unique_ptr<Session>> Session::create_client(const Context& ctx, SessionRef* ref,
                                                        const std::string& verify_name) {
  auto s = new_session(ctx, ref);
  if (!s) return Unexpected{s.error()};
  auto session = std::unique_ptr<Session>(new Session(*s));
  auto alpn = set_alpns(*s, ctx.alpns, GNUTLS_ALPN_MANDATORY);
  if (!alpn) return Unexpected{alpn.error()};
  if (!is_ip_literal(verify_name)) {  // SNI carries DNS names only (RFC 6066)
    int rv = gnutls_server_name_set(*s, GNUTLS_NAME_DNS, verify_name.data(), verify_name.size());
    if (rv != 0) return fail("tls", gnutls_message("gnutls_server_name_set", rv));
  }
  session->verify_name_ = verify_name;
  gnutls_session_set_verify_cert(*s, session->verify_name_.c_str(), 0);
  return session;
}

Session::~Session() { gnutls_deinit(session_); }

std::string Session::alpn() const {
  gnutls_datum_t selected{};
  if (gnutls_alpn_get_selected_protocol(session_, &selected) != 0) return {};
  return std::string(reinterpret_cast<const char*>(selected.data), selected.size);
}

std::string Session::failure_reason(int gnutls_error, unsigned alert) const {
  unsigned status = gnutls_session_get_verify_cert_status(session_);
  // The status is all ones until a certificate was checked.
  if (status != 0 && status != static_cast<unsigned>(-1)) {
    std::string details;
    for (const auto& s : kStatusNames) {
      if ((status & s.flag) == 0) continue;
      if (!details.empty()) details += ", ";
      details += s.text;
    }
    if (details.empty()) {
      gnutls_datum_t out{};
      if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) == 0) {
        details.assign(reinterpret_cast<const char*>(out.data), out.size);
        gnutls_free(out.data);
      }
    }
    return "certificate verification failed: " + details;
  }
  if (gnutls_error == GNUTLS_E_NO_APPLICATION_PROTOCOL)
    return "TLS handshake failed: no common ALPN protocol";
  if (gnutls_error != 0)
    return std::string("TLS handshake failed: ") + gnutls_strerror(gnutls_error);
  if (alert != 0) return "TLS handshake failed: " + alert_name(alert);
  return "TLS handshake failed";
}

std::string alert_name(unsigned alert) {
  const char* name = gnutls_alert_get_name(static_cast<gnutls_alert_description_t>(alert));
  return name != nullptr ? std::string(name) : "alert " + std::to_string(alert);
}

}  // namespace qc::quic::tls
