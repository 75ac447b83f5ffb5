// One client connection over TCP (TCP_NODELAY, non-blocking) and TLS 1.3 (GnuTLS, the server's
// certificate verified), driven by the event loop. NATS's servers speak first in plaintext: with
// `tls_after_first_line` the connection hands the server's first line over and starts TLS after it.
#pragma once

#include <gnutls/gnutls.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bench/peers/event_loop.h"
#include "util/result.h"

namespace qc::peers {

// What every connection of a run shares: the trusted CA and the TLS settings.
class TlsClientConfig {
 public:
  static Result<std::unique_ptr<TlsClientConfig>> load(const std::string& ca_file);
  ~TlsClientConfig();
  TlsClientConfig(const TlsClientConfig&) = delete;
  TlsClientConfig& operator=(const TlsClientConfig&) = delete;

  gnutls_certificate_credentials_t credentials() const { return credentials_; }
  std::string server_name = "localhost";
  std::string priority = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
  // Plaintext bytes per record we send, at most: ngIRCd 26.1 reads 2048 bytes per readable
  // event and never drains what GnuTLS still holds, so larger records stall it.
  std::size_t record_max = 16384;

 private:
  TlsClientConfig() = default;
  gnutls_certificate_credentials_t credentials_ = nullptr;
};

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  virtual void on_plaintext_line(std::string_view line) = 0;  // tls_after_first_line only
  virtual void on_open() = 0;                                 // the TLS handshake is done
  virtual void on_bytes(std::string_view bytes, std::int64_t received_ns) = 0;
  virtual void on_closed(const std::string& why) = 0;
};

class TlsConnection final : public Pollable {
 public:
  enum class State { Idle, Connecting, Plaintext, Handshaking, Open, Closed };

  TlsConnection(EventLoop& loop, const TlsClientConfig& config, ConnectionHandler& handler,
                bool tls_after_first_line);
  ~TlsConnection() override;
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  void connect(const std::string& host, std::uint16_t port);
  void queue(std::string_view bytes) { out_.append(bytes); }
  void flush();  // sends what is queued, as far as the socket takes it
  void close(const std::string& why);
  State state() const { return state_; }
  std::string tls_description() const;

  void on_events(std::uint32_t events) override;

 private:
  void start_tls();
  void handshake();
  void read_available();
  void read_plaintext_line();
  void want_write(bool on);

  EventLoop& loop_;
  const TlsClientConfig& config_;
  ConnectionHandler& handler_;
  bool tls_after_first_line_;
  State state_ = State::Idle;
  int fd_ = -1;
  gnutls_session_t session_ = nullptr;
  std::string out_;
  std::size_t out_sent_ = 0;
  std::size_t retry_len_ = 0;  // GnuTLS wants a retried send to repeat the same length
  std::string plaintext_;
  bool writing_ = false;
};

}  // namespace qc::peers
