// The server: one UDP socket, datagrams dispatched by destination connection ID; stateless
// answers (Version Negotiation, Retry, refusals at the limits, stateless reset) for the rest.
#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <string_view>
#include <unordered_map>

#include "quic/cid.h"
#include "quic/conn_index.h"
#include "quic/datagram_io.h"
#include "quic/endpoint_base.h"
#include "quic/quic_lb.h"
#include "quic/server_keys.h"
#include "quic/test_hooks.h"
#include "util/log.h"

namespace qc::quic {
namespace {

constexpr std::size_t kMaxBatchesPerWakeup = 16;
constexpr auto kRetryTokenLifetime = std::chrono::seconds(10);
constexpr const char* kAtConnectionLimit = "server at connection limit";
constexpr const char* kOutOfFileDescriptors = "server out of file descriptors";
constexpr double kStatelessResetsPerSecond = 100.0;
constexpr std::size_t kMinStaticSecret = 16;

// A connection ID as a routing key: fixed size, so looking one up per datagram allocates nothing.
struct CidKey {
  std::array<std::uint8_t, NGTCP2_MAX_CIDLEN> bytes{};
  std::size_t len = 0;
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes.data()), len}; }
  bool operator==(const CidKey& o) const { return view() == o.view(); }
};

struct CidKeyHash {
  std::size_t operator()(const CidKey& k) const { return std::hash<std::string_view>{}(k.view()); }
};

CidKey cid_key(const std::uint8_t* data, std::size_t len) {
  CidKey key;
  key.len = std::min(len, key.bytes.size());
  std::memcpy(key.bytes.data(), data, key.len);
  return key;
}
CidKey cid_key(const ngtcp2_cid& cid) { return cid_key(cid.data, cid.datalen); }

class ServerEndpointImpl final : public ServerEndpoint, public EndpointBase {
 public:
  // io == nullptr: UDP sockets on loop.
  ServerEndpointImpl(DatagramIo* io, EventLoop& loop, const ServerOptions& opts, Handler& handler)
      : EndpointBase(loop, handler, io), opts_(opts) {
    std::vector<std::uint8_t> secret = opts_.static_secret;
    if (secret.empty()) {  // random per process: a restart cannot reset the old connections
      secret.resize(32);
      gnutls_rnd(GNUTLS_RND_KEY, secret.data(), secret.size());
    }
    keys_ = derive_server_keys(secret);
    if (!opts_.cid_server_id.empty()) {
      lb_ = LbConfig{.server_id = opts_.cid_server_id,
                     .nonce_len = kCidLen - 1 - std::min(opts_.cid_server_id.size(), kCidLen - 1)};
    }
  }

  Result<void> start();

  // ServerEndpoint
  std::optional<std::size_t> queue(ConnHandle h, SharedBytes pdu, bool replaceable) override {
    Connection* c = find(h);
    if (c == nullptr || !c->send(pdu, replaceable)) return std::nullopt;
    return c->queued_bytes();
  }
  void queue_each(std::span<const ConnHandle> conns, const SharedBytes& pdu, bool replaceable,
                  std::size_t bound,
                  std::vector<std::pair<ConnHandle, std::size_t>>& over) override {
    // Recipients' connections lie all over the heap: ask for the next ones' lines early.
    constexpr std::size_t kAhead = 4;
    for (std::size_t i = 0; i < conns.size(); ++i) {
      if (i + kAhead < conns.size()) {
        if (const Connection* next = index_.find(conns[i + kAhead])) next->prefetch_send_state();
      }
      Connection* c = index_.find(conns[i]);
      if (c == nullptr || !c->send(pdu, replaceable)) continue;
      if (c->queued_bytes() > bound) over.emplace_back(conns[i], c->queued_bytes());
    }
  }
  void close(ConnHandle h, std::uint64_t code, std::string_view reason) override {
    close_conn(h, code, reason);
  }
  void close_all(std::uint64_t code, std::string_view reason) override {
    for (auto& [h, entry] : conns_) entry.conn->close(code, reason);
  }
  bool probe(ConnHandle h) override {
    Connection* c = find(h);
    return c != nullptr && c->probe();
  }
  Result<void> replace_certificate(const std::string& cert_file,
                                   const std::string& key_file) override;
  void apply_live_options(const ServerOptions& opts) override;
  std::uint16_t local_port() const override { return socket_->local().port(); }
  Stats stats() const override {
    Stats s = stats_;
    SocketCounters sock = socket_->counters();
    s.datagrams_sent = sock.datagrams_sent;
    s.recv_syscalls = sock.recv_syscalls;
    s.send_syscalls = sock.send_syscalls;
    s.bytes_sent = sock.bytes_sent;
    return s;
  }

