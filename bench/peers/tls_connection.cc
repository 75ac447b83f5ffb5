#include "bench/peers/tls_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "bench/load/proc.h"

namespace qc::peers {

Result<std::unique_ptr<TlsClientConfig>> TlsClientConfig::load(const std::string& ca_file) {
  std::unique_ptr<TlsClientConfig> config(new TlsClientConfig());
  if (gnutls_certificate_allocate_credentials(&config->credentials_) < 0) {
    return fail("tls", "cannot allocate GnuTLS credentials");
  }
  if (gnutls_certificate_set_x509_trust_file(config->credentials_, ca_file.c_str(),
                                             GNUTLS_X509_FMT_PEM) <= 0) {
    return fail("tls", "no certificate in " + ca_file);
  }
  return config;
}

TlsClientConfig::~TlsClientConfig() {
  if (credentials_) gnutls_certificate_free_credentials(credentials_);
}

TlsConnection::TlsConnection(EventLoop& loop, const TlsClientConfig& config,
                             ConnectionHandler& handler, bool tls_after_first_line)
    : loop_(loop),
      config_(config),
      handler_(handler),
      tls_after_first_line_(tls_after_first_line) {}

TlsConnection::~TlsConnection() {
  if (fd_ >= 0) {
    loop_.remove(fd_);
    ::close(fd_);
  }
  if (session_) gnutls_deinit(session_);
}

void TlsConnection::connect(const std::string& host, std::uint16_t port) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return close(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, host.c_str(), &address.sin_addr);
  state_ = State::Connecting;
  writing_ = true;
  loop_.add(fd_, EPOLLIN | EPOLLOUT, this);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0 &&
      errno != EINPROGRESS) {
    close(std::string("connect: ") + std::strerror(errno));
  }
}

void TlsConnection::close(const std::string& why) {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  if (fd_ >= 0) {
    loop_.remove(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  handler_.on_closed(why);
}

void TlsConnection::want_write(bool on) {
  if (writing_ == on || fd_ < 0) return;
  writing_ = on;
  loop_.modify(fd_, EPOLLIN | (on ? EPOLLOUT : 0u), this);
}

std::string TlsConnection::tls_description() const {
  if (!session_) return {};
  char* text = gnutls_session_get_desc(session_);
  std::string out = text ? text : "";
  gnutls_free(text);
  return out;
}

void TlsConnection::start_tls() {
  gnutls_init(&session_, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
  gnutls_server_name_set(session_, GNUTLS_NAME_DNS, config_.server_name.data(),
                         config_.server_name.size());
  if (gnutls_priority_set_direct(session_, config_.priority.c_str(), nullptr) < 0) {
    return close("bad TLS priority string " + config_.priority);
  }
  gnutls_credentials_set(session_, GNUTLS_CRD_CERTIFICATE, config_.credentials());
  gnutls_session_set_verify_cert(session_, config_.server_name.c_str(), 0);
  gnutls_transport_set_int(session_, fd_);
  state_ = State::Handshaking;
  handshake();
}

void TlsConnection::handshake() {
  const int r = gnutls_handshake(session_);
  if (r == GNUTLS_E_SUCCESS) {
    state_ = State::Open;
    want_write(false);
    handler_.on_open();
    if (state_ == State::Open) read_available();  // records that came with the handshake
    return;
  }
  if (gnutls_error_is_fatal(r)) return close(std::string("TLS handshake: ") + gnutls_strerror(r));
  want_write(gnutls_record_get_direction(session_) == 1);
}

void TlsConnection::flush() {
  if (state_ != State::Open) return;
  while (out_sent_ < out_.size()) {
    const std::size_t len =
        retry_len_ != 0 ? retry_len_ : std::min(out_.size() - out_sent_, config_.record_max);
    const ssize_t r = gnutls_record_send(session_, out_.data() + out_sent_, len);
    if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
      retry_len_ = len;
      return want_write(true);
    }
    retry_len_ = 0;
    if (r < 0) return close(std::string("TLS send: ") + gnutls_strerror(static_cast<int>(r)));
    out_sent_ += static_cast<std::size_t>(r);
  }
  out_.clear();
  out_sent_ = 0;
  want_write(false);
}

void TlsConnection::read_plaintext_line() {
  char buf[4096];
  const ssize_t r = recv(fd_, buf, sizeof buf, 0);
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (r <= 0) return close(r == 0 ? "closed by the server" : std::strerror(errno));
  plaintext_.append(buf, static_cast<std::size_t>(r));
  const auto eol = plaintext_.find("\r\n");
  if (eol == std::string::npos) {
    if (plaintext_.size() > 65536) close("no line end in the server's first 64 KiB");
    return;
  }
  // A server that speaks first waits for the handshake: nothing follows its line.
  handler_.on_plaintext_line(std::string_view(plaintext_).substr(0, eol));
  plaintext_.clear();
  if (state_ == State::Plaintext) start_tls();
}

void TlsConnection::read_available() {
  static char buf[65536];
  while (state_ == State::Open) {
    const ssize_t r = gnutls_record_recv(session_, buf, sizeof buf);
    if (r == GNUTLS_E_AGAIN) return;
    if (r == GNUTLS_E_INTERRUPTED) continue;
    if (r == 0) return close("closed by the server");
    if (r < 0) {
      if (!gnutls_error_is_fatal(static_cast<int>(r))) continue;  // e.g. a session ticket
      return close(std::string("TLS receive: ") + gnutls_strerror(static_cast<int>(r)));
    }
    handler_.on_bytes(std::string_view(buf, static_cast<std::size_t>(r)), bench::now_ns());
  }
}

void TlsConnection::on_events(std::uint32_t events) {
  if (state_ == State::Connecting) {
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) return close(std::string("connect: ") + std::strerror(error));
    want_write(false);
    if (!tls_after_first_line_) return start_tls();
    state_ = State::Plaintext;
  }
  switch (state_) {
    case State::Plaintext:
      if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_plaintext_line();
      return;
    case State::Handshaking:
      return handshake();
    case State::Open:
      if (events & EPOLLOUT) flush();
      if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_available();
      return;
    default:
      return;
  }
}

}  // namespace qc::peers
