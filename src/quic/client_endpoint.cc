// The client: one UDP socket per connection (so rebind() can move a connection to a new port),
// any number of connections on one loop.
#include <gnutls/crypto.h>

#include <cstring>
#include <map>
#include <unordered_map>

#include "quic/cid.h"
#include "quic/datagram_io.h"
#include "quic/endpoint_base.h"
#include "quic/test_hooks.h"
#include "util/log.h"

namespace qc::quic {
namespace {

SockAddr any_address_for(const SockAddr& remote) {
  SockAddr any;
  any.storage.ss_family = remote.storage.ss_family;
  any.len = remote.storage.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  return any;
}

class ClientEndpointImpl final : public ClientEndpoint, public EndpointBase {
 public:
  // io == nullptr: UDP sockets on loop.
  ClientEndpointImpl(EventLoop& loop, Handler& handler, DatagramIo* io)
      : EndpointBase(loop, handler, io) {}

  // ClientEndpoint
  Result<ConnHandle> connect(const ClientOptions& opts) override;
  std::optional<std::uint64_t> send(ConnHandle h, SharedBytes pdu) override {
    Connection* c = find(h);
    if (c == nullptr || !c->send(std::move(pdu))) return std::nullopt;
    return c->queue_end();
  }
  void close(ConnHandle h, std::uint64_t code, std::string_view reason) override {
    close_conn(h, code, reason);
  }
  std::uint64_t stream_acked(ConnHandle h) const override {
    const Connection* c = find(h);
    return c == nullptr ? 0 : c->acked_offset();
  }
  Result<void> rebind(ConnHandle h) override;
  Connection* connection(ConnHandle h) const { return find(h); }
  Stats stats() const override {
    Stats s = stats_;
    for (const auto& [h, entry] : conns_) add_counters(s, entry.socket->counters());
    add_counters(s, gone_);
    return s;
  }

  // ConnectionOwner
  void conn_add_cid(Connection&, const ngtcp2_cid&) override {}
  void conn_remove_cid(Connection&, const ngtcp2_cid&) override {}
  void conn_reset_token(const ngtcp2_cid&, std::uint8_t* token) override {
    gnutls_rnd(GNUTLS_RND_NONCE, token, NGTCP2_STATELESS_RESET_TOKENLEN);
  }
  bool conn_send(Connection& c, const ngtcp2_path& path, const std::uint8_t* data, std::size_t len,
                 std::size_t segment) override;
  bool conn_can_send(Connection& c) override {
    auto it = conns_.find(c.handle());
    return it != conns_.end() && !it->second.socket->blocked();
  }

 protected:
  Connection* find(ConnHandle h) const override {
    auto it = conns_.find(h);
    return it == conns_.end() ? nullptr : it->second.conn.get();
  }
  void destroy(ConnHandle h) override;

 private:
  struct Entry {
    std::unique_ptr<Connection> conn;
    std::unique_ptr<DatagramSocket> socket;
    bool waiting_writable = false;
  };

  Result<std::shared_ptr<tls::Context>> tls_context(const ClientOptions& opts);
  Result<std::unique_ptr<DatagramSocket>> open_socket(ConnHandle h, const SockAddr& remote) {
    return io_.bind(any_address_for(remote), [this, h] { on_readable(h); });
  }
  void on_readable(ConnHandle h);
  void wait_writable(ConnHandle h);
  void forget_socket(const DatagramSocket& socket) { gone_ += socket.counters(); }
  static void add_counters(Stats& s, const SocketCounters& c) {
    s.datagrams_sent += c.datagrams_sent;
    s.recv_syscalls += c.recv_syscalls;
    s.send_syscalls += c.send_syscalls;
  }

