// NATS over TLS (nats-server 2.9): the server's INFO in plaintext, then TLS; CONNECT + PING
// (registered on the PONG), SUB + PING (subscribed on the next PONG), PUB.
#pragma once

#include "bench/peers/nats_frames.h"
#include "bench/peers/peer_client.h"

namespace qc::peers {

class NatsClient final : public PeerClient {
 public:
  NatsClient(EventLoop& loop, const TlsClientConfig& tls, const PeerSettings& settings,
             std::string name);

  void subscribe(Audience audience) override;
  void become_sender() override { sender_ready_ = true; }
  void publish(Audience audience, const std::string& user, std::string_view payload) override;

  void on_plaintext_line(std::string_view line) override;
  void on_open() override;
  void on_bytes(std::string_view bytes, std::int64_t received_ns) override;

 private:
  void on_frame(const NatsFrame& frame, std::int64_t received_ns);

  NatsFrameReader reader_;
  int pings_sent_ = 0;
  int pongs_received_ = 0;
  int subscribed_at_pong_ = 0;  // the PONG that confirms the SUB; 0: none asked
};

inline constexpr std::string_view kNatsFanoutSubject = "pb.fan";

}  // namespace qc::peers
