// One bench user of a peer server: its TLS connection and the protocol on top of it (IRC or
// NATS). The scenarios see only this: register, subscribe, publish a payload, get payloads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "bench/peers/tls_connection.h"

namespace qc::peers {

enum class PeerProtocol { Irc, Nats };

// Where a run's users meet, and what each protocol needs for it.
struct PeerSettings {
  PeerProtocol protocol = PeerProtocol::Irc;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string irc_oper;  // "name:password": the sender opers up and sets user mode +F
};

class PeerClient : public ConnectionHandler {
 public:
  // Where a payload is sent to: one user (by name), or every subscriber of the fan-out.
  enum class Audience { User, Fanout };

  PeerClient(EventLoop& loop, const TlsClientConfig& tls, const PeerSettings& settings,
             std::string name, bool tls_after_first_line);
  ~PeerClient() override = default;

  void connect() { connection_.connect(settings_.host, settings_.port); }
  virtual void subscribe(Audience audience) = 0;  // Fanout: the shared one; User: our own
  // Lifts the server's per-client flood limits, where it has any (IRC: OPER, MODE +F).
  virtual void become_sender() = 0;
  // Queues one payload (a flush() sends everything queued).
  virtual void publish(Audience audience, const std::string& user, std::string_view payload) = 0;
  void flush() { connection_.flush(); }

  const std::string& name() const { return name_; }
  bool registered() const { return registered_; }
  bool subscribed() const { return subscribed_; }
  bool sender_ready() const { return sender_ready_; }
  bool closed() const { return connection_.state() == TlsConnection::State::Closed; }
  const std::string& error() const { return error_; }
  std::string tls_description() const { return connection_.tls_description(); }
  std::int64_t last_received_ns() const { return last_received_ns_; }

  std::function<void(std::string_view payload, std::int64_t received_ns)> on_payload;

  void on_closed(const std::string& why) override;

 protected:
  void queue(std::string_view bytes) { connection_.queue(bytes); }
  void fail(const std::string& why);
  void note_received(std::int64_t ns) { last_received_ns_ = ns; }

  const PeerSettings& settings_;
  std::string name_;
  bool registered_ = false;
  bool subscribed_ = false;
  bool sender_ready_ = false;

 private:
  TlsConnection connection_;
  std::string error_;
  std::int64_t last_received_ns_ = 0;
};

std::unique_ptr<PeerClient> make_peer_client(EventLoop& loop, const TlsClientConfig& tls,
                                             const PeerSettings& settings, std::string name);

}  // namespace qc::peers
