// ChatClient: one chat connection on a shared quic::ClientEndpoint. It writes what its
// ClientSession queues, feeds received bytes back, delivers Events to a callback, sends ALIVE
// right after LOGIN_ACK and then every keepalive interval, and reports connection loss as
// ConnectionClosed, naming the messages the server had not acknowledged. It owns neither the loop
// nor the endpoint: one endpoint carries many ChatClients (the bench runs thousands), and a
// ClientMux routes transport callbacks to them by connection handle.
//
// Everything runs on the loop thread. Event callbacks may call any ChatClient method but must
// not destroy the ChatClient (defer destruction with EventLoop::post).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/session.h"
#include "io/event_loop.h"
#include "quic/endpoint.h"

namespace qc::client {

class ChatClient;

// The quic::Handler for a ClientEndpoint shared by many ChatClients.
class ClientMux final : public quic::Handler {
 public:
  void attach(quic::ConnHandle conn, ChatClient* client) { clients_[conn] = client; }
  void detach(quic::ConnHandle conn) { clients_.erase(conn); }
  std::size_t size() const { return clients_.size(); }

  void on_open(quic::ConnHandle conn, const quic::PeerInfo& peer) override;
  void on_data(quic::ConnHandle conn, std::string_view bytes) override;
  void on_closed(quic::ConnHandle conn, const quic::CloseInfo& info) override;
  void on_path_changed(quic::ConnHandle conn, const quic::PeerInfo& peer) override;

 private:
  ChatClient* find(quic::ConnHandle conn) const;
  std::unordered_map<quic::ConnHandle, ChatClient*> clients_;
};

// The transport options the chat layer decides: its ALPNs and which need one PDU per packet.
quic::ClientOptions chat_transport_options();

struct ChatClientOptions {
  quic::ClientOptions transport = chat_transport_options();
  std::chrono::milliseconds keepalive{30'000};  // 0 = never send ALIVE (v2: ping)
  // 2: offer protocol v2 on the ALPN quicchat (`quicchat client` and the bench, by default);
  // 1: v1 only (what a caller gets that does not ask: the v1 tests read v1 events).
  std::int64_t max_version = 1;
};

class ChatClient {
 public:
  using EventFn = std::function<void(const Event&)>;

  ChatClient(io::EventLoop& loop, quic::ClientEndpoint& endpoint, ClientMux& mux,
             ChatClientOptions options, EventFn on_event);
  ~ChatClient();
  ChatClient(const ChatClient&) = delete;
  ChatClient& operator=(const ChatClient&) = delete;

  // Starts a handshake with a fresh session; VERSIONS goes out as soon as it completes, then
  // Connected is delivered. Allowed again after ConnectionClosed (reconnect).
  Result<void> connect();

  // `device`, `since`: v2 only (ClientSession::login).
  Result<void> login(std::string_view username, std::string_view password,
                     std::string_view device = {}, std::vector<proto::v2::Since> since = {},
                     std::uint64_t since_epoch = 0);
  // `line` names the message in ConnectionClosed::undelivered if the connection is lost before
  // the server acknowledged it (empty: the text).
  Result<void> register_and_login(std::string_view username, std::string_view password,
                                  std::string_view device = {}) {
    return after(session_.register_and_login(username, password, device));
  }
  Result<void> change_password(std::string_view old_password, std::string_view new_password) {
    return after(session_.change_password(old_password, new_password));
  }
  Result<void> send_broadcast(std::string_view text, std::string_view line = {});
  Result<void> send_direct(std::uint64_t target_id, std::string_view text,
                           std::string_view line = {});
  Result<void> send_many(const std::vector<std::uint64_t>& target_ids, std::string_view text,
                         std::string_view line = {});
  // v2: to names (ClientSession::send_to), and a send again with its cid after a reconnect.
  Result<void> send_to(const std::vector<std::string>& names, std::string_view text,
                       std::string_view line = {});
  Result<void> resend(const OutgoingSend& send, std::string_view line = {});
  // v2 rooms, history and read cursors: as ClientSession's.
  Result<void> send_to_room(std::string_view room, std::string_view text,
                            std::string_view line = {});
  Result<void> join(std::string_view room) { return after(session_.join(room)); }
  Result<void> leave(std::string_view room) { return after(session_.leave(room)); }
  Result<void> list_rooms(std::string_view topic_of = {}) {
    return after(session_.list_rooms(topic_of));
  }
  Result<void> set_topic(std::string_view room, std::string_view topic) {
    return after(session_.set_topic(room, topic));
  }
  Result<void> list_members(std::string_view room) { return after(session_.list_members(room)); }
  Result<void> remove_member(std::string_view room, std::string_view user) {
    return after(session_.remove_member(room, user));
  }
  Result<void> history(std::string_view conv, std::string_view with, std::uint32_t limit,
                       std::optional<std::uint64_t> before = std::nullopt) {
    return after(session_.history(conv, with, limit, before));
  }
  Result<void> catch_up_after(std::string_view conv, std::uint64_t after_id) {
    return after(session_.catch_up_after(conv, after_id));
  }
  Result<void> mark_read(std::string_view conv, std::uint64_t id) {
    return after(session_.mark_read(conv, id));
  }
  Result<void> logout();
  Result<void> rebind();  // new local port; QUIC migration keeps the session
  void send_raw(std::string bytes);
  // Closes without logging out (the server treats it as a lost connection).
  void close(std::string_view reason = "client closed");

  // Where the next connect() goes: `host` an address or a name, `sni` the name the server's
  // certificate must carry (empty: `host`).
  void set_server(std::string host, std::uint16_t port, std::string sni);

  bool connected() const { return conn_ != 0 && open_; }
  quic::ConnHandle handle() const { return conn_; }
  const ClientSession& session() const { return session_; }

  // Transport callbacks, routed here by ClientMux.
  void handle_open(const quic::PeerInfo& peer);
  void handle_data(std::string_view bytes);
  void handle_closed(const quic::CloseInfo& info);
  void handle_path_changed(const quic::PeerInfo& peer);

 private:
  Result<void> after(Result<void> request);
  Result<void> after_message(Result<void> request, std::string_view text, std::string_view line);
  void forget_acked();
  std::vector<std::string> take_undelivered(std::uint64_t stream_acked);
  void flush();
  void deliver();
  void start_keepalive();
  void stop_keepalive();
  void on_keepalive_timer();

  io::EventLoop& loop_;
  quic::ClientEndpoint& endpoint_;
  ClientMux& mux_;
  ChatClientOptions options_;
  EventFn on_event_;
  ClientSession session_;
  quic::ConnHandle conn_ = 0;
  bool open_ = false;
  std::optional<io::EventLoop::TimerId> keepalive_timer_;
  // A message sent on this connection, kept until the server acknowledges its last byte.
  struct Unacked {
    std::uint64_t end = 0;  // chat stream offset after its PDU
    std::string line;
  };
  std::deque<Unacked> unacked_;
  std::optional<std::uint64_t> last_end_;  // of the last PDU flush() handed over
  std::vector<std::string> undelivered_;   // for the ConnectionClosed being delivered
};

}  // namespace qc::client
