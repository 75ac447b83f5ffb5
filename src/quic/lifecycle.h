// The QUIC connection's lifecycle as a transition table: for each (state, event) it says the next
// state and what the connection must do. Pure: no ngtcp2, no sockets; Connection applies it.
//
//   Handshaking --handshake done--> Open                 (report open)
//   Handshaking | Open --close()--> ...CloseQueued        (the close waits for the peer's acks)
//   ...CloseQueued --queue acked | close timeout--> Closing  (report closed, send CONNECTION_CLOSE)
//   any live --local error--> Closing                    (report closed, send CONNECTION_CLOSE)
//   any live --peer CONNECTION_CLOSE or reset--> Draining (report closed)
//   any live --idle/handshake timeout, dropped--> Dead   (report closed)
//   Closing | Draining --3 PTO--> Dead;  Closing --close unsendable--> Dead
//
// Only leaving the live states reports a close, so Handler::on_closed comes exactly once.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace qc::quic {

enum class ConnState : std::uint8_t {
  Handshaking,
  Open,
  HandshakingCloseQueued,  // close() called during the handshake; sent once the queue is acked
  OpenCloseQueued,         // close() called while open; sent once the queue is acked
  Closing,                 // our CONNECTION_CLOSE sent; lingering for late packets
  Draining,                // the peer closed (or reset); lingering silently
  Dead,                    // waiting to be freed by the endpoint
};
inline constexpr int kConnStateCount = 7;

enum class ConnEvent : std::uint8_t {
  HandshakeDone,
  CloseCalled,  // the layer above called close()
  // The peer acknowledged every queued stream byte: a CONNECTION_CLOSE sent earlier would make
  // the peer discard what it has not received yet, since nothing is retransmitted after it.
  QueueAcked,
  CloseTimeout,     // the close (or idle) timeout passed since close() without all acks
  LocalError,       // a transport error: we close with an error code
  Dropped,          // idle (no close waiting) or handshake timeout, or ngtcp2 says drop
  PeerClosed,       // the peer's CONNECTION_CLOSE or stateless reset
  CloseUnsendable,  // our CONNECTION_CLOSE could not be written
  LingerOver,       // 3 PTO after Closing/Draining began
};
inline constexpr int kConnEventCount = 9;

// What a transition reports to the layer above.
enum class Report : std::uint8_t {
  None,
  Open,            // Handler::on_open
  Closed,          // Handler::on_closed for a connection that was open
  ClosedUnopened,  // closed during the handshake: the client reports it, the server does not
};

struct Step {
  ConnState next;
  Report report = Report::None;
  bool send_close = false;   // write our CONNECTION_CLOSE (then CloseUnsendable if it fails)
  bool linger = false;       // arm the 3-PTO timer that ends in LingerOver
  bool retire = false;       // the endpoint frees the connection outside any callback
  bool leaves_live = false;  // the endpoint stops counting it as open/handshaking
  bool operator==(const Step&) const = default;
};

// The transition for (state, event); nullopt: the event does nothing in that state.
std::optional<Step> next_step(ConnState state, ConnEvent event);

// Whether Handler::on_closed hears about a close reported as `report`.
bool handler_hears(Report report, bool is_server);

// Handshaking or Open, with or without a queued close: the connection reads and writes packets.
bool is_live(ConnState s);
// The handshake completed and the connection has not left the live states.
bool has_opened(ConnState s);
// Takes new PDUs to send and delivers received stream data (live, no close queued).
bool takes_data(ConnState s);

std::string_view conn_state_name(ConnState s);
std::string_view conn_event_name(ConnEvent e);

}  // namespace qc::quic
