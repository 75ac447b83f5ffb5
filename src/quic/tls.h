// GnuTLS setup for QUIC (TLS 1.3 only): credentials, sessions wired to ngtcp2, ALPN, key log.
// Internal to src/quic.
#pragma once

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace qc::quic::tls {

// Appends NSS key log lines ("CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random> <secret>").
class KeyLog {
 public:
  static Result<std::shared_ptr<KeyLog>> open(const std::string& path);
  ~KeyLog();
  void write_line(std::string_view label, const unsigned char* client_random,
                  std::size_t random_len, const unsigned char* secret, std::size_t secret_len);

 private:
  explicit KeyLog(std::FILE* f) : file_(f) {}
  std::FILE* file_;
};

// What gnutls_session_get_ptr() points at: ngtcp2's crypto helpers read the conn_ref (first
// member), our callbacks read the rest.
struct SessionRef {
  ngtcp2_crypto_conn_ref conn_ref{};
  KeyLog* keylog = nullptr;
};

struct Context {
  gnutls_certificate_credentials_t cred = nullptr;
  // Parsed once here: parsing the priority string per session costs ~8 KB of every connection.
  gnutls_priority_t priority = nullptr;
  std::vector<std::string> alpns;
  std::shared_ptr<KeyLog> keylog;
  bool is_server = false;

  Context() = default;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context();
};

Result<std::shared_ptr<Context>> make_server_context(const std::string& cert_file,
                                                     const std::string& key_file,
                                                     const std::vector<std::string>& alpns,
                                                     const std::string& keylog_file);
// ca_file empty = the system trust store.
Result<std::shared_ptr<Context>> make_client_context(const std::string& ca_file,
                                                     const std::vector<std::string>& alpns,
                                                     const std::string& keylog_file);

// Owns a gnutls session; ref must outlive it (it is the session's user pointer).
class Session {
 public:
  static Result<std::unique_ptr<Session>> create_server(const Context& ctx, SessionRef* ref);
  // verify_name: the host name (or IP literal) the server certificate must match.
  static Result<std::unique_ptr<Session>> create_client(const Context& ctx, SessionRef* ref,
                                                        const std::string& verify_name);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  gnutls_session_t native() const { return session_; }
  std::string alpn() const;
  // Human description of why the handshake failed (certificate status or GnuTLS error).
  std::string failure_reason(int gnutls_error, unsigned alert) const;

 private:
  explicit Session(gnutls_session_t s) : session_(s) {}
  gnutls_session_t session_;
  std::string verify_name_;  // GnuTLS keeps a pointer to it for the session's lifetime
};

// "no_application_protocol"-style description of a TLS alert number.
std::string alert_name(unsigned alert);

}  // namespace qc::quic::tls
