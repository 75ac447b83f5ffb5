// Connection: creation, reading and the write loop. The close state machine is in
// connection_close.cc, the ngtcp2 callback trampolines in connection_callbacks.cc.
#include "quic/connection.h"

#include <ngtcp2/ngtcp2_crypto.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "quic/cid.h"
#include "quic/connection_internal.h"
#include "util/log.h"

namespace qc::quic {
namespace {

using detail::kMaxUdpPayload;

constexpr std::uint64_t kStreamWindow = 1024 * 1024;
constexpr std::uint64_t kConnWindow = 4 * 1024 * 1024;
constexpr std::size_t kMaxPacketsPerBatch = 40;  // 40 * 1452 < 64 KiB, the GSO limit
// One PDU per writev call (each becomes its own STREAM frame, several per packet with the
// MORE flag). Multi-vector frames trip an ngtcp2 < 1.6 leak when they are split for
// retransmission (ngtcp2 issue #1244); single-vector frames never reach that path.
constexpr std::size_t kMaxVecs = 1;
// PDUs up to this size are merged into blocks of kBlockBytes with the unsent PDUs before them
// (Connection::Chunk); larger ones fill packets on their own and are kept as they are.
constexpr std::size_t kMaxCopiedPdu = 1024;
constexpr std::size_t kBlockBytes = 8 * 1024;
constexpr std::size_t kMaxReasonBytes = 1024;
// A probe's PINGs (Connection::probe): enough to outlast a lost PING or two within the chat
// server's probe deadline (2 s by default), few enough to be no burden on a peer that is gone.
constexpr int kProbePings = 30;
constexpr std::chrono::milliseconds kProbePingInterval{100};

std::uint64_t to_ns(std::chrono::milliseconds ms) {
  return static_cast<std::uint64_t>(ms.count()) * NGTCP2_MILLISECONDS;
}

std::vector<std::uint8_t>& tx_buffer() {
  static thread_local std::vector<std::uint8_t> buf(kMaxPacketsPerBatch * kMaxUdpPayload +
                                                    kMaxUdpPayload);
  return buf;
}

}  // namespace

Connection::Connection(ConnectionOwner& owner, const ConnConfig& cfg)
    : owner_(owner),
      handle_(cfg.handle),
      is_server_(cfg.is_server),
      tls_ctx_(cfg.tls),
      local_(cfg.local),
      remote_(cfg.remote),
      one_pdu_per_packet_alpns_(cfg.one_pdu_per_packet_alpns),
      quiet_close_codes_(cfg.quiet_close_codes),
      close_timeout_(cfg.close_timeout) {
  peer_.address = cfg.remote.to_string();
  peer_.scid = cid_hex(cfg.scid);
}

Result<std::unique_ptr<Connection>> Connection::create(ConnectionOwner& owner,
                                                       const ConnConfig& cfg) {
  std::unique_ptr<Connection> conn(new Connection(owner, cfg));
  auto rv = conn->init(cfg);
  if (!rv) return Unexpected{rv.error()};
  return conn;
}

Result<void> Connection::init(const ConnConfig& cfg) {
  ngtcp2_settings settings;
  ngtcp2_settings_default(&settings);
  settings.initial_ts = now_ts();
  settings.handshake_timeout = to_ns(cfg.handshake_timeout);
  settings.max_tx_udp_payload_size = kMaxUdpPayload;
  settings.max_stream_window = 4 * kStreamWindow;
  settings.max_window = 4 * kConnWindow;
  if (!cfg.qlog_dir.empty()) {
    ::mkdir(cfg.qlog_dir.c_str(), 0755);  // EEXIST is the usual answer
    std::string path = cfg.qlog_dir + "/" + peer_.scid + ".sqlog";
    qlog_ = std::fopen(path.c_str(), "w");
    if (qlog_ == nullptr) {
      const int err = errno;
      if (is_server_ && (err == EMFILE || err == ENFILE)) {
        return fail(kQlogNoFileDescriptor, "cannot open " + path + ": " + std::strerror(err));
      }
      log::warn("qlog_open_failed", {{"path", path}, {"error", std::strerror(err)}});
    }
    settings.qlog.write = qlog_ != nullptr ? detail::qlog_write_cb : nullptr;
    settings.qlog.odcid = cfg.original_dcid;
  }
  settings.token.base = reinterpret_cast<std::uint8_t*>(const_cast<char*>(cfg.token.data()));
  settings.token.len = cfg.token.size();

  ngtcp2_transport_params params;
  ngtcp2_transport_params_default(&params);
  params.initial_max_stream_data_bidi_local = kStreamWindow;
  params.initial_max_stream_data_bidi_remote = kStreamWindow;
  params.initial_max_data = kConnWindow;
  params.initial_max_streams_bidi = is_server_ ? cfg.max_streams_bidi : 0;
  params.initial_max_streams_uni = 0;
  params.max_idle_timeout = to_ns(cfg.idle_timeout);
  params.active_connection_id_limit = 4;
  if (is_server_) {
    params.original_dcid = cfg.original_dcid;
    if (cfg.retry_scid) {
      params.retry_scid = *cfg.retry_scid;
      params.retry_scid_present = 1;
    }
    params.stateless_reset_token_present = 1;
    owner_.conn_reset_token(cfg.scid, params.stateless_reset_token);
  }

  ngtcp2_path path{{const_cast<sockaddr*>(local_.get()), local_.len},
                   {const_cast<sockaddr*>(remote_.get()), remote_.len},
                   nullptr};
  const ngtcp2_callbacks& cbs =
      is_server_ ? detail::server_callbacks() : detail::client_callbacks();
  int rv = is_server_ ? ngtcp2_conn_server_new(&conn_, &cfg.dcid, &cfg.scid, &path, cfg.version,
                                               &cbs, &settings, &params, owner_.conn_mem(), this)
                      : ngtcp2_conn_client_new(&conn_, &cfg.dcid, &cfg.scid, &path, cfg.version,
                                               &cbs, &settings, &params, owner_.conn_mem(), this);
  if (rv != 0) return fail("ngtcp2", std::string("ngtcp2_conn_new: ") + ngtcp2_strerror(rv));

  tls_ref_.conn_ref.get_conn = detail::get_conn;
  tls_ref_.conn_ref.user_data = this;
  tls_ref_.keylog = tls_ctx_->keylog.get();
  auto session = is_server_ ? tls::Session::create_server(*tls_ctx_, &tls_ref_)
                            : tls::Session::create_client(*tls_ctx_, &tls_ref_, cfg.verify_name);
  if (!session) return Unexpected{session.error()};
  tls_ = std::move(*session);
  ngtcp2_conn_set_tls_native_handle(conn_, tls_->native());
  init_liveness(cfg);
  return {};
}

Connection::~Connection() {
  cancel_timer();
  cancel_close_timer();
  cancel_liveness_timer();
  if (conn_ != nullptr) ngtcp2_conn_del(conn_);
  tls_.reset();
  if (qlog_ != nullptr) std::fclose(qlog_);
}

// A server's handshake is confirmed once it completes, and ngtcp2 has then installed the
// 1-RTT keys and dropped the Handshake ones: key updates derive from the crypto context ngtcp2
// keeps, so the GnuTLS session (≈ 12 KB) is no longer needed. Called outside ngtcp2's calls.
void Connection::release_tls() {
  ngtcp2_conn_set_tls_native_handle(conn_, nullptr);
  tls_.reset();
}

std::uint64_t Connection::now_ts() const { return quic::now_ts(owner_.loop().now()); }

void Connection::on_datagram(const ngtcp2_path& path, const std::uint8_t* data, std::size_t len) {
  if (state_ == ConnState::Closing) {
    // A peer that has not seen our close yet gets it again, on its 1st, 2nd, 4th, 8th...
    // packet: enough to get through, never an amplifier.
    ++packets_while_closing_;
    if ((packets_while_closing_ & (packets_while_closing_ - 1)) == 0) {
      owner_.conn_send(*this, *ngtcp2_conn_get_path(conn_), close_packet_.data(),
                       close_packet_.size(), close_packet_.size());
    }
    return;
  }
  if (!is_live(state_)) return;
  ngtcp2_pkt_info pi{};
  const std::uint64_t ts = now_ts();
  const ReadMark before = read_mark();
  int rv = ngtcp2_conn_read_pkt(conn_, &path, &pi, data, len, ts);
  if (rv == NGTCP2_ERR_DRAINING) {
    enter_draining();
    return;
  }
  if (rv != 0) {
    fail_with(rv);
    return;
  }
  last_rx_ts_ = ts;
  if (is_server_ && tls_ != nullptr && has_opened(state_)) release_tls();
  if (read_needs_write(before)) owner_.conn_dirty(*this);
  if (probe_waiting_) {
    // Any packet ngtcp2 did not refuse counts. It also passes undecryptable ones over silently,
    // so a forgery could pass for an answer: that only keeps the old session, the safe side.
    probe_waiting_ = false;
    if (probe_pings_left_ > 0) stop_probe_pings();
    owner_.handler().on_probe_answered(handle_);
  }
}

Connection::ReadMark Connection::read_mark() const {
  ReadMark mark;
  mark.settled = is_server_ && has_opened(state_) && tls_ == nullptr;
  if (!mark.settled) return mark;
  mark.expiry = ngtcp2_conn_get_expiry(conn_);
  if (stream_id_ >= 0) mark.stream_losses = ngtcp2_conn_get_stream_loss_count(conn_, stream_id_);
  return mark;
}

// Whether the packet just read left ngtcp2 something to send at once. Most packets a server
// reads once a session runs are the client's ACKs, which ask for nothing: a write after each (an
// empty ngtcp2_conn_writev_stream and a timer re-armed) was work per datagram for nothing, and it
// sent our pending ACK alone where the next packet we write would carry it. What a read can
// leave to send at once: anything during the handshake, a deadline that came earlier (an
// ACK-eliciting packet starts the ACK delay; a loss timer moved up), lost stream data to send
// again, or our own data that waited for congestion or flow-control room. A deadline that was
// already set stays the expiry timer's (rearm_timer armed it, at least 1 ms ahead), and so do
// lost control frames (ngtcp2's lost-packet expiry, a PTO after the loss, writes them). Clients
// always write: their liveness check runs after each write (connection_liveness.cc).
bool Connection::read_needs_write(const ReadMark& before) const {
  if (!before.settled || !is_live(state_)) return true;
  if (send_offset_ < queue_end_ || (fin_wanted_ && !fin_sent_)) return true;
  if (ngtcp2_conn_get_expiry(conn_) < before.expiry) return true;
  return stream_id_ >= 0 &&
         ngtcp2_conn_get_stream_loss_count(conn_, stream_id_) != before.stream_losses;
}

bool Connection::send(const SharedBytes& pdu, bool replaceable) {
  if (!takes_data(state_) || fin_wanted_) return false;
  if (pdu == nullptr || pdu->empty()) return true;
  owner_.conn_dirty(*this);
  if (replaceable && replaceable_offset_ && *replaceable_offset_ >= send_offset_ &&
      replace_unsent(*replaceable_offset_, pdu)) {
    return true;
  }
  std::uint64_t size = pdu->size();
  // One-PDU-per-packet peers need each PDU in its own write: only the others get merged copies.
  if (!replaceable && state_ == ConnState::Open && !one_pdu_per_packet_ && size <= kMaxCopiedPdu &&
      merge_small(*pdu)) {
    queue_end_ += size;
    return true;
  }
  if (replaceable) replaceable_offset_ = queue_end_;
  queue_.push_back(Chunk{pdu, {}, queue_end_});
  queue_end_ += size;
  return true;
}

// Copies a small PDU behind the unsent bytes of the tail chunk, so that both leave in one STREAM
// frame. A PDU with nothing unsent before it stays shared: a copy would save no frame, and with
// many connections the copies cost cache misses.
bool Connection::merge_small(std::string_view pdu) {
  if (send_offset_ >= queue_end_) return false;  // nothing unsent to merge with
  Chunk& tail = queue_.back();
  if (tail.pdu != nullptr) {
    // Only a small PDU that ngtcp2 has not seen (its bytes may still move) and that is not the
    // replaceable one (it must stay swappable) becomes a block.
    bool is_replaceable = replaceable_offset_ && *replaceable_offset_ == tail.offset;
    if (tail.offset < send_offset_ || tail.pdu->size() > kMaxCopiedPdu || is_replaceable)
      return false;
    const std::size_t n = queue_.size();
    if (n >= 2 && queue_[n - 2].pdu == nullptr &&
        queue_[n - 2].block.size() + tail.pdu->size() + pdu.size() <=
            queue_[n - 2].block.capacity()) {
      // The block before it (contiguous in the stream) has room: reuse it, no new block.
      queue_[n - 2].block.append(*tail.pdu);
      queue_.pop_back();
      send_index_ = std::min(send_index_, queue_.size() - 1);  // it has unsent bytes again
    } else {
      std::string block;
      block.reserve(kBlockBytes);
      block.append(*tail.pdu);
      tail.block = std::move(block);
      tail.pdu.reset();
    }
  } else if (tail.block.size() + pdu.size() > tail.block.capacity()) {
    queue_.push_back(Chunk{nullptr, {}, queue_end_});
    queue_.back().block.reserve(kBlockBytes);
  }
  queue_.back().block.append(pdu);  // within capacity: the bytes ngtcp2 holds do not move
  return true;
}

// Swaps the unsent chunk at `offset` for `pdu`. Nothing from there on has been given to ngtcp2,
// so the later chunks' offsets may shift.
bool Connection::replace_unsent(std::uint64_t offset, const SharedBytes& pdu) {
  auto it =
      std::lower_bound(queue_.begin() + static_cast<std::ptrdiff_t>(send_index_), queue_.end(),
                       offset, [](const Chunk& c, std::uint64_t off) { return c.offset < off; });
  if (it == queue_.end() || it->offset != offset || it->pdu == nullptr) return false;
  const std::uint64_t old_size = it->pdu->size();
  const std::uint64_t new_size = pdu->size();
  it->pdu = pdu;
  for (auto later = it + 1; later != queue_.end(); ++later) {
    later->offset = later->offset - old_size + new_size;
  }
  queue_end_ = queue_end_ - old_size + new_size;
  return true;
}

void Connection::finish_stream() {
  if (!takes_data(state_) || fin_wanted_) return;
  fin_wanted_ = true;
  owner_.conn_dirty(*this);
}

void Connection::close(std::uint64_t app_error_code, std::string_view reason) {
  if (!apply(ConnEvent::CloseCalled)) return;  // closing already
  close_code_ = app_error_code;
  // The reason phrase must fit in one packet beside the frame's other fields.
  close_reason_ = std::string(reason.substr(0, kMaxReasonBytes));
  arm_close_timer();
  owner_.conn_dirty(*this);
}

namespace {

std::uint64_t last_ack_eliciting_tx(ngtcp2_conn* conn) {
  ngtcp2_conn_stat stat;
  ngtcp2_conn_get_conn_stat(conn, &stat);
  return stat.last_tx_pkt_ts[NGTCP2_PKTNS_ID_APPLICATION];
}

}  // namespace

// ngtcp2 0.12 has no call that sends a PING; its keep-alive timer sends one in an otherwise
// empty packet once it expires. Set to its minimum it expires at once (or a nanosecond after
// the last packet). A lone PING is never retransmitted, so while no answer has come the timer
// sends another every PTO (at least kProbePingInterval apart), kProbePings in all.
bool Connection::probe() {
  if (!takes_data(state_) || !has_opened(state_)) return false;
  probe_waiting_ = true;
  probe_pings_left_ = kProbePings;
  probe_last_tx_ = last_ack_eliciting_tx(conn_);
  ngtcp2_conn_set_keep_alive_timeout(conn_, 1);
  owner_.conn_dirty(*this);
  return true;
}

void Connection::after_probe_ping() {
  const std::uint64_t last_tx = last_ack_eliciting_tx(conn_);
  if (last_tx == probe_last_tx_) return;  // nothing ack-eliciting left yet
  probe_last_tx_ = last_tx;
  if (--probe_pings_left_ == 0) return stop_probe_pings();
  ngtcp2_conn_set_keep_alive_timeout(
      conn_, std::max(ngtcp2_conn_get_pto(conn_), to_ns(kProbePingInterval)));
}

void Connection::stop_probe_pings() {
  probe_pings_left_ = 0;
  ngtcp2_conn_set_keep_alive_timeout(conn_, 0);  // our default: no keep-alive
}

void Connection::flush() {
  if (!is_live(state_)) return;
  if (!owner_.conn_can_send(*this)) {
    owner_.conn_dirty(*this);
    return;
  }
  bool drained = write_packets();
  if (!is_live(state_)) return;
  if (probe_pings_left_ > 0) after_probe_ping();
  if (!drained) {
    owner_.conn_dirty(*this);  // the endpoint flushes again once the socket is writable
  } else if (queue_acked()) {
    // The lifecycle sends it only when close() queued one.
    send_queued_close(ConnEvent::QueueAcked);
  }
  if (is_live(state_)) check_liveness();
  if (is_live(state_)) rearm_timer();
}

std::size_t Connection::gather(ngtcp2_vec* vecs, std::size_t max) const {
  std::size_t n = 0;
  for (std::size_t i = send_index_; i < queue_.size() && n < max; ++i) {
    const Chunk& c = queue_[i];
    if (c.end() <= send_offset_) continue;
    std::uint64_t skip = send_offset_ > c.offset ? send_offset_ - c.offset : 0;
    std::string_view bytes = c.data();
    vecs[n].base = reinterpret_cast<std::uint8_t*>(const_cast<char*>(bytes.data())) + skip;
    vecs[n].len = static_cast<std::size_t>(bytes.size() - skip);
    ++n;
  }
  return n;
}

void Connection::consume(std::uint64_t n) {
  send_offset_ += n;
  while (send_index_ < queue_.size() && queue_[send_index_].end() <= send_offset_) {
    ++send_index_;
  }
}

namespace {

// The datagrams of one write loop. In place (the server): each packet is written straight into
// the socket's queue, which builds the GSO runs. Otherwise they are gathered here and sent
// together: one GSO run needs equal-size datagrams (only the last may be shorter) on one path.
class DatagramBatch {
 public:
  DatagramBatch(ConnectionOwner& owner, Connection& conn, std::size_t max_packet)
      : owner_(owner),
        conn_(conn),
        max_packet_(max_packet),
        in_place_(owner.conn_writes_in_place()),
        buf_(tx_buffer()) {
    ngtcp2_path_storage_zero(&path_);
  }

