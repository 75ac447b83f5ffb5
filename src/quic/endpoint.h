// The QUIC transport's API for the layers above (the chat server, the client library, the bench).
// Everything here runs on one EventLoop thread. Nothing in this header exposes ngtcp2 or GnuTLS.
//
// The chat stream: the client opens one bidirectional stream and sends every PDU on it; the
// server answers and pushes on that stream. queue() takes one whole PDU per call: with peers that
// negotiated an ALPN listed in `one_pdu_per_packet_alpns` each PDU is written in its own stream
// write and its own packet (receivers that parse one PDU per read need that); with the others
// PDUs are coalesced freely. Writes are flushed once per loop iteration (EventLoop::on_idle), so
// many queue() calls in one batch share packets and system calls. The transport knows no ALPN
// names and no application close codes: the layer above passes them in.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/event_loop.h"
#include "util/bytes.h"
#include "util/result.h"

namespace qc::quic {

using io::Clock;
using io::EventLoop;
using io::TimePoint;

using ConnHandle = std::uint64_t;  // never 0, never reused within one process

struct PeerInfo {
  std::string address;  // "127.0.0.1:51234"
  std::string alpn;     // negotiated ALPN
  std::string scid;     // our connection id, hex (for logs)
  // Set when the peer reads one PDU per packet (a one_pdu_per_packet_alpns ALPN): the largest PDU
  // that reliably leaves in one packet. Longer ones would be split over packets and break it.
  std::optional<std::size_t> max_pdu_in_one_packet;
};

enum class CloseKind {
  Local,  // we called close()
  Peer,   // the peer sent CONNECTION_CLOSE
  IdleTimeout,
  HandshakeTimeout,
  HandshakeFailed,  // TLS failure: certificate verification, ALPN mismatch, ...
  StatelessReset,
  Error,  // any other transport error
  // Client liveness (ClientOptions::liveness_timeout): data was in flight and nothing came
  // back from the server for that long; we closed locally.
  PeerUnresponsive,
};

struct CloseInfo {
  CloseKind kind = CloseKind::Local;
  std::uint64_t app_error_code = 0;  // when the close carried an application error code
  std::string reason;                // peer's or our reason phrase, or a description of the error
  // Chat stream bytes the peer acknowledged: everything a send() returned an end offset at most
  // this large for was delivered to the peer's transport; later ones may not have been.
  std::uint64_t stream_acked = 0;
};

std::string_view close_kind_name(CloseKind);

struct Stats {
  std::uint64_t connections_open = 0;
  std::uint64_t handshakes_in_progress = 0;
  std::uint64_t datagrams_received = 0;
  std::uint64_t datagrams_sent = 0;
  std::uint64_t recv_syscalls = 0;
  std::uint64_t send_syscalls = 0;
  std::uint64_t bytes_received = 0;  // UDP payload bytes
  std::uint64_t bytes_sent = 0;
  // Transport work: connections' write loops (ngtcp2 asked for packets), those that wrote no
  // datagram, and connections' expiry timers that fired.
  std::uint64_t conn_writes = 0;
  std::uint64_t conn_writes_empty = 0;
  std::uint64_t conn_timer_fires = 0;
  // Server only: new connections answered without a connection state.
  std::uint64_t retries_sent = 0;
  std::uint64_t refused_connection_limit = 0;  // max_connections
  std::uint64_t refused_per_ip_limit = 0;      // max_connections_per_ip
  std::uint64_t refused_invalid_token = 0;     // bad or expired Retry token
};

// Receives transport events. Callbacks must not destroy the endpoint.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void on_open(ConnHandle conn, const PeerInfo& peer) = 0;    // handshake complete
  virtual void on_data(ConnHandle conn, std::string_view bytes) = 0;  // chat stream, in order
  // The peer ended the chat stream (FIN), after its last on_data: nothing more will arrive.
  virtual void on_stream_end(ConnHandle /*conn*/) {}
  virtual void on_closed(ConnHandle conn, const CloseInfo& info) = 0;  // exactly once per conn
  virtual void on_path_changed(ConnHandle /*conn*/, const PeerInfo& /*peer*/) {}
  // A packet from the peer was accepted after ServerEndpoint::probe(conn): it is alive.
  virtual void on_probe_answered(ConnHandle /*conn*/) {}
};