  std::unordered_map<ConnHandle, Entry> conns_;
  std::map<std::string, std::shared_ptr<tls::Context>> tls_cache_;
  RecvBatch batch_;
  SocketCounters gone_;  // of sockets already closed
};

Result<std::shared_ptr<tls::Context>> ClientEndpointImpl::tls_context(const ClientOptions& opts) {
  std::string key = opts.ca_file + '\n' + opts.keylog_file;
  for (const auto& a : opts.alpns) key += '\n' + a;
  auto it = tls_cache_.find(key);
  if (it != tls_cache_.end()) return it->second;
  auto ctx = tls::make_client_context(opts.ca_file, opts.alpns, opts.keylog_file);
  if (!ctx) return Unexpected{ctx.error()};
  tls_cache_.emplace(key, *ctx);
  return *ctx;
}

Result<ConnHandle> ClientEndpointImpl::connect(const ClientOptions& opts) {
  if (opts.alpns.empty()) return fail("config", "a connection needs at least one ALPN");
  auto ctx = tls_context(opts);
  if (!ctx) return Unexpected{ctx.error()};
  auto remote = resolve_address(opts.host, opts.port);
  if (!remote) return Unexpected{remote.error()};
  ConnConfig cfg;
  cfg.handle = next_handle();
  auto sock = open_socket(cfg.handle, *remote);
  if (!sock) return Unexpected{sock.error()};
  cfg.local = (*sock)->local();
  cfg.remote = *remote;
  cfg.dcid = random_cid();
  cfg.scid = random_cid();
  cfg.verify_name = opts.sni.empty() ? opts.host : opts.sni;
  cfg.idle_timeout = opts.idle_timeout;
  cfg.handshake_timeout = opts.handshake_timeout;
  cfg.close_timeout = opts.close_timeout;
  cfg.one_pdu_per_packet_alpns = opts.one_pdu_per_packet_alpns;
  cfg.qlog_dir = opts.qlog_dir;
  cfg.keep_alive = opts.keep_alive;
  cfg.liveness_timeout = opts.liveness_timeout;
  cfg.tls = *ctx;
  Entry& entry = conns_[cfg.handle];
  entry.socket = std::move(*sock);
  auto conn = Connection::create(*this, cfg);
  if (!conn) {
    conns_.erase(cfg.handle);
    return Unexpected{conn.error()};
  }
  entry.conn = std::move(*conn);
  count_new_handshake();
  conn_dirty(*entry.conn);  // the Initial leaves in the next flush
  return cfg.handle;
}

void ClientEndpointImpl::on_readable(ConnHandle h) {
  auto it = conns_.find(h);
  if (it == conns_.end() || it->second.conn == nullptr) return;
  Entry& entry = it->second;
  std::size_t n = entry.socket->receive(batch_);
  const SockAddr& local = entry.socket->local();
  for (std::size_t i = 0; i < n; ++i) {
    if (batch_.len[i] == 0) continue;
    ++stats_.datagrams_received;
    ngtcp2_path path{{const_cast<sockaddr*>(local.get()), local.len},
                     {const_cast<sockaddr*>(batch_.from[i].get()), batch_.from[i].len},
                     nullptr};
    entry.conn->on_datagram(path, batch_.storage.data() + i * RecvBatch::kBufSize, batch_.len[i]);
    if (conns_.find(h) == conns_.end()) return;  // defensive: callbacks never destroy, but be sure
  }
}

bool ClientEndpointImpl::conn_send(Connection& c, const ngtcp2_path& path, const std::uint8_t* data,
                                   std::size_t len, std::size_t segment) {
  auto it = conns_.find(c.handle());
  if (it == conns_.end()) return true;
  Entry& entry = it->second;
  SockAddr to = SockAddr::from(path.remote.addr, path.remote.addrlen);
  SendStatus st = entry.socket->queue(to, data, len, segment);
  if (st == SendStatus::Sent) st = entry.socket->flush();
  if (st != SendStatus::Blocked) return true;
  wait_writable(c.handle());
  return false;
}

void ClientEndpointImpl::wait_writable(ConnHandle h) {
  auto it = conns_.find(h);
  if (it == conns_.end() || it->second.waiting_writable) return;
  it->second.waiting_writable = true;
  it->second.socket->when_writable([this, h] {
    auto e = conns_.find(h);
    if (e == conns_.end()) return;
    e->second.waiting_writable = false;
    if (e->second.socket->flush() == SendStatus::Blocked) {
      wait_writable(h);
      return;
    }
    flush_dirty();
  });
}

Result<void> ClientEndpointImpl::rebind(ConnHandle h) {
  auto it = conns_.find(h);
  if (it == conns_.end()) return fail("unknown_conn", "no such connection");
  Entry& entry = it->second;
  auto sock = open_socket(h, entry.conn->remote());
  if (!sock) return Unexpected{sock.error()};
  auto migrated = entry.conn->migrate((*sock)->local());
  if (!migrated) return migrated;
  forget_socket(*entry.socket);
  entry.socket = std::move(*sock);
  entry.waiting_writable = false;
  log::info("quic_rebind",
            {{"scid", entry.conn->scid_hex()}, {"local", entry.socket->local().to_string()}});
  return {};
}

void ClientEndpointImpl::destroy(ConnHandle h) {
  auto it = conns_.find(h);
  if (it == conns_.end()) return;
  forget_socket(*it->second.socket);
  conns_.erase(it);
}

}  // namespace

int test_open_extra_stream(ClientEndpoint& endpoint, ConnHandle h) {
  auto* impl = dynamic_cast<ClientEndpointImpl*>(&endpoint);
  Connection* c = impl != nullptr ? impl->connection(h) : nullptr;
  if (c == nullptr) return NGTCP2_ERR_INVALID_ARGUMENT;
  std::int64_t stream_id = -1;
  return ngtcp2_conn_open_bidi_stream(c->native(), &stream_id, nullptr);
}

bool test_finish_stream(ClientEndpoint& endpoint, ConnHandle h) {
  auto* impl = dynamic_cast<ClientEndpointImpl*>(&endpoint);
  Connection* c = impl != nullptr ? impl->connection(h) : nullptr;
  if (c == nullptr) return false;
  c->finish_stream();
  return true;
}

Result<std::unique_ptr<ClientEndpoint>> create_client_on(DatagramIo& io, EventLoop& loop,
                                                         Handler& handler) {
  return std::unique_ptr<ClientEndpoint>(new ClientEndpointImpl(loop, handler, &io));
}

Result<std::unique_ptr<ClientEndpoint>> ClientEndpoint::create(EventLoop& loop, Handler& handler) {
  return std::unique_ptr<ClientEndpoint>(new ClientEndpointImpl(loop, handler, nullptr));
}

}  // namespace qc::quic
