#include "quic/endpoint_base.h"

#include <atomic>

namespace qc::quic {

std::string_view close_kind_name(CloseKind kind) {
  switch (kind) {
    case CloseKind::Local:
      return "local";
    case CloseKind::Peer:
      return "peer";
    case CloseKind::IdleTimeout:
      return "idle_timeout";
    case CloseKind::HandshakeTimeout:
      return "handshake_timeout";
    case CloseKind::HandshakeFailed:
      return "handshake_failed";
    case CloseKind::StatelessReset:
      return "stateless_reset";
    case CloseKind::Error:
      return "error";
    case CloseKind::PeerUnresponsive:
      return "peer_unresponsive";
  }
  return "unknown";
}

EndpointBase::EndpointBase(EventLoop& loop, Handler& handler, DatagramIo* io)
    : loop_(loop),
      handler_(handler),
      owned_io_(io != nullptr ? nullptr : make_udp_io(loop)),
      io_(io != nullptr ? *io : *owned_io_),
      alive_(std::make_shared<EndpointBase*>(this)) {
  std::weak_ptr<EndpointBase*> weak = alive_;
  loop_.on_idle([weak] {
    if (auto self = weak.lock(); self && *self != nullptr) (*self)->flush_dirty();
  });
}

EndpointBase::~EndpointBase() { *alive_ = nullptr; }

ConnHandle EndpointBase::next_handle() {
  static std::atomic<ConnHandle> last{0};
  return ++last;
}

void EndpointBase::conn_handshake_done(Connection& /*c*/) {
  --stats_.handshakes_in_progress;
  ++stats_.connections_open;
}

void EndpointBase::conn_closed(Connection& c) {
  if (c.opened()) {
    --stats_.connections_open;
  } else {
    --stats_.handshakes_in_progress;
  }
}

void EndpointBase::flush_dirty() {
  // Flushing can run handler callbacks (on_closed) that queue data on other connections:
  // go round until nothing new is dirty, keeping connections whose socket is blocked listed.
  for (int round = 0; round < 8 && !dirty_.empty(); ++round) {
    flushing_.swap(dirty_);
    for (ConnHandle h : flushing_) {
      Connection* c = find(h);
      if (c == nullptr) continue;
      if (!conn_can_send(*c)) {
        blocked_.push_back(h);
        continue;
      }
      c->set_flush_pending(false);
      c->flush();
    }
    flushing_.clear();
  }
  flush_sockets();
  dirty_.insert(dirty_.end(), blocked_.begin(), blocked_.end());
  blocked_.clear();
  std::vector<ConnHandle> retired;
  retired.swap(retired_);
  for (ConnHandle h : retired) destroy(h);
}

}  // namespace qc::quic
