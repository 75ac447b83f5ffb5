// Connection: the close state machine (closing, draining, dead) and the expiry timer.
#include <ngtcp2/ngtcp2_crypto.h>

#include "quic/connection.h"
#include "quic/connection_internal.h"
#include "util/log.h"

namespace qc::quic {
namespace {

using detail::kMaxUdpPayload;

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

}  // namespace

void Connection::send_close() {
  ngtcp2_connection_close_error ccerr;
  ngtcp2_connection_close_error_default(&ccerr);
  ngtcp2_connection_close_error_set_application_error(
      &ccerr, close_code_, reinterpret_cast<const std::uint8_t*>(close_reason_.data()),
      close_reason_.size());
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
  owner_.conn_send(*this, ps.path, close_packet_.data(), close_packet_.size(),
                   close_packet_.size());
  enter(ConnState::Closing);
}

void Connection::fail_with(int liberr) {
  if (liberr == NGTCP2_ERR_DROP_CONN || liberr == NGTCP2_ERR_RETRY) {
    report_closed(CloseKind::Error, 0,
                  std::string("connection dropped: ") + ngtcp2_strerror(liberr));
    enter(ConnState::Dead);
    return;
  }
  ngtcp2_connection_close_error ccerr;
  ngtcp2_connection_close_error_default(&ccerr);
  CloseKind kind = CloseKind::Error;
  std::string reason = std::string("transport error: ") + ngtcp2_strerror(liberr);
  if (liberr == NGTCP2_ERR_CRYPTO) {
    ngtcp2_connection_close_error_set_transport_error_tls_alert(
        &ccerr, ngtcp2_conn_get_tls_alert(conn_), nullptr, 0);
    if (!opened_) {
      kind = CloseKind::HandshakeFailed;
      reason =
          tls_->failure_reason(ngtcp2_conn_get_tls_error(conn_), ngtcp2_conn_get_tls_alert(conn_));
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
  log::info("quic_close", {{"scid", peer_.scid},
                           {"peer", peer_.address},
                           {"kind", close_kind_name(kind)},
                           {"code", code},
                           {"reason", reason}});
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
  // A later deadline keeps the armed timer: it fires early once, handle_expiry() finds
  // nothing due, and the flush after it arms the real one. Far fewer timer churns.
  if (timer_ != 0 && timer_at_ <= expiry) return;
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

}  // namespace qc::quic