  // ConnectionOwner
  void conn_add_cid(Connection& c, const ngtcp2_cid& cid) override {
    CidKey key = cid_key(cid);
    cids_[key] = c.handle();
    conns_[c.handle()].cids.push_back(key);
  }
  void conn_remove_cid(Connection& /*c*/, const ngtcp2_cid& cid) override {
    cids_.erase(cid_key(cid));
  }
  void conn_new_cid(ngtcp2_cid& cid, std::size_t len) override {
    if (len == kCidLen) return void(cid = new_cid());
    fill_random_cid(cid, len);
  }
  void conn_reset_token(const ngtcp2_cid& cid, std::uint8_t* token) override {
    ngtcp2_crypto_generate_stateless_reset_token(token, keys_.reset.data(), keys_.reset.size(),
                                                 &cid);
  }
  bool conn_send(Connection& /*c*/, const ngtcp2_path& path, const std::uint8_t* data,
                 std::size_t len, std::size_t segment) override {
    return send_raw(SockAddr::from(path.remote.addr, path.remote.addrlen), data, len, segment);
  }
  bool conn_can_send(Connection& /*c*/) override { return !socket_->blocked(); }
  bool conn_writes_in_place() const override { return true; }
  std::uint8_t* conn_slot(Connection& /*c*/, std::size_t room) override {
    return socket_->slot(room);
  }
  bool conn_commit(Connection& /*c*/, const ngtcp2_path& path, std::size_t len) override {
    const SockAddr to = SockAddr::from(path.remote.addr, path.remote.addrlen);
    return socket_->commit(to, len) != SendStatus::Blocked;
  }
  Connection* connection(ConnHandle h) const { return find(h); }

 protected:
  Connection* find(ConnHandle h) const override { return index_.find(h); }
  void destroy(ConnHandle h) override;
  void flush_sockets() override {
    if (socket_->has_queued() && !socket_->blocked() && socket_->flush() == SendStatus::Blocked)
      wait_writable();
  }

 private:
  struct Entry {
    std::unique_ptr<Connection> conn;
    std::vector<CidKey> cids;
    std::string ip;
  };

  void on_readable();
  void on_datagram(const SockAddr& from, const std::uint8_t* data, std::size_t len);
  void accept(const SockAddr& from, const std::uint8_t* data, std::size_t len);
  const char* refusal_reason(const SockAddr& from) const;
  void refuse_out_of_fds(const ngtcp2_pkt_hd& hd, const SockAddr& from, const std::string& error);
  void end_fd_episode();
  bool wants_retry() const;
  void send_retry(const ngtcp2_pkt_hd& hd, const SockAddr& from);
  void send_close(const ngtcp2_pkt_hd& hd, const SockAddr& from, std::uint64_t code,
                  std::string_view reason);
  void send_version_negotiation(const ngtcp2_version_cid& vc, const SockAddr& from);
  void send_stateless_reset(const ngtcp2_version_cid& vc, const SockAddr& from, std::size_t len);
  bool reset_budget_available();
  void wait_writable();
  bool send_raw(const SockAddr& to, const std::uint8_t* data, std::size_t len, std::size_t segment);

  ServerOptions opts_;
  std::shared_ptr<tls::Context> tls_;
  std::unique_ptr<DatagramSocket> socket_;
  RecvBatch batch_;
  ServerKeys keys_;             // from the secret: reset tokens and Retry tokens
  std::optional<LbConfig> lb_;  // --cid-server-id: the CIDs name this node

