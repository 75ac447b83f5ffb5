// Connection: carrying out the lifecycle table (quic/lifecycle.h) — close reports, our
// CONNECTION_CLOSE, the linger timer, retiring — and the expiry timer.
#include <ngtcp2/ngtcp2_crypto.h>

#include <algorithm>

#include "quic/connection.h"
#include "quic/connection_internal.h"
#include "util/log.h"

namespace qc::quic {

using detail::kMaxUdpPayload;
using detail::kMinTimerDelayNs;

bool Connection::apply(ConnEvent event, CloseInfo closed,
                       const ngtcp2_connection_close_error* ccerr) {
  const std::optional<Step> step = next_step(state_, event);
  if (!step) return false;
  if (step->leaves_live) {
    owner_.conn_closed(*this);  // it still sees the state being left
    cancel_close_timer();
  }
  state_ = step->next;
  cancel_timer();
  if (!is_live(state_)) cancel_liveness_timer();
  if (step->linger) arm_linger();
  if (step->retire) owner_.conn_retire(*this);
  if (step->report == Report::Closed || step->report == Report::ClosedUnopened)
    report_closed(step->report, std::move(closed));
  if (step->send_close && ccerr != nullptr) write_close(*ccerr);
  return true;
}

void Connection::arm_linger() {
  auto linger = std::chrono::nanoseconds(3 * ngtcp2_conn_get_pto(conn_));
  timer_ = owner_.loop().add_timer(owner_.loop().now() + linger, [this] {
    timer_ = 0;
    apply(ConnEvent::LingerOver);
  });
}

void Connection::write_close(const ngtcp2_connection_close_error& ccerr) {
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_pkt_info pi{};
  close_packet_.resize(kMaxUdpPayload);
  ngtcp2_ssize n = ngtcp2_conn_write_connection_close(conn_, &ps.path, &pi, close_packet_.data(),
                                                      close_packet_.size(), &ccerr, now_ts());
  if (n <= 0) {
    apply(ConnEvent::CloseUnsendable);
    return;
  }
  close_packet_.resize(static_cast<std::size_t>(n));
  owner_.conn_send(*this, ps.path, close_packet_.data(), close_packet_.size(),
                   close_packet_.size());
}

// The peer acknowledged everything queued before close(), or the close timeout passed: our
// application CONNECTION_CLOSE goes now.
void Connection::send_queued_close(ConnEvent event) {
  ngtcp2_connection_close_error ccerr;
  ngtcp2_connection_close_error_default(&ccerr);
  ngtcp2_connection_close_error_set_application_error(
      &ccerr, close_code_, reinterpret_cast<const std::uint8_t*>(close_reason_.data()),
      close_reason_.size());
  apply(event, CloseInfo{CloseKind::Local, close_code_, close_reason_}, &ccerr);
}

void Connection::arm_close_timer() {
  cancel_close_timer();
  close_timer_ = owner_.loop().add_timer(owner_.loop().now() + close_timeout_, [this] {
    close_timer_ = 0;
    log::info("quic_close_timeout",
              {{"scid", peer_.scid}, {"peer", peer_.address}, {"unacked_bytes", queued_bytes()}});
    send_queued_close(ConnEvent::CloseTimeout);
  });
}

void Connection::cancel_close_timer() {
  if (close_timer_ != 0) owner_.loop().cancel_timer(close_timer_);
  close_timer_ = 0;
}

void Connection::fail_with(int liberr) {
  if (liberr == NGTCP2_ERR_DROP_CONN || liberr == NGTCP2_ERR_RETRY) {
    apply(ConnEvent::Dropped,
          CloseInfo{CloseKind::Error, 0,
                    std::string("connection dropped: ") + ngtcp2_strerror(liberr)});
    return;
  }
  ngtcp2_connection_close_error ccerr;
  ngtcp2_connection_close_error_default(&ccerr);
  CloseKind kind = CloseKind::Error;
  std::string reason = std::string("transport error: ") + ngtcp2_strerror(liberr);
  if (liberr == NGTCP2_ERR_CRYPTO) {
    ngtcp2_connection_close_error_set_transport_error_tls_alert(
        &ccerr, ngtcp2_conn_get_tls_alert(conn_), nullptr, 0);
    if (!has_opened(state_) && tls_ != nullptr) {
      kind = CloseKind::HandshakeFailed;
      reason =
          tls_->failure_reason(ngtcp2_conn_get_tls_error(conn_), ngtcp2_conn_get_tls_alert(conn_));
    }
  } else {
    ngtcp2_connection_close_error_set_transport_error_liberr(&ccerr, liberr, nullptr, 0);
  }
  log::warn("quic_conn_error", {{"scid", peer_.scid}, {"peer", peer_.address}, {"reason", reason}});
  apply(ConnEvent::LocalError, CloseInfo{kind, 0, reason}, &ccerr);
}

void Connection::enter_draining() {
  ngtcp2_connection_close_error ccerr;
  ngtcp2_conn_get_connection_close_error(conn_, &ccerr);
  std::string reason(reinterpret_cast<const char*>(ccerr.reason), ccerr.reasonlen);
  apply(ConnEvent::PeerClosed, detail::classify_peer_close(ccerr, reason, has_opened(state_)));
}

// Runs inside ngtcp2_conn_read_pkt, which then answers NGTCP2_ERR_DRAINING: the lifecycle is
// already Draining by then, so enter_draining() finds nothing to do.
void Connection::on_stateless_reset() {
  apply(ConnEvent::PeerClosed,
        CloseInfo{CloseKind::StatelessReset, 0, "stateless reset from peer"});
}

void Connection::report_closed(Report report, CloseInfo info) {
  info.stream_acked = acked_offset_;
  const bool quiet = info.kind == CloseKind::Local &&
                     std::find(quiet_close_codes_.begin(), quiet_close_codes_.end(),
                               info.app_error_code) != quiet_close_codes_.end();
  const log::Level level = quiet ? log::Level::Debug : log::Level::Info;
  if (log::enabled(level)) {
    log::write(level, "quic_close",
               {{"scid", peer_.scid},
                {"peer", peer_.address},
                {"kind", close_kind_name(info.kind)},
                {"code", info.app_error_code},
                {"reason", info.reason}});
  }
  if (handler_hears(report, is_server_)) owner_.handler().on_closed(handle_, info);
}

void Connection::on_expiry() {
  timer_ = 0;
  timer_at_ = UINT64_MAX;
  ++owner_.conn_stats().conn_timer_fires;
  if (!is_live(state_)) return;
  // rearm_timer() keeps a timer armed for an earlier deadline (a loss timer that an ACK has
  // since cancelled, say): when nothing is due it only arms the real one, and writes nothing.
  if (ngtcp2_conn_get_expiry(conn_) > now_ts()) return rearm_timer();
  int rv = ngtcp2_conn_handle_expiry(conn_, now_ts());
  if (rv == NGTCP2_ERR_IDLE_CLOSE) {
    // A close was decided and waits for acknowledgements that the silence says will not come:
    // it goes now (a peer that merely stopped reading still learns why), not silently.
    if (close_timer_ != 0) {
      send_queued_close(ConnEvent::CloseTimeout);
      return;
    }
    apply(ConnEvent::Dropped, CloseInfo{CloseKind::IdleTimeout, 0, "idle timeout"});
    return;
  }
  if (rv == NGTCP2_ERR_HANDSHAKE_TIMEOUT) {
    apply(ConnEvent::Dropped, CloseInfo{CloseKind::HandshakeTimeout, 0, "handshake timeout"});
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
  // ngtcp2 0.12 delays an ACK by min(max_ack_delay, srtt / 8): a few microseconds on loopback,
  // already past when the loop computes its sleep. Each packet then cost a loop turn of its own
  // and an ACK-only packet. A deadline that is not yet due waits at least 1 ms (well
  // below our max_ack_delay of 25 ms, so the peer's loss detection allows it): delayed ACKs ride
  // on the next packet we write. Loss timers are at least 1 ms (kGranularity) and due ones still
  // fire at once.
  const std::uint64_t now = now_ts();
  if (expiry > now && expiry - now < kMinTimerDelayNs) expiry = now + kMinTimerDelayNs;
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