  // Room for one more datagram of max_packet bytes; nullptr when the socket is blocked.
  std::uint8_t* slot() {
    if (!in_place_) return buf_.data() + used_;
    if (slot_ == nullptr) slot_ = owner_.conn_slot(conn_, max_packet_);
    if (slot_ == nullptr) ok_ = false;
    return slot_;
  }
  bool ok() const { return ok_; }
  std::size_t datagrams() const { return datagrams_; }

  // The datagram of `size` bytes that was just written at slot() joins the batch.
  void commit(const ngtcp2_path& path, std::size_t size) {
    ++datagrams_;
    if (in_place_) {
      slot_ = nullptr;
      if (!owner_.conn_commit(conn_, path, size)) ok_ = false;
      return;
    }
    if (count_ > 0 && (size > segment_ || !ngtcp2_path_eq(&path_.path, &path))) {
      std::vector<std::uint8_t> datagram(slot(), slot() + size);
      send();
      std::memcpy(buf_.data(), datagram.data(), size);
    }
    if (count_ == 0) {
      segment_ = size;
      ngtcp2_path_copy(&path_.path, &path);
    }
    used_ += size;
    ++count_;
    if (size < segment_ || count_ == kMaxPacketsPerBatch) send();
  }

  void send() {
    if (count_ > 0 && ok_) ok_ = owner_.conn_send(conn_, path_.path, buf_.data(), used_, segment_);
    used_ = 0;
    count_ = 0;
  }