  // Ours: random, or the QUIC-LB form with our server id.
  ngtcp2_cid new_cid() const;
  std::unordered_map<CidKey, ConnHandle, CidKeyHash> cids_;
  std::unordered_map<ConnHandle, Entry> conns_;
  ConnIndex<Connection> index_;  // the same connections, for the lookups per datagram and PDU
  std::unordered_map<std::string, std::size_t> per_ip_;
  std::uint64_t refused_no_fd_ = 0;  // in this episode: connections refused, no fd for the qlog
  double reset_tokens_ = kStatelessResetsPerSecond;
  TimePoint reset_refill_{};
  bool waiting_writable_ = false;
};

Result<void> ServerEndpointImpl::start() {
  if (opts_.alpns.empty()) return fail("config", "the server needs at least one ALPN");
  if (!opts_.static_secret.empty() && opts_.static_secret.size() < kMinStaticSecret)
    return fail("config", "the server's static secret needs at least 16 bytes");
  if (lb_ && (opts_.cid_server_id.size() > 8 || !check_lb_config(*lb_)))
    return fail("config", "the connection ID server id is 1 to 8 bytes");
  auto ctx =
      tls::make_server_context(opts_.cert_file, opts_.key_file, opts_.alpns, opts_.keylog_file);
  if (!ctx) return Unexpected{ctx.error()};
  tls_ = *ctx;
  auto addr = resolve_address(opts_.host, opts_.port);
  if (!addr) return Unexpected{addr.error()};
  auto sock = io_.bind(*addr, [this] { on_readable(); });
  if (!sock) return Unexpected{sock.error()};
  socket_ = std::move(*sock);
  log::info("quic_listen", {{"address", socket_->local().to_string()}});
  return {};
}

// Each connection holds a reference to the context it was accepted with (its GnuTLS session
// uses those credentials), so the old context lives until its last connection is gone.
Result<void> ServerEndpointImpl::replace_certificate(const std::string& cert_file,
                                                     const std::string& key_file) {
  auto ctx = tls::make_server_context(cert_file, key_file, opts_.alpns, opts_.keylog_file);
  if (!ctx) return Unexpected{ctx.error()};
  tls_ = *ctx;
  opts_.cert_file = cert_file;
  opts_.key_file = key_file;
  return {};
}

void ServerEndpointImpl::apply_live_options(const ServerOptions& opts) {
  opts_.idle_timeout = opts.idle_timeout;
  opts_.handshake_timeout = opts.handshake_timeout;
  opts_.close_timeout = opts.close_timeout;
  opts_.retry = opts.retry;
  opts_.retry_threshold = opts.retry_threshold;
  opts_.max_connections = opts.max_connections;
  opts_.max_connections_per_ip = opts.max_connections_per_ip;
}

void ServerEndpointImpl::on_readable() {
  for (std::size_t round = 0; round < kMaxBatchesPerWakeup; ++round) {
    std::size_t n = socket_->receive(batch_);
    for (std::size_t i = 0; i < n; ++i) {
      if (batch_.len[i] == 0) continue;
      ++stats_.datagrams_received;
      stats_.bytes_received += batch_.len[i];
      on_datagram(batch_.from[i], batch_.storage.data() + i * RecvBatch::kBufSize, batch_.len[i]);
    }
    if (n < RecvBatch::kCount) break;
  }
}

void ServerEndpointImpl::on_datagram(const SockAddr& from, const std::uint8_t* data,
                                     std::size_t len) {
  ngtcp2_version_cid vc{};
  int rv = ngtcp2_pkt_decode_version_cid(&vc, data, len, kCidLen);
  if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) {
    send_version_negotiation(vc, from);
    return;
  }
  if (rv != 0) return;
  auto it = cids_.find(cid_key(vc.dcid, vc.dcidlen));
  if (it != cids_.end()) {
    if (Connection* c = find(it->second)) {
      ngtcp2_path path{{const_cast<sockaddr*>(socket_->local().get()), socket_->local().len},
                       {const_cast<sockaddr*>(from.get()), from.len},
                       nullptr};
      c->on_datagram(path, data, len);
    }
    return;
  }
  if ((data[0] & 0x80) == 0) {  // short header for a connection we do not know
    send_stateless_reset(vc, from, len);
    return;
  }
  accept(from, data, len);
}

