// Connection: creation, reading, the write loop and the close state machine.
// The ngtcp2 callback trampolines live in connection_callbacks.cc.
#include "quic/connection.h"

#include <ngtcp2/ngtcp2_crypto.h>

#include <algorithm>
#include <cstring>

#include "quic/connection_internal.h"
#include "util/log.h"

namespace qc::quic {
namespace {

constexpr std::uint64_t kStreamWindow = 1024 * 1024;
constexpr std::uint64_t kConnWindow = 4 * 1024 * 1024;
constexpr std::size_t kMaxUdpPayload = 1452;
constexpr std::size_t kMaxPacketsPerBatch = 40;  // 40 * 1452 < 64 KiB, the GSO limit
constexpr std::size_t kMaxVecs = 16;

std::uint64_t to_ns(std::chrono::milliseconds ms) {
  return static_cast<std::uint64_t>(ms.count()) * NGTCP2_MILLISECONDS;
}

// Transition table: which states may follow which.
bool allowed(ConnState from, ConnState to) {
  switch (from) {
    case ConnState::Handshaking:
      return to != ConnState::Handshaking;
    case ConnState::Open:
      return to == ConnState::Closing || to == ConnState::Draining || to == ConnState::Dead;
    case ConnState::Closing:
    case ConnState::Draining:
      return to == ConnState::Dead;
    case ConnState::Dead:
      return false;
  }
  return false;
}

std::vector<std::uint8_t>& tx_buffer() {
  static thread_local std::vector<std::uint8_t> buf(kMaxPacketsPerBatch * kMaxUdpPayload + kMaxUdpPayload);
  return buf;
}

}  // namespace

std::string cid_hex(const ngtcp2_cid& cid) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < cid.datalen; ++i) (out += kHex[cid.data[i] >> 4]) += kHex[cid.data[i] & 15];
  return out;
}

Connection::Connection(ConnectionOwner& owner, const ConnConfig& cfg)
    : owner_(owner), handle_(cfg.handle), is_server_(cfg.is_server), tls_ctx_(cfg.tls),
      local_(cfg.local), remote_(cfg.remote) {
  peer_.address = cfg.remote.to_string();
  peer_.scid = cid_hex(cfg.scid);
}

Result<std::unique_ptr<Connection>> Connection::create(ConnectionOwner& owner, const ConnConfig& cfg) {
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
    std::string path = cfg.qlog_dir + "/" + peer_.scid + ".sqlog";
    qlog_ = std::fopen(path.c_str(), "w");
    if (qlog_ == nullptr) log::warn("qlog_open_failed", {{"path", path}});
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
                   {const_cast<sockaddr*>(remote_.get()), remote_.len}, nullptr};
  const ngtcp2_callbacks& cbs = is_server_ ? detail::server_callbacks() : detail::client_callbacks();
  int rv = is_server_ ? ngtcp2_conn_server_new(&conn_, &cfg.dcid, &cfg.scid, &path, cfg.version, &cbs,
                                               &settings, &params, nullptr, this)
                      : ngtcp2_conn_client_new(&conn_, &cfg.dcid, &cfg.scid, &path, cfg.version, &cbs,
                                               &settings, &params, nullptr, this);
  if (rv != 0) return fail("ngtcp2", std::string("ngtcp2_conn_new: ") + ngtcp2_strerror(rv));

  tls_ref_.conn_ref.get_conn = detail::get_conn;
  tls_ref_.conn_ref.user_data = this;
  tls_ref_.keylog = tls_ctx_->keylog.get();
  auto session = is_server_ ? tls::Session::create_server(*tls_ctx_, &tls_ref_)
                            : tls::Session::create_client(*tls_ctx_, &tls_ref_, cfg.verify_name);
  if (!session) return Unexpected{session.error()};
  tls_ = std::move(*session);
  ngtcp2_conn_set_tls_native_handle(conn_, tls_->native());
  return {};
}

Connection::~Connection() {
  cancel_timer();
  if (conn_ != nullptr) ngtcp2_conn_del(conn_);
  tls_.reset();
  if (qlog_ != nullptr) std::fclose(qlog_);
}

std::uint64_t Connection::now_ts() const {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(owner_.loop().now().time_since_epoch());
  return static_cast<std::uint64_t>(ns.count());
}

