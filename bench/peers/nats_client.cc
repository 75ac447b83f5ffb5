#include "bench/peers/nats_client.h"

namespace qc::peers {

namespace {

std::string user_subject(const std::string& user) { return "pb.u." + user; }

}  // namespace

NatsClient::NatsClient(EventLoop& loop, const TlsClientConfig& tls, const PeerSettings& settings,
                       std::string name)
    : PeerClient(loop, tls, settings, std::move(name), true) {}

void NatsClient::on_plaintext_line(std::string_view line) {
  if (line.substr(0, 5) != "INFO ") fail("NATS: the server's first line is not INFO");
}

void NatsClient::on_open() {
  queue(R"(CONNECT {"verbose":false,"pedantic":false,"tls_required":true,"name":")" + name_ +
        R"(","lang":"c++","version":"0.1","protocol":1,"echo":true})" + "\r\nPING\r\n");
  ++pings_sent_;
  flush();
}

void NatsClient::subscribe(Audience audience) {
  const std::string subject =
      audience == Audience::Fanout ? std::string(kNatsFanoutSubject) : user_subject(name_);
  queue("SUB " + subject + " 1\r\nPING\r\n");
  subscribed_at_pong_ = ++pings_sent_;
  flush();
}

void NatsClient::publish(Audience audience, const std::string& user, std::string_view payload) {
  std::string frame = "PUB ";
  frame += audience == Audience::Fanout ? std::string(kNatsFanoutSubject) : user_subject(user);
  frame += ' ';
  frame += std::to_string(payload.size());
  frame += "\r\n";
  frame += payload;
  frame += "\r\n";
  queue(frame);
}

void NatsClient::on_bytes(std::string_view bytes, std::int64_t received_ns) {
  note_received(received_ns);
  reader_.feed(bytes);
  while (auto frame = reader_.next()) {
    on_frame(*frame, received_ns);
    if (closed()) return;
  }
  if (!reader_.failed().empty()) return fail("NATS: " + reader_.failed());
  flush();  // PONGs
}

void NatsClient::on_frame(const NatsFrame& frame, std::int64_t received_ns) {
  switch (frame.kind) {
    case NatsKind::Msg:
      if (on_payload) on_payload(frame.payload, received_ns);
      return;
    case NatsKind::Ping:
      queue("PONG\r\n");
      return;
    case NatsKind::Pong:
      ++pongs_received_;
      registered_ = true;
      if (subscribed_at_pong_ != 0 && pongs_received_ >= subscribed_at_pong_) subscribed_ = true;
      return;
    case NatsKind::Err:
      return fail("NATS: -ERR " + std::string(frame.payload));
    case NatsKind::Info:
    case NatsKind::Ok:
      return;
  }
}

}  // namespace qc::peers