void ServerEndpointImpl::accept(const SockAddr& from, const std::uint8_t* data, std::size_t len) {
  ngtcp2_pkt_hd hd{};
  if (ngtcp2_accept(&hd, data, len) != 0) return;
  if (const char* reason = refusal_reason(from)) {
    ++(reason == kAtConnectionLimit ? stats_.refused_connection_limit
                                    : stats_.refused_per_ip_limit);
    log::warn("quic_refused", {{"peer", from.to_string()}, {"reason", reason}});
    send_close(hd, from, opts_.refusal_close_code, reason);
    return;
  }
  ConnConfig cfg;
  cfg.original_dcid = hd.dcid;
  if (hd.type == NGTCP2_PKT_INITIAL && hd.token.len > 0 &&
      hd.token.base[0] == NGTCP2_CRYPTO_TOKEN_MAGIC_RETRY) {
    auto odcid = check_retry_token(keys_.retry, {hd.token.base, hd.token.len}, hd.version, from,
                                   hd.dcid, kRetryTokenLifetime, now_ts(loop_.now()));
    if (!odcid) {
      ++stats_.refused_invalid_token;
      send_close(hd, from, NGTCP2_INVALID_TOKEN, "invalid retry token");
      return;
    }
    cfg.original_dcid = *odcid;
    cfg.retry_scid = hd.dcid;
    cfg.token.assign(reinterpret_cast<const char*>(hd.token.base), hd.token.len);
  } else if (wants_retry()) {
    ++stats_.retries_sent;
    send_retry(hd, from);
    return;
  }
  cfg.is_server = true;
  cfg.handle = next_handle();
  cfg.local = socket_->local();
  cfg.remote = from;
  cfg.version = hd.version;
  cfg.dcid = hd.scid;
  cfg.scid = new_cid();
  cfg.max_streams_bidi = opts_.max_streams_bidi;
  cfg.idle_timeout = opts_.idle_timeout;
  cfg.handshake_timeout = opts_.handshake_timeout;
  cfg.close_timeout = opts_.close_timeout;
  cfg.one_pdu_per_packet_alpns = opts_.one_pdu_per_packet_alpns;
  cfg.quiet_close_codes = opts_.quiet_close_codes;
  cfg.qlog_dir = opts_.qlog_dir;
  cfg.tls = tls_;
  auto conn = Connection::create(*this, cfg);
  if (!conn && conn.error().code == kQlogNoFileDescriptor) {
    refuse_out_of_fds(hd, from, conn.error().message);
    return;
  }
  if (!conn) {
    log::warn("quic_accept_failed", {{"peer", from.to_string()}, {"error", conn.error().message}});
    return;
  }
  end_fd_episode();
  Entry& entry = conns_[cfg.handle];
  entry.conn = std::move(*conn);
  index_.insert(cfg.handle, entry.conn.get());
  entry.ip = from.ip_string();
  ++per_ip_[entry.ip];
  count_new_handshake();
  conn_add_cid(*entry.conn, cfg.scid);
  conn_add_cid(*entry.conn, hd.dcid);  // the client's retransmitted Initials still carry it
  ngtcp2_path path{{const_cast<sockaddr*>(socket_->local().get()), socket_->local().len},
                   {const_cast<sockaddr*>(from.get()), from.len},
                   nullptr};
  entry.conn->on_datagram(path, data, len);
}

// Logged once per episode: at the fd limit every new client would otherwise add a line.
void ServerEndpointImpl::refuse_out_of_fds(const ngtcp2_pkt_hd& hd, const SockAddr& from,
                                           const std::string& error) {
  if (refused_no_fd_ == 0) {
    log::warn("quic_refused",
              {{"peer", from.to_string()}, {"reason", kOutOfFileDescriptors}, {"error", error}});
  }
  ++refused_no_fd_;
  send_close(hd, from, opts_.refusal_close_code, kOutOfFileDescriptors);
}

void ServerEndpointImpl::end_fd_episode() {
  if (refused_no_fd_ == 0) return;
  log::info("quic_refusals_ended",
            {{"reason", kOutOfFileDescriptors}, {"refused_connections", refused_no_fd_}});
  refused_no_fd_ = 0;
}