enum class RetryMode { Auto, Always, Never };

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4433;  // 0 = any free port (see ServerEndpoint::local_port)
  std::string cert_file = "certs/quic_certificate.pem";
  std::string key_file = "certs/quic_private_key.pem";
  std::vector<std::string> alpns;  // required: the accepted ALPNs, preferred first
  std::vector<std::string> one_pdu_per_packet_alpns;  // peers of these get one PDU per packet
  // Application error code of the CONNECTION_CLOSE refusing a connection at the limits.
  std::uint64_t refusal_close_code = 0;
  // Local closes with these application codes log quic_close at debug: the application logs
  // them itself (an operator's kick is one line however many sessions it closes).
  std::vector<std::uint64_t> quiet_close_codes;
  std::chrono::milliseconds idle_timeout{120'000};
  std::chrono::milliseconds handshake_timeout{10'000};
  // close()/close_all() send the CONNECTION_CLOSE once the peer has acknowledged everything
  // queued, or after this long (lost data is retransmitted until then, never after the close).
  std::chrono::milliseconds close_timeout{5'000};
  std::uint64_t max_streams_bidi = 1;  // streams a client may open
  RetryMode retry = RetryMode::Auto;
  std::size_t retry_threshold = 256;  // handshakes in progress above which Auto sends Retry
  std::size_t max_connections = 20'000;
  std::size_t max_connections_per_ip = 20'000;
  std::string qlog_dir;     // empty = off
  std::string keylog_file;  // empty = off (the app passes $SSLKEYLOGFILE)
  // The secret that keys stateless reset tokens and Retry tokens (at least 16 bytes). Servers
  // with the same secret recognise each other's connection IDs: a restarted server resets the
  // connections of its predecessor at their next packet (RFC 9000 10.3). Empty = random per
  // process.
  std::vector<std::uint8_t> static_secret;
  // 1 to 8 bytes: every connection ID this server issues carries it, in the QUIC-LB draft's
  // unencrypted format (quic/quic_lb.h), for a load balancer routing on it. Empty = random IDs.
  std::vector<std::uint8_t> cid_server_id;
};

class ServerEndpoint {
 public:
  static Result<std::unique_ptr<ServerEndpoint>> start(EventLoop& loop, const ServerOptions& opts,
                                                       Handler& handler);
  virtual ~ServerEndpoint() = default;

  // Queues one PDU's bytes on the chat stream and returns the bytes the connection has queued
  // but not yet seen acknowledged; nullopt when the connection is unknown or closing.
  // A `replaceable` PDU carries a whole state (a presence list): it supersedes the previous
  // such PDU of this connection if that one has not been written yet, taking its place in the
  // queue. A slow reader thus gets the newest list once instead of every list in turn.
  virtual std::optional<std::size_t> queue(ConnHandle conn, SharedBytes pdu, bool replaceable) = 0;
  // queue() of one PDU on each of `conns` (one broadcast), in order, skipping the unknown and
  // closing ones; `over` gets each connection (and its bytes) that then has more than `bound`
  // bytes queued but not yet acknowledged.
  virtual void queue_each(std::span<const ConnHandle> conns, const SharedBytes& pdu,
                          bool replaceable, std::size_t bound,
                          std::vector<std::pair<ConnHandle, std::size_t>>& over) = 0;
  // Closes with CONNECTION_CLOSE(application error code, reason) after flushing queued data.
  virtual void close(ConnHandle conn, std::uint64_t app_error_code, std::string_view reason) = 0;
  virtual void close_all(std::uint64_t app_error_code, std::string_view reason) = 0;
  // Sends the peer an ack-eliciting packet (a PING when nothing else is due), and again every
  // PTO (at least 100 ms apart, 30 in all) until it answers: a lost PING is not retransmitted.
  // The next packet accepted from the peer brings Handler::on_probe_answered, once per probe; a
  // peer that is gone never answers (the caller keeps the deadline). False: unknown, not open
  // or closing.
  virtual bool probe(ConnHandle conn) = 0;

  // Loads a new certificate (full chain) and key for the handshakes that start from now on;
  // connections already established keep theirs. On an error (unreadable, or a key that does
  // not match the certificate) the old pair stays in force.
  virtual Result<void> replace_certificate(const std::string& cert_file,
                                           const std::string& key_file) = 0;
  // Takes the options a running endpoint can change: the timeouts (for connections accepted
  // from now on), the connection limits and the Retry policy. The others are ignored.
  virtual void apply_live_options(const ServerOptions& opts) = 0;

  virtual std::uint16_t local_port() const = 0;
  virtual Stats stats() const = 0;
};

struct ClientOptions {
  std::string host = "localhost";
  std::uint16_t port = 4433;
  std::string sni;                                     // empty = host
  std::string ca_file = "certs/quic_certificate.pem";  // empty = the system trust store
  std::vector<std::string> alpns;  // required: the offered ALPNs, preferred first
  std::vector<std::string> one_pdu_per_packet_alpns;  // peers of these get one PDU per packet
  std::chrono::milliseconds idle_timeout{120'000};
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds close_timeout{5'000};  // as in ServerOptions
  std::string qlog_dir;
  std::string keylog_file;
  // A PING after this long without sending (0 = none): an idle connection keeps data in flight
  // now and then, so the liveness check below also covers a user who is only reading.
  std::chrono::milliseconds keep_alive{0};
  // While data is in flight and nothing has been received for max(this, 3 PTO), the connection
  // closes locally with CloseKind::PeerUnresponsive (0 = off: only the idle timeout applies).
  std::chrono::milliseconds liveness_timeout{0};
};

// One endpoint drives any number of client connections from one loop (the bench runs thousands).
class ClientEndpoint {
 public:
  static Result<std::unique_ptr<ClientEndpoint>> create(EventLoop& loop, Handler& handler);
  virtual ~ClientEndpoint() = default;

  // Starts a handshake; Handler::on_open or on_closed (with the reason) follows.
  virtual Result<ConnHandle> connect(const ClientOptions& opts) = 0;
  // Queues one PDU on the chat stream; returns the stream offset just after it (compare with
  // CloseInfo::stream_acked), or nullopt when the connection is unknown or closing.
  virtual std::optional<std::uint64_t> send(ConnHandle conn, SharedBytes pdu) = 0;
  virtual void close(ConnHandle conn, std::uint64_t app_error_code, std::string_view reason) = 0;
  // The chat stream offset up to which the server acknowledged what we sent (0 when unknown).
  virtual std::uint64_t stream_acked(ConnHandle conn) const = 0;
  // Moves the connection to a new local socket (new port); QUIC migration keeps the session.
  virtual Result<void> rebind(ConnHandle conn) = 0;
  virtual Stats stats() const = 0;
};

}  // namespace qc::quic
