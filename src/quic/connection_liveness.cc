// Connection: the client's liveness check. The idle timeout (minutes) is far too slow to notice
// a crashed or cut-off server, and ngtcp2 keeps retransmitting into the void until then. So
// while data is in flight and nothing has been read for max(liveness timeout, 3 PTO), the
// client gives up on the server and closes locally (CloseKind::PeerUnresponsive). Keep-alive
// PINGs put data in flight on an idle connection, so an idle user learns of it as well.
#include <algorithm>
#include <cstdio>

#include "quic/connection.h"
#include "util/log.h"

namespace qc::quic {

void Connection::init_liveness(const ConnConfig& cfg) {
  if (is_server_) return;
  if (cfg.keep_alive.count() > 0) {
    ngtcp2_conn_set_keep_alive_timeout(
        conn_, static_cast<ngtcp2_duration>(cfg.keep_alive.count()) * NGTCP2_MILLISECONDS);
  }
  liveness_ns_ = static_cast<std::uint64_t>(cfg.liveness_timeout.count()) * NGTCP2_MILLISECONDS;
}

// Runs after every flush (which follows every read and every expiry) and when its timer fires.
void Connection::check_liveness() {
  if (liveness_ns_ == 0 || !has_opened(state_)) return;
  ngtcp2_conn_stat cstat;
  ngtcp2_conn_get_conn_stat(conn_, &cstat);
  if (cstat.bytes_in_flight == 0) {
    in_flight_since_ = 0;
    cancel_liveness_timer();
    return;
  }
  const std::uint64_t now = now_ts();
  if (in_flight_since_ == 0) in_flight_since_ = now;
  // Silence counts from the later of the last packet read and the moment data went in flight:
  // a server that had nothing to say while we had nothing to send was not silent.
  const std::uint64_t silent_since = std::max(last_rx_ts_, in_flight_since_);
  const std::uint64_t deadline =
      silent_since + std::max(liveness_ns_, 3 * ngtcp2_conn_get_pto(conn_));
  if (now >= deadline) return close_unresponsive(now - silent_since);
  if (liveness_timer_ != 0 && liveness_at_ == deadline) return;
  cancel_liveness_timer();
  liveness_at_ = deadline;
  TimePoint when{std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(deadline))};
  liveness_timer_ = owner_.loop().add_timer(when, [this] {
    liveness_timer_ = 0;
    if (is_live(state_)) check_liveness();
  });
}

void Connection::close_unresponsive(std::uint64_t silent_ns) {
  char reason[64];
  std::snprintf(reason, sizeof reason, "server not responding for %.1f s",
                static_cast<double>(silent_ns) / 1e9);
  log::warn("quic_peer_unresponsive", {{"scid", peer_.scid}, {"peer", peer_.address}});
  // Our CONNECTION_CLOSE still goes out: a server that is only slow ends the session at once.
  ngtcp2_connection_close_error ccerr;
  ngtcp2_connection_close_error_default(&ccerr);
  apply(ConnEvent::LocalError, CloseInfo{CloseKind::PeerUnresponsive, 0, reason}, &ccerr);
}

void Connection::cancel_liveness_timer() {
  if (liveness_timer_ != 0) owner_.loop().cancel_timer(liveness_timer_);
  liveness_timer_ = 0;
}

}  // namespace qc::quic