const char* ServerEndpointImpl::refusal_reason(const SockAddr& from) const {
  if (conns_.size() >= opts_.max_connections) return kAtConnectionLimit;
  auto it = per_ip_.find(from.ip_string());
  if (it != per_ip_.end() && it->second >= opts_.max_connections_per_ip)
    return "too many connections from your address";
  return nullptr;
}

ngtcp2_cid ServerEndpointImpl::new_cid() const {
  if (!lb_) return random_cid();
  std::array<std::uint8_t, kCidLen> nonce{};
  gnutls_rnd(GNUTLS_RND_RANDOM, nonce.data(), lb_->nonce_len);
  const std::vector<std::uint8_t> bytes = encode_lb_cid(*lb_, {nonce.data(), lb_->nonce_len});
  ngtcp2_cid cid{};
  ngtcp2_cid_init(&cid, bytes.data(), bytes.size());
  return cid;
}

bool ServerEndpointImpl::wants_retry() const {
  switch (opts_.retry) {
    case RetryMode::Always:
      return true;
    case RetryMode::Never:
      return false;
    case RetryMode::Auto:
      return stats_.handshakes_in_progress >= opts_.retry_threshold;
  }
  return false;
}

void ServerEndpointImpl::send_retry(const ngtcp2_pkt_hd& hd, const SockAddr& from) {
  ngtcp2_cid scid = new_cid();  // the client's next Initial goes to it: it names us too
  const std::vector<std::uint8_t> token =
      make_retry_token(keys_.retry, hd.version, from, scid, hd.dcid, now_ts(loop_.now()));
  if (token.empty()) return;
  std::uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
  ngtcp2_ssize n = ngtcp2_crypto_write_retry(buf, sizeof buf, hd.version, &hd.scid, &scid, &hd.dcid,
                                             token.data(), token.size());
  if (n > 0) send_raw(from, buf, static_cast<std::size_t>(n), static_cast<std::size_t>(n));
}

void ServerEndpointImpl::send_close(const ngtcp2_pkt_hd& hd, const SockAddr& from,
                                    std::uint64_t code, std::string_view reason) {
  std::uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
  ngtcp2_ssize n = ngtcp2_crypto_write_connection_close(
      buf, sizeof buf, hd.version, &hd.scid, &hd.dcid, code,
      reinterpret_cast<const std::uint8_t*>(reason.data()), reason.size());
  if (n > 0) send_raw(from, buf, static_cast<std::size_t>(n), static_cast<std::size_t>(n));
}

void ServerEndpointImpl::send_version_negotiation(const ngtcp2_version_cid& vc,
                                                  const SockAddr& from) {
  const std::uint32_t versions[] = {NGTCP2_PROTO_VER_V1, 0x1a2a3a4au /* greased (RFC 9000 6.3) */};
  std::uint8_t unused = 0;
  gnutls_rnd(GNUTLS_RND_NONCE, &unused, 1);
  std::uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
  ngtcp2_ssize n = ngtcp2_pkt_write_version_negotiation(
      buf, sizeof buf, unused, vc.scid, vc.scidlen, vc.dcid, vc.dcidlen, versions, 2);
  if (n > 0) send_raw(from, buf, static_cast<std::size_t>(n), static_cast<std::size_t>(n));
}