void Connection::on_datagram(const ngtcp2_path& path, const std::uint8_t* data, std::size_t len) {
  if (state_ == ConnState::Closing) {
    // Every packet from a peer that has not seen our close yet is answered with it again.
    owner_.conn_send(*this, *ngtcp2_conn_get_path(conn_), close_packet_.data(), close_packet_.size(),
                     close_packet_.size());
    return;
  }
  if (state_ != ConnState::Handshaking && state_ != ConnState::Open) return;
  ngtcp2_pkt_info pi{};
  int rv = ngtcp2_conn_read_pkt(conn_, &path, &pi, data, len, now_ts());
  if (rv == NGTCP2_ERR_DRAINING) {
    enter_draining();
    return;
  }
  if (rv != 0) {
    fail_with(rv);
    return;
  }
  owner_.conn_dirty(*this);
}

bool Connection::send(SharedBytes pdu) {
  if (close_requested_ || (state_ != ConnState::Handshaking && state_ != ConnState::Open)) return false;
  if (pdu == nullptr || pdu->empty()) return true;
  std::uint64_t size = pdu->size();
  queue_.push_back(Chunk{std::move(pdu), queue_end_});
  queue_end_ += size;
  owner_.conn_dirty(*this);
  return true;
}

void Connection::close(std::uint64_t app_error_code, std::string_view reason) {
  if (close_requested_ || (state_ != ConnState::Handshaking && state_ != ConnState::Open)) return;
  close_requested_ = true;
  close_code_ = app_error_code;
  close_reason_ = std::string(reason);
  owner_.conn_dirty(*this);
}

void Connection::flush() {
  if (state_ != ConnState::Handshaking && state_ != ConnState::Open) return;
  if (!owner_.conn_can_send(*this)) return;
  if (!write_packets()) return;
  if (close_requested_ && (state_ == ConnState::Handshaking || state_ == ConnState::Open)) send_close();
  if (state_ == ConnState::Handshaking || state_ == ConnState::Open) rearm_timer();
}

std::size_t Connection::gather(ngtcp2_vec* vecs, std::size_t max) const {
  std::size_t n = 0;
  for (std::size_t i = send_index_; i < queue_.size() && n < max; ++i) {
    const Chunk& c = queue_[i];
    std::uint64_t end = c.offset + c.bytes->size();
    if (end <= send_offset_) continue;
    std::uint64_t skip = send_offset_ > c.offset ? send_offset_ - c.offset : 0;
    vecs[n].base = reinterpret_cast<std::uint8_t*>(const_cast<char*>(c.bytes->data())) + skip;
    vecs[n].len = static_cast<std::size_t>(c.bytes->size() - skip);
    ++n;
  }
  return n;
}

void Connection::consume(std::uint64_t n) {
  send_offset_ += n;
  while (send_index_ < queue_.size() &&
         queue_[send_index_].offset + queue_[send_index_].bytes->size() <= send_offset_) {
    ++send_index_;
  }
}

