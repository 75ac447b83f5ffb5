// One QUIC connection (server or client side): owns the ngtcp2_conn and its TLS session, the
// chat stream's send queue (kept until acknowledged), the expiry timer and the close state
// machine. Socket I/O and connection-ID routing belong to the endpoint (ConnectionOwner).
// Internal to src/quic.
#pragma once

#include <ngtcp2/ngtcp2.h>

#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "quic/cid.h"
#include "quic/endpoint.h"
#include "quic/lifecycle.h"
#include "quic/tls.h"
#include "quic/udp.h"

namespace qc::quic {

class Connection;

// What a connection needs from the endpoint that owns it.
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  virtual EventLoop& loop() = 0;
  virtual Handler& handler() = 0;
  virtual void conn_dirty(Connection& c) = 0;   // flush me in the next on_idle
  virtual void conn_retire(Connection& c) = 0;  // I am done: free me outside any callback
  virtual void conn_add_cid(Connection& c, const ngtcp2_cid& cid) = 0;
  virtual void conn_remove_cid(Connection& c, const ngtcp2_cid& cid) = 0;
  virtual void conn_reset_token(const ngtcp2_cid& cid, std::uint8_t* token) = 0;
  // A new connection ID of `len` bytes for NEW_CONNECTION_ID (a server's name its node).
  virtual void conn_new_cid(ngtcp2_cid& cid, std::size_t len) { fill_random_cid(cid, len); }
  virtual void conn_handshake_done(Connection& c) = 0;
  virtual void conn_closed(Connection& c) = 0;  // leaving the live states (still in its last one)
  // Sends datagrams of `segment` bytes from the socket serving path.local; false = blocked.
  virtual bool conn_send(Connection& c, const ngtcp2_path& path, const std::uint8_t* data,
                         std::size_t len, std::size_t segment) = 0;
  virtual bool conn_can_send(Connection& c) = 0;  // false while the socket is blocked
  // Owners whose socket queue takes packets written in place (the server's): the next packet,
  // at most `room` bytes, is written at conn_slot() (nullptr: full, blocked), then
  // conn_commit() queues its `len` bytes for path.remote (false: blocked). No copy on the way.
  virtual bool conn_writes_in_place() const { return false; }
  virtual std::uint8_t* conn_slot(Connection& /*c*/, std::size_t /*room*/) { return nullptr; }
  virtual bool conn_commit(Connection& /*c*/, const ngtcp2_path& /*path*/, std::size_t /*len*/) {
    return false;
  }
  // The allocator ngtcp2 uses for the connection (null: malloc); it outlives every connection.
  virtual const ngtcp2_mem* conn_mem() { return nullptr; }
  // The endpoint's counters (conn_writes and the like are counted by the connections).
  virtual Stats& conn_stats() = 0;
};

// The lifecycle (quic/lifecycle.h) decides every transition; Connection::apply() carries it out.
// Dead connections are freed by the endpoint in on_idle.

