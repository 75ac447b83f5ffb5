#include "quic/lifecycle.h"

#include <array>

namespace qc::quic {
namespace {

using S = ConnState;
using E = ConnEvent;

struct Row {
  S from;
  E event;
  Step step;
};

constexpr Step to(S next, Report report = Report::None) { return Step{next, report}; }
constexpr Step closing(Report report) {
  return Step{S::Closing, report, /*send_close=*/true, /*linger=*/true, false, true};
}
constexpr Step draining(Report report) {
  return Step{S::Draining, report, false, /*linger=*/true, false, true};
}
constexpr Step dead(Report report) {
  return Step{S::Dead, report, false, false, /*retire=*/true, /*leaves_live=*/true};
}
constexpr Step freed() { return Step{S::Dead, Report::None, false, false, /*retire=*/true}; }

// Rows for the four live states: `report` is how a close is reported from there.
constexpr auto kRows = std::to_array<Row>({
    {S::Handshaking, E::HandshakeDone, to(S::Open, Report::Open)},
    {S::Handshaking, E::CloseCalled, to(S::HandshakingCloseQueued)},
    {S::Handshaking, E::LocalError, closing(Report::ClosedUnopened)},
    {S::Handshaking, E::Dropped, dead(Report::ClosedUnopened)},
    {S::Handshaking, E::PeerClosed, draining(Report::ClosedUnopened)},

    {S::Open, E::CloseCalled, to(S::OpenCloseQueued)},
    {S::Open, E::LocalError, closing(Report::Closed)},
    {S::Open, E::Dropped, dead(Report::Closed)},
    {S::Open, E::PeerClosed, draining(Report::Closed)},

    // The handshake may complete between close() and the flush that sends the close.
    {S::HandshakingCloseQueued, E::HandshakeDone, to(S::OpenCloseQueued, Report::Open)},
    {S::HandshakingCloseQueued, E::QueueAcked, closing(Report::ClosedUnopened)},
    {S::HandshakingCloseQueued, E::CloseTimeout, closing(Report::ClosedUnopened)},
    {S::HandshakingCloseQueued, E::LocalError, closing(Report::ClosedUnopened)},
    {S::HandshakingCloseQueued, E::Dropped, dead(Report::ClosedUnopened)},
    {S::HandshakingCloseQueued, E::PeerClosed, draining(Report::ClosedUnopened)},

    {S::OpenCloseQueued, E::QueueAcked, closing(Report::Closed)},
    {S::OpenCloseQueued, E::CloseTimeout, closing(Report::Closed)},
    {S::OpenCloseQueued, E::LocalError, closing(Report::Closed)},
    {S::OpenCloseQueued, E::Dropped, dead(Report::Closed)},
    {S::OpenCloseQueued, E::PeerClosed, draining(Report::Closed)},

    // RFC 9000 10.2: linger for three PTOs so late packets find us and are absorbed.
    {S::Closing, E::CloseUnsendable, freed()},
    {S::Closing, E::LingerOver, freed()},
    {S::Draining, E::LingerOver, freed()},
});

}  // namespace

std::optional<Step> next_step(ConnState state, ConnEvent event) {
  for (const Row& row : kRows) {
    if (row.from == state && row.event == event) return row.step;
  }
  return std::nullopt;
}

bool handler_hears(Report report, bool is_server) {
  switch (report) {
    case Report::None:
      return false;
    case Report::Open:
    case Report::Closed:
      return true;
    case Report::ClosedUnopened:
      return !is_server;  // server-side connections that never opened are invisible
  }
  return false;
}

bool is_live(ConnState s) {
  return s == S::Handshaking || s == S::Open || s == S::HandshakingCloseQueued ||
         s == S::OpenCloseQueued;
}

bool has_opened(ConnState s) { return s == S::Open || s == S::OpenCloseQueued; }

bool takes_data(ConnState s) { return s == S::Handshaking || s == S::Open; }

std::string_view conn_state_name(ConnState s) {
  static constexpr std::array<std::string_view, kConnStateCount> kNames = {
      "handshaking", "open", "handshaking_close_queued", "open_close_queued", "closing",
      "draining",    "dead"};
  return kNames[static_cast<std::size_t>(s)];
}

std::string_view conn_event_name(ConnEvent e) {
  static constexpr std::array<std::string_view, kConnEventCount> kNames = {
      "handshake_done", "close_called", "queue_acked",      "close_timeout", "local_error",
      "dropped",        "peer_closed",  "close_unsendable", "linger_over"};
  return kNames[static_cast<std::size_t>(e)];
}

}  // namespace qc::quic