// Returns false when the socket blocked (the rest is written when it is writable again).
bool Connection::write_packets() {
  std::vector<std::uint8_t>& buf = tx_buffer();
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_path_storage batch_path;
  ngtcp2_path_storage_zero(&batch_path);
  std::size_t used = 0;
  std::size_t segment = 0;
  std::size_t count = 0;
  bool stream_blocked = false;
  bool socket_ok = true;
  auto send_batch = [&] {
    if (count > 0 && socket_ok) socket_ok = owner_.conn_send(*this, batch_path.path, buf.data(), used, segment);
    used = 0;
    count = 0;
  };
  const std::size_t max_packet = std::min(ngtcp2_conn_get_path_max_tx_udp_payload_size(conn_), kMaxUdpPayload);
  while (socket_ok) {
    ngtcp2_vec vecs[kMaxVecs];
    std::size_t nvec = 0;
    std::int64_t sid = -1;
    std::uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_NONE;
    if (!stream_blocked && stream_id_ >= 0 && send_offset_ < queue_end_) {
      // echo-protocol peers parse one PDU per receive: one PDU's bytes per stream write and
      // per packet. quicchat peers get as many PDUs per packet as fit.
      nvec = gather(vecs, echo_mode_ ? 1 : kMaxVecs);
      sid = stream_id_;
      if (!echo_mode_) flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
    }
    ngtcp2_pkt_info pi{};
    ngtcp2_ssize accepted = -1;
    ngtcp2_ssize n = ngtcp2_conn_writev_stream(conn_, &ps.path, &pi, buf.data() + used, max_packet, &accepted,
                                               flags, sid, vecs, nvec, now_ts());
    if (n < 0) {
      if (n == NGTCP2_ERR_WRITE_MORE) {
        consume(static_cast<std::uint64_t>(accepted));
        continue;
      }
      if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED || n == NGTCP2_ERR_STREAM_SHUT_WR ||
          n == NGTCP2_ERR_STREAM_NOT_FOUND) {
        stream_blocked = true;
        continue;
      }
      send_batch();
      fail_with(static_cast<int>(n));
      return false;
    }
    if (accepted > 0) consume(static_cast<std::uint64_t>(accepted));
    if (n == 0) break;
    auto size = static_cast<std::size_t>(n);
    if (owner_.conn_drop_tx(*this)) continue;  // test hook: this datagram is "lost" on the wire
    if (count > 0 && (size > segment || !ngtcp2_path_eq(&batch_path.path, &ps.path))) {
      std::vector<std::uint8_t> packet(buf.begin() + static_cast<std::ptrdiff_t>(used),
                                       buf.begin() + static_cast<std::ptrdiff_t>(used + size));
      send_batch();
      std::memcpy(buf.data(), packet.data(), size);
    }
    if (count == 0) {
      segment = size;
      ngtcp2_path_copy(&batch_path.path, &ps.path);
    }
    used += size;
    ++count;
    // A datagram shorter than the segment size must be the batch's last (GSO rule).
    if (size < segment || count == kMaxPacketsPerBatch) send_batch();
  }
  send_batch();
  return socket_ok;
}

void Connection::send_close() {
  ngtcp2_connection_close_error ccerr;
  ngtcp2_connection_close_error_default(&ccerr);
  ngtcp2_connection_close_error_set_application_error(
      &ccerr, close_code_, reinterpret_cast<const std::uint8_t*>(close_reason_.data()), close_reason_.size());
  report_closed(CloseKind::Local, close_code_, close_reason_);
  write_close(ccerr);
}

void Connection::write_close(const ngtcp2_connection_close_error& ccerr) {
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_pkt_info pi{};
  close_packet_.resize(kMaxUdpPayload);
  ngtcp2_ssize n = ngtcp2_conn_write_connection_close(conn_, &ps.path, &pi, close_packet_.data(),
                                                      close_packet_.size(), &ccerr, now_ts());
  if (n <= 0) {
    enter(ConnState::Dead);
    return;
  }
  close_packet_.resize(static_cast<std::size_t>(n));
  owner_.conn_send(*this, ps.path, close_packet_.data(), close_packet_.size(), close_packet_.size());
  enter(ConnState::Closing);
}

void Connection::fail_with(int liberr) {
  if (liberr == NGTCP2_ERR_DROP_CONN || liberr == NGTCP2_ERR_RETRY) {
    report_closed(CloseKind::Error, 0, std::string("connection dropped: ") + ngtcp2_strerror(liberr));
    enter(ConnState::Dead);
    return;
  }
  ngtcp2_connection_close_error ccerr;
  ngtcp2_connection_close_error_default(&ccerr);
  CloseKind kind = CloseKind::Error;
  std::string reason = std::string("transport error: ") + ngtcp2_strerror(liberr);
  if (liberr == NGTCP2_ERR_CRYPTO) {
    ngtcp2_connection_close_error_set_transport_error_tls_alert(&ccerr, ngtcp2_conn_get_tls_alert(conn_), nullptr, 0);
    if (!opened_) {
      kind = CloseKind::HandshakeFailed;
      reason = tls_->failure_reason(ngtcp2_conn_get_tls_error(conn_), ngtcp2_conn_get_tls_alert(conn_));
    }
  } else {
    ngtcp2_connection_close_error_set_transport_error_liberr(&ccerr, liberr, nullptr, 0);
  }
  log::warn("quic_conn_error", {{"scid", peer_.scid}, {"peer", peer_.address}, {"reason", reason}});
  report_closed(kind, 0, reason);
  write_close(ccerr);
}