struct ConnConfig {
  bool is_server = false;
  ConnHandle handle = 0;
  SockAddr local;
  SockAddr remote;
  std::uint32_t version = NGTCP2_PROTO_VER_V1;
  ngtcp2_cid dcid{};  // server: the client's SCID; client: random
  ngtcp2_cid scid{};  // ours
  // Server only.
  ngtcp2_cid original_dcid{};
  std::optional<ngtcp2_cid> retry_scid;
  std::string token;
  std::uint64_t max_streams_bidi = 0;
  // Client only.
  std::string verify_name;
  std::chrono::milliseconds idle_timeout{120'000};
  std::chrono::milliseconds handshake_timeout{10'000};
  // How long close() waits for the peer to acknowledge what was queued before it closes anyway.
  std::chrono::milliseconds close_timeout{5'000};
  std::vector<std::string> one_pdu_per_packet_alpns;
  std::vector<std::uint64_t> quiet_close_codes;  // see ServerOptions
  std::string qlog_dir;
  std::chrono::milliseconds keep_alive{0};
  std::chrono::milliseconds liveness_timeout{0};
  std::shared_ptr<tls::Context> tls;
};

// The Error code of Connection::create when a server connection cannot open its qlog file for
// want of file descriptors: the server refuses the connection rather than run it unrecorded.
inline constexpr const char* kQlogNoFileDescriptor = "qlog_no_fd";

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> create(ConnectionOwner& owner, const ConnConfig& cfg);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  ConnHandle handle() const { return handle_; }
  ConnState state() const { return state_; }
  bool is_server() const { return is_server_; }
  bool opened() const { return has_opened(state_); }
  const PeerInfo& peer() const { return peer_; }
  const SockAddr& remote() const { return remote_; }
  const std::string& scid_hex() const { return peer_.scid; }
  ngtcp2_conn* native() const { return conn_; }
  // Set while the connection is on its endpoint's list of connections to flush (one entry each).
  bool flush_pending() const { return flush_pending_; }
  void set_flush_pending(bool pending) { flush_pending_ = pending; }

  void on_datagram(const ngtcp2_path& path, const std::uint8_t* data, std::size_t len);
  // Queues one PDU. A `replaceable` PDU supersedes the connection's previous replaceable PDU
  // when that one has not been handed to ngtcp2 yet (it takes its place in the queue).
  bool send(const SharedBytes& pdu, bool replaceable = false);
  // Asks the CPU for the lines send() reads first (a broadcast walks many connections).
  void prefetch_send_state() const {
    __builtin_prefetch(this);
    __builtin_prefetch(&queue_);
  }
  void close(std::uint64_t app_error_code, std::string_view reason);
  // Elicits an acknowledgement from the peer; the next accepted packet answers it
  // (Handler::on_probe_answered). False when the connection is not open or is closing.
  bool probe();
  // Ends the chat stream (FIN) once everything queued is written; nothing may be queued after.
  void finish_stream();
  void flush();  // writes everything writable now; called from the endpoint's on_idle
  std::size_t queued_bytes() const { return static_cast<std::size_t>(queue_end_ - acked_offset_); }
  std::uint64_t queue_end() const { return queue_end_; }  // stream offset after the last PDU
  std::uint64_t acked_offset() const { return acked_offset_; }
  // Client migration: the new local address of the socket this connection moved to.
  Result<void> migrate(const SockAddr& new_local);

  // ngtcp2 callbacks land here (connection_callbacks.cc).
  int on_handshake_completed();
  int on_stream_open(std::int64_t stream_id);
  int on_stream_data(std::int64_t stream_id, const std::uint8_t* data, std::size_t len, bool fin);
  int on_acked(std::int64_t stream_id, std::uint64_t offset, std::uint64_t len);
  int on_new_cid(ngtcp2_cid* cid, std::uint8_t* token, std::size_t cidlen);
  int on_remove_cid(const ngtcp2_cid* cid);
  int on_path_validated(const ngtcp2_path* path, bool success);
  void on_stateless_reset();
  void qlog_write(const void* data, std::size_t len, bool fin);

 private:
  // Queued stream bytes: one PDU kept as handed in, or a block of small PDUs queued together,
  // copied so that a packet carries one STREAM frame, not one per PDU.
  // A block never grows past the capacity it was created with: ngtcp2 keeps pointers into it
  // until the bytes are acknowledged.
  struct Chunk {
    SharedBytes pdu;  // null for a block
    std::string block;
    std::uint64_t offset;  // stream offset of the first byte
    std::string_view data() const { return pdu ? std::string_view(*pdu) : std::string_view(block); }
    std::uint64_t end() const { return offset + (pdu ? pdu->size() : block.size()); }
  };

  // What a read compares to decide whether it needs a write (read_needs_write).
  struct ReadMark {
    bool settled = false;  // a server connection past its handshake
    std::uint64_t expiry = 0;
    std::size_t stream_losses = 0;
  };

  Connection(ConnectionOwner& owner, const ConnConfig& cfg);
  Result<void> init(const ConnConfig& cfg);
  ReadMark read_mark() const;
  bool read_needs_write(const ReadMark& before) const;

  bool write_packets();
  std::size_t gather(ngtcp2_vec* vecs, std::size_t max) const;
  bool merge_small(std::string_view pdu);
  bool replace_unsent(std::uint64_t offset, const SharedBytes& pdu);
  void consume(std::uint64_t n);
  void release_tls();
  // Feeds one event to the lifecycle table and does what its step says; `closed` is what a
  // close report carries. `ccerr` is the CONNECTION_CLOSE to send when the step sends one.
  // False: the event does nothing in this state.
  bool apply(ConnEvent event, CloseInfo closed = {},
             const ngtcp2_connection_close_error* ccerr = nullptr);
  void write_close(const ngtcp2_connection_close_error& ccerr);
  void send_queued_close(ConnEvent event);
  bool queue_acked() const { return acked_offset_ >= queue_end_; }
  void arm_close_timer();
  void cancel_close_timer();
  void fail_with(int liberr);
  void enter_draining();
  void report_closed(Report report, CloseInfo info);
  void arm_linger();
  void on_expiry();
  void rearm_timer();
  void cancel_timer();
  void after_probe_ping();
  void stop_probe_pings();
  std::uint64_t now_ts() const;
  // Client liveness (connection_liveness.cc).
  void init_liveness(const ConnConfig& cfg);
  void check_liveness();
  void close_unresponsive(std::uint64_t silent_ns);
  void cancel_liveness_timer();

  ConnectionOwner& owner_;
  ConnHandle handle_;
  bool is_server_;
  ConnState state_ = ConnState::Handshaking;
  ngtcp2_conn* conn_ = nullptr;
  tls::SessionRef tls_ref_;
  std::shared_ptr<tls::Context> tls_ctx_;
  std::unique_ptr<tls::Session> tls_;
  PeerInfo peer_;
  SockAddr local_;
  SockAddr remote_;
  std::vector<std::string> one_pdu_per_packet_alpns_;  // consulted when the handshake completes
  std::vector<std::uint64_t> quiet_close_codes_;
  bool one_pdu_per_packet_ = false;  // the negotiated ALPN's peer parses one PDU per read
  bool flush_pending_ = false;
  std::uint64_t close_code_ = 0;
  std::string close_reason_;
  std::chrono::milliseconds close_timeout_;
  // Its own timer: apply() re-arms or cancels timer_ on every transition.
  EventLoop::TimerId close_timer_ = 0;

  std::int64_t stream_id_ = -1;
  std::deque<Chunk> queue_;
  std::size_t send_index_ = 0;      // queue_ index of the chunk holding send_offset_
  std::uint64_t queue_end_ = 0;     // stream offset after the last queued byte
  std::uint64_t send_offset_ = 0;   // next byte to hand to ngtcp2
  std::uint64_t acked_offset_ = 0;  // everything before is acknowledged (and freed)
  bool fin_wanted_ = false;         // finish_stream() was called
  bool fin_sent_ = false;           // ngtcp2 took the FIN
  std::optional<std::uint64_t> replaceable_offset_;  // stream offset of the last replaceable PDU

  std::vector<std::uint8_t> close_packet_;  // resent while closing
  std::uint64_t packets_while_closing_ = 0;
  EventLoop::TimerId timer_ = 0;
  std::uint64_t timer_at_ = UINT64_MAX;
  std::FILE* qlog_ = nullptr;
  bool probe_waiting_ = false;       // probe() was called and no packet has arrived since
  int probe_pings_left_ = 0;         // while > 0, ngtcp2's keep-alive timer sends the probe's PINGs
  std::uint64_t probe_last_tx_ = 0;  // the last ack-eliciting packet's time, when last looked

  std::uint64_t liveness_ns_ = 0;      // 0 = no liveness check
  std::uint64_t last_rx_ts_ = 0;       // when the last packet was read
  std::uint64_t in_flight_since_ = 0;  // when bytes went in flight after none were; 0 = none
  EventLoop::TimerId liveness_timer_ = 0;
  std::uint64_t liveness_at_ = 0;  // deadline liveness_timer_ is armed for
};

}  // namespace qc::quic