void ServerEndpointImpl::send_stateless_reset(const ngtcp2_version_cid& vc, const SockAddr& from,
                                              std::size_t len) {
  // The reset must be shorter than what triggered it (no loops between two servers) and
  // still look like a short-header packet (RFC 9000 10.3).
  constexpr std::size_t kMinTrigger =
      1 + kCidLen + NGTCP2_MIN_STATELESS_RESET_RANDLEN + NGTCP2_STATELESS_RESET_TOKENLEN;
  if (len <= kMinTrigger || vc.dcidlen != kCidLen || !reset_budget_available()) return;
  ngtcp2_cid dcid;
  ngtcp2_cid_init(&dcid, vc.dcid, vc.dcidlen);
  std::uint8_t token[NGTCP2_STATELESS_RESET_TOKENLEN];
  conn_reset_token(dcid, token);
  std::size_t randlen =
      std::min<std::size_t>(len - 1, NGTCP2_MAX_UDP_PAYLOAD_SIZE) - NGTCP2_STATELESS_RESET_TOKENLEN;
  std::uint8_t rand[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
  gnutls_rnd(GNUTLS_RND_NONCE, rand, randlen);
  std::uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
  ngtcp2_ssize n = ngtcp2_pkt_write_stateless_reset(buf, sizeof buf, token, rand, randlen);
  if (n > 0) send_raw(from, buf, static_cast<std::size_t>(n), static_cast<std::size_t>(n));
}

bool ServerEndpointImpl::reset_budget_available() {
  TimePoint now = loop_.now();
  double elapsed = std::chrono::duration<double>(now - reset_refill_).count();
  reset_refill_ = now;
  reset_tokens_ =
      std::min(kStatelessResetsPerSecond, reset_tokens_ + elapsed * kStatelessResetsPerSecond);
  if (reset_tokens_ < 1.0) return false;
  reset_tokens_ -= 1.0;
  return true;
}

bool ServerEndpointImpl::send_raw(const SockAddr& to, const std::uint8_t* data, std::size_t len,
                                  std::size_t segment) {
  // Queued: flush_sockets() sends the whole loop iteration's datagrams in few sendmmsg calls.
  return socket_->queue(to, data, len, segment) != SendStatus::Blocked;
}

void ServerEndpointImpl::wait_writable() {
  if (waiting_writable_) return;
  waiting_writable_ = true;
  socket_->when_writable([this] {
    waiting_writable_ = false;
    if (socket_->flush() == SendStatus::Blocked) {
      wait_writable();
      return;
    }
    flush_dirty();
  });
}

void ServerEndpointImpl::destroy(ConnHandle h) {
  auto it = conns_.find(h);
  if (it == conns_.end()) return;
  for (const auto& key : it->second.cids) {
    auto c = cids_.find(key);
    if (c != cids_.end() && c->second == h) cids_.erase(c);
  }
  auto ip = per_ip_.find(it->second.ip);
  if (ip != per_ip_.end() && --ip->second == 0) per_ip_.erase(ip);
  index_.erase(h);
  conns_.erase(it);
}

Result<std::unique_ptr<ServerEndpoint>> start_server(DatagramIo* io, EventLoop& loop,
                                                     const ServerOptions& opts, Handler& handler) {
  auto server = std::make_unique<ServerEndpointImpl>(io, loop, opts, handler);
  auto rv = server->start();
  if (!rv) return Unexpected{rv.error()};
  return std::unique_ptr<ServerEndpoint>(std::move(server));
}

}  // namespace

std::vector<std::vector<std::uint8_t>> test_server_cids(ServerEndpoint& endpoint, ConnHandle h) {
  auto* impl = dynamic_cast<ServerEndpointImpl*>(&endpoint);
  Connection* c = impl != nullptr ? impl->connection(h) : nullptr;
  if (c == nullptr) return {};
  std::vector<ngtcp2_cid> cids(ngtcp2_conn_get_num_scid(c->native()));
  cids.resize(ngtcp2_conn_get_scid(c->native(), cids.data()));
  std::vector<std::vector<std::uint8_t>> out;
  for (const ngtcp2_cid& cid : cids) out.emplace_back(cid.data, cid.data + cid.datalen);
  return out;
}

std::optional<std::size_t> test_queued_bytes(ServerEndpoint& endpoint, ConnHandle h) {
  auto* impl = dynamic_cast<ServerEndpointImpl*>(&endpoint);
  Connection* c = impl != nullptr ? impl->connection(h) : nullptr;
  if (c == nullptr) return std::nullopt;
  return c->queued_bytes();
}

Result<std::unique_ptr<ServerEndpoint>> start_server_on(DatagramIo& io, EventLoop& loop,
                                                        const ServerOptions& opts,
                                                        Handler& handler) {
  return start_server(&io, loop, opts, handler);
}

Result<std::unique_ptr<ServerEndpoint>> ServerEndpoint::start(EventLoop& loop,
                                                              const ServerOptions& opts,
                                                              Handler& handler) {
  return start_server(nullptr, loop, opts, handler);
}

}  // namespace qc::quic