void Connection::enter_draining() {
  ngtcp2_connection_close_error ccerr;
  ngtcp2_conn_get_connection_close_error(conn_, &ccerr);
  std::string reason(reinterpret_cast<const char*>(ccerr.reason), ccerr.reasonlen);
  CloseInfo info = detail::classify_peer_close(ccerr, reason, opened_, stateless_reset_);
  report_closed(info.kind, info.app_error_code, info.reason);
  enter(ConnState::Draining);
}

void Connection::enter(ConnState next) {
  if (!allowed(state_, next)) return;
  ConnState prev = state_;
  state_ = next;
  bool was_live = prev == ConnState::Handshaking || prev == ConnState::Open;
  bool is_live = next == ConnState::Handshaking || next == ConnState::Open;
  if (was_live && !is_live) owner_.conn_closed(*this);
  cancel_timer();
  switch (next) {
    case ConnState::Closing:
    case ConnState::Draining: {
      // RFC 9000 10.2: linger for three PTOs so late packets find us and are absorbed.
      auto linger = std::chrono::nanoseconds(3 * ngtcp2_conn_get_pto(conn_));
      timer_ = owner_.loop().add_timer(owner_.loop().now() + linger, [this] {
        timer_ = 0;
        enter(ConnState::Dead);
      });
      break;
    }
    case ConnState::Dead:
      owner_.conn_retire(*this);
      break;
    default:
      break;
  }
}

void Connection::report_closed(CloseKind kind, std::uint64_t code, std::string reason) {
  if (closed_reported_) return;
  closed_reported_ = true;
  log::info("quic_close", {{"scid", peer_.scid}, {"peer", peer_.address}, {"kind", close_kind_name(kind)},
                           {"code", code}, {"reason", reason}});
  // Server-side connections that never opened are invisible to the handler.
  if (!opened_ && is_server_) return;
  owner_.handler().on_closed(handle_, CloseInfo{kind, code, std::move(reason)});
}

void Connection::on_expiry() {
  timer_ = 0;
  timer_at_ = UINT64_MAX;
  if (state_ != ConnState::Handshaking && state_ != ConnState::Open) return;
  int rv = ngtcp2_conn_handle_expiry(conn_, now_ts());
  if (rv == NGTCP2_ERR_IDLE_CLOSE) {
    report_closed(CloseKind::IdleTimeout, 0, "idle timeout");
    enter(ConnState::Dead);
    return;
  }
  if (rv == NGTCP2_ERR_HANDSHAKE_TIMEOUT) {
    report_closed(CloseKind::HandshakeTimeout, 0, "handshake timeout");
    enter(ConnState::Dead);
    return;
  }
  if (rv != 0) {
    fail_with(rv);
    return;
  }
  owner_.conn_dirty(*this);
}

void Connection::rearm_timer() {
  ngtcp2_tstamp expiry = ngtcp2_conn_get_expiry(conn_);
  if (expiry == timer_at_ && timer_ != 0) return;
  cancel_timer();
  if (expiry == UINT64_MAX) return;
  timer_at_ = expiry;
  TimePoint when{std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(expiry))};
  timer_ = owner_.loop().add_timer(when, [this] { on_expiry(); });
}

void Connection::cancel_timer() {
  if (timer_ != 0) owner_.loop().cancel_timer(timer_);
  timer_ = 0;
  timer_at_ = UINT64_MAX;
}

Result<void> Connection::migrate(const SockAddr& new_local) {
  if (state_ != ConnState::Open) return fail("state", "only an open connection can migrate");
  local_ = new_local;
  ngtcp2_path path{{const_cast<sockaddr*>(local_.get()), local_.len},
                   {const_cast<sockaddr*>(remote_.get()), remote_.len}, nullptr};
  int rv = ngtcp2_conn_initiate_immediate_migration(conn_, &path, now_ts());
  if (rv != 0) return fail("migration", std::string("cannot migrate: ") + ngtcp2_strerror(rv));
  owner_.conn_dirty(*this);
  return {};
}

}  // namespace qc::quic
