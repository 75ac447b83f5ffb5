#include "client/chat_client.h"

#include "proto/alpn.h"
#include "proto/close_codes.h"

namespace qc::client {

// --- ClientMux ------------------------------------------------------------------------------

ChatClient* ClientMux::find(quic::ConnHandle conn) const {
  auto it = clients_.find(conn);
  return it == clients_.end() ? nullptr : it->second;
}

void ClientMux::on_open(quic::ConnHandle conn, const quic::PeerInfo& peer) {
  if (ChatClient* c = find(conn)) c->handle_open(peer);
}
void ClientMux::on_data(quic::ConnHandle conn, std::string_view bytes) {
  if (ChatClient* c = find(conn)) c->handle_data(bytes);
}
void ClientMux::on_closed(quic::ConnHandle conn, const quic::CloseInfo& info) {
  if (ChatClient* c = find(conn)) c->handle_closed(info);
}
void ClientMux::on_path_changed(quic::ConnHandle conn, const quic::PeerInfo& peer) {
  if (ChatClient* c = find(conn)) c->handle_path_changed(peer);
}

// --- ChatClient -----------------------------------------------------------------------------

quic::ClientOptions chat_transport_options() {
  quic::ClientOptions o;
  o.alpns = proto::default_alpns();
  o.one_pdu_per_packet_alpns = proto::one_pdu_per_packet_alpns();
  // A crashed or cut-off server is noticed in seconds, not at the idle timeout (issue 15).
  o.keep_alive = std::chrono::milliseconds(10'000);
  o.liveness_timeout = std::chrono::milliseconds(5'000);
  return o;
}

ChatClient::ChatClient(io::EventLoop& loop, quic::ClientEndpoint& endpoint, ClientMux& mux,
                       ChatClientOptions options, EventFn on_event)
    : loop_(loop),
      endpoint_(endpoint),
      mux_(mux),
      options_(std::move(options)),
      on_event_(std::move(on_event)) {}

ChatClient::~ChatClient() {
  stop_keepalive();
  if (conn_ != 0) {
    mux_.detach(conn_);
    endpoint_.close(conn_, proto::to_wire(proto::CloseCode::NoError), "client closed");
  }
}

Result<void> ChatClient::connect() {
  if (conn_ != 0) return fail("bad_state", "already connected or connecting");
  auto conn = endpoint_.connect(options_.transport);
  if (!conn) return Unexpected<Error>{conn.error()};
  // Client message ids go on counting across connections: a cid is never reused for new text.
  SessionConfig config{kMaxServerPduBytes, options_.max_version, session_.cid_tag(),
                       session_.next_cid()};
  session_ = ClientSession{std::move(config)};
  session_.on_connecting();
  unacked_.clear();
  conn_ = *conn;
  open_ = false;
  mux_.attach(conn_, this);
  return {};
}

void ChatClient::set_server(std::string host, std::uint16_t port, std::string sni) {
  options_.transport.host = std::move(host);
  options_.transport.port = port;
  options_.transport.sni = std::move(sni);
}

Result<void> ChatClient::after(Result<void> request) {
  if (request) flush();
  return request;
}

Result<void> ChatClient::login(std::string_view username, std::string_view password,
                               std::string_view device, std::vector<proto::v2::Since> since,
                               std::uint64_t since_epoch) {
  return after(session_.login(username, password, device, std::move(since), since_epoch));
}
Result<void> ChatClient::send_broadcast(std::string_view text, std::string_view line) {
  return after_message(session_.send_broadcast(text), text, line);
}
Result<void> ChatClient::send_direct(std::uint64_t target_id, std::string_view text,
                                     std::string_view line) {
  return after_message(session_.send_direct(target_id, text), text, line);
}
Result<void> ChatClient::send_many(const std::vector<std::uint64_t>& target_ids,
                                   std::string_view text, std::string_view line) {
  return after_message(session_.send_many(target_ids, text), text, line);
}

Result<void> ChatClient::send_to(const std::vector<std::string>& names, std::string_view text,
                                 std::string_view line) {
  return after_message(session_.send_to(names, text), text, line);
}
Result<void> ChatClient::resend(const OutgoingSend& send, std::string_view line) {
  return after_message(session_.resend(send), send.text, line);
}
Result<void> ChatClient::send_to_room(std::string_view room, std::string_view text,
                                      std::string_view line) {
  return after_message(session_.send_to_room(room, text), text, line);
}

// The message's PDU is the last one the flush hands over: it is remembered until acknowledged.
Result<void> ChatClient::after_message(Result<void> request, std::string_view text,
                                       std::string_view line) {
  if (!request) return request;
  last_end_.reset();
  flush();
  if (last_end_) unacked_.push_back({*last_end_, std::string(line.empty() ? text : line)});
  forget_acked();
  return request;
}

void ChatClient::forget_acked() {
  if (unacked_.empty() || conn_ == 0) return;
  const std::uint64_t acked = endpoint_.stream_acked(conn_);
  while (!unacked_.empty() && unacked_.front().end <= acked) unacked_.pop_front();
}

std::vector<std::string> ChatClient::take_undelivered(std::uint64_t stream_acked) {
  std::vector<std::string> lines;
  for (Unacked& u : unacked_) {
    if (u.end > stream_acked) lines.push_back(std::move(u.line));
  }
  unacked_.clear();
  return lines;
}
Result<void> ChatClient::logout() {
  stop_keepalive();
  return after(session_.logout());
}

void ChatClient::send_raw(std::string bytes) {
  session_.send_raw(std::move(bytes));
  flush();
}

Result<void> ChatClient::rebind() {
  if (!connected()) return fail("not_connected", "no open connection to move");
  return endpoint_.rebind(conn_);
}

void ChatClient::close(std::string_view reason) {
  if (conn_ == 0) return;
  stop_keepalive();
  session_.on_local_close();
  endpoint_.close(conn_, proto::to_wire(proto::CloseCode::NoError), reason);
}

void ChatClient::flush() {
  if (!open_) return;  // queued PDUs leave once the handshake completes
  for (SharedBytes& pdu : session_.take_outbox()) {
    if (auto end = endpoint_.send(conn_, std::move(pdu))) last_end_ = *end;
  }
}

void ChatClient::deliver() {
  flush();
  for (Event& event : session_.take_events()) {
    if (std::holds_alternative<LoginOk>(event) || std::holds_alternative<Welcome>(event)) {
      start_keepalive();
    }
    if (auto* closed = std::get_if<ConnectionClosed>(&event)) {
      closed->undelivered = std::move(undelivered_);
      undelivered_.clear();
    }
    if (on_event_) on_event_(event);
    flush();  // whatever the callback asked for
  }
}

void ChatClient::handle_open(const quic::PeerInfo& peer) {
  open_ = true;
  session_.on_open(peer.alpn, peer.address);
  (void)session_.start();  // cannot fail right after on_open
  deliver();
}

void ChatClient::handle_data(std::string_view bytes) {
  forget_acked();
  session_.on_bytes(bytes);
  deliver();
}

void ChatClient::handle_closed(const quic::CloseInfo& info) {
  stop_keepalive();
  mux_.detach(conn_);
  conn_ = 0;
  open_ = false;
  undelivered_ = take_undelivered(info.stream_acked);
  std::string reason =
      info.reason.empty() ? std::string(quic::close_kind_name(info.kind)) : info.reason;
  session_.on_closed(info.app_error_code, std::string(quic::close_kind_name(info.kind)),
                     std::move(reason));
  deliver();
}

void ChatClient::handle_path_changed(const quic::PeerInfo& peer) {
  session_.on_path_changed(peer.address);
  deliver();
}

// ALIVE right after LOGIN_ACK, then every interval: the seed's client does the same.
void ChatClient::start_keepalive() {
  stop_keepalive();
  if (options_.keepalive.count() <= 0) return;
  on_keepalive_timer();
}

void ChatClient::on_keepalive_timer() {
  keepalive_timer_.reset();
  if (!session_.alive()) return;  // logged out or closed meanwhile
  flush();
  keepalive_timer_ =
      loop_.add_timer(loop_.now() + options_.keepalive, [this] { on_keepalive_timer(); });
}

void ChatClient::stop_keepalive() {
  if (keepalive_timer_) loop_.cancel_timer(*keepalive_timer_);
  keepalive_timer_.reset();
}

}  // namespace qc::client
