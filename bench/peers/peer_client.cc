#include "bench/peers/peer_client.h"

#include "bench/peers/irc_client.h"
#include "bench/peers/nats_client.h"

namespace qc::peers {

PeerClient::PeerClient(EventLoop& loop, const TlsClientConfig& tls, const PeerSettings& settings,
                       std::string name, bool tls_after_first_line)
    : settings_(settings),
      name_(std::move(name)),
      connection_(loop, tls, *this, tls_after_first_line) {}

void PeerClient::on_closed(const std::string& why) {
  if (error_.empty()) error_ = why;
}

void PeerClient::fail(const std::string& why) {
  if (error_.empty()) error_ = why;
  connection_.close(why);
}

std::unique_ptr<PeerClient> make_peer_client(EventLoop& loop, const TlsClientConfig& tls,
                                             const PeerSettings& settings, std::string name) {
  if (settings.protocol == PeerProtocol::Nats) {
    return std::make_unique<NatsClient>(loop, tls, settings, std::move(name));
  }
  return std::make_unique<IrcClient>(loop, tls, settings, std::move(name));
}

}  // namespace qc::peers