 private:
  ConnectionOwner& owner_;
  Connection& conn_;
  const std::size_t max_packet_;
  const bool in_place_;
  std::uint8_t* slot_ = nullptr;  // in place: where the packet being written goes
  std::vector<std::uint8_t>& buf_;
  ngtcp2_path_storage path_;
  std::size_t used_ = 0;
  std::size_t segment_ = 0;
  std::size_t count_ = 0;
  std::size_t datagrams_ = 0;  // committed by this write loop
  bool ok_ = true;  // false: the socket blocked; the rest waits for writability
};

bool stream_unwritable(ngtcp2_ssize rv) {
  return rv == NGTCP2_ERR_STREAM_DATA_BLOCKED || rv == NGTCP2_ERR_STREAM_SHUT_WR ||
         rv == NGTCP2_ERR_STREAM_NOT_FOUND;
}

}  // namespace

// Returns false when the socket blocked (the rest is written when it is writable again).
bool Connection::write_packets() {
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  bool stream_blocked = false;
  const std::size_t max_packet =
      std::min(ngtcp2_conn_get_path_max_tx_udp_payload_size(conn_), kMaxUdpPayload);
  DatagramBatch batch(owner_, *this, max_packet);
  while (batch.ok()) {
    ngtcp2_vec vecs[kMaxVecs];
    std::size_t nvec = 0;
    std::int64_t sid = -1;
    std::uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_NONE;
    if (!stream_blocked && stream_id_ >= 0 && send_offset_ < queue_end_) {
      // One-PDU-per-packet peers parse one PDU per receive: one PDU's bytes per stream write
      // and per packet. The others get as many PDUs per packet as fit.
      nvec = gather(vecs, one_pdu_per_packet_ ? 1 : kMaxVecs);
      sid = stream_id_;
      if (!one_pdu_per_packet_) flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
    } else if (!stream_blocked && stream_id_ >= 0 && fin_wanted_ && !fin_sent_) {
      sid = stream_id_;  // everything queued is written: the FIN alone
      flags = NGTCP2_WRITE_STREAM_FLAG_FIN;
    }
    std::uint8_t* out = batch.slot();
    if (out == nullptr) break;  // blocked
    ngtcp2_pkt_info pi{};
    ngtcp2_ssize accepted = -1;
    ngtcp2_ssize n = ngtcp2_conn_writev_stream(conn_, &ps.path, &pi, out, max_packet, &accepted,
                                               flags, sid, vecs, nvec, now_ts());
    if (accepted > 0) consume(static_cast<std::uint64_t>(accepted));
    if (accepted >= 0 && (flags & NGTCP2_WRITE_STREAM_FLAG_FIN) != 0) fin_sent_ = true;
    if (n == NGTCP2_ERR_WRITE_MORE) continue;
    if (stream_unwritable(n)) {
      stream_blocked = true;
      continue;
    }
    if (n < 0) {
      batch.send();
      fail_with(static_cast<int>(n));
      return false;
    }
    if (n == 0) break;
    batch.commit(ps.path, static_cast<std::size_t>(n));
  }
  batch.send();
  Stats& stats = owner_.conn_stats();
  ++stats.conn_writes;
  if (batch.datagrams() == 0) ++stats.conn_writes_empty;
  return batch.ok();
}

Result<void> Connection::migrate(const SockAddr& new_local) {
  if (!has_opened(state_)) return fail("state", "only an open connection can migrate");
  ngtcp2_path path{{const_cast<sockaddr*>(new_local.get()), new_local.len},
                   {const_cast<sockaddr*>(remote_.get()), remote_.len},
                   nullptr};
  int rv = ngtcp2_conn_initiate_immediate_migration(conn_, &path, now_ts());  // copies the path
  if (rv != 0) return fail("migration", std::string("cannot migrate: ") + ngtcp2_strerror(rv));
  local_ = new_local;
  owner_.conn_dirty(*this);
  return {};
}

}  // namespace qc::quic
