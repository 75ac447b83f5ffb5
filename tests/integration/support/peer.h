// Protocol-level test peers: raw PDUs over real QUIC, with synchronous "wait for the next PDU"
// helpers. All peers of a test share one event loop and one client endpoint (`Net`), and the
// loop runs only while a test waits, until what it waits for has happened or the timeout passes.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proto/codec.h"
#include "proto/framer.h"
#include "quic/endpoint.h"

namespace qc::itest {

using namespace std::chrono_literals;

struct Target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4433;
  std::string ca_file;
  std::vector<std::string> alpns = {"quicchat", "echo-protocol"};
};

class Peer;

class Net final : public quic::Handler {
 public:
  Net();
  ~Net() override;

  // Connects and waits for the handshake; nullptr (and `error`) on failure.
  std::unique_ptr<Peer> connect(const Target& target, std::string* error = nullptr,
                                std::chrono::milliseconds timeout = 10s);

  // Runs the loop until pred() holds (true) or the timeout passes (false).
  bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

  io::EventLoop& loop() { return *loop_; }
  quic::ClientEndpoint& endpoint() { return *endpoint_; }

  void on_open(quic::ConnHandle conn, const quic::PeerInfo& peer) override;
  void on_data(quic::ConnHandle conn, std::string_view bytes) override;
  void on_closed(quic::ConnHandle conn, const quic::CloseInfo& info) override;

 private:
  friend class Peer;
  std::unique_ptr<io::EventLoop> loop_;
  std::unique_ptr<quic::ClientEndpoint> endpoint_;
  std::map<quic::ConnHandle, Peer*> peers_;
  std::function<bool()> waiting_for_;
};

class Peer {
 public:
  Peer(Net& net, quic::ConnHandle conn);
  ~Peer();

  void send(const proto::Pdu& pdu);
  void send(proto::MsgType type, std::string msg) { send(proto::make_pdu(type, std::move(msg))); }
  void send_raw(std::string bytes);  // arbitrary bytes on the chat stream

  // The next PDU from the server, or nullopt on timeout/close.
  std::optional<proto::Pdu> next(std::chrono::milliseconds timeout = 5s);
  // The next PDU, which must be of `type` (a gtest failure otherwise, and nullopt).
  std::optional<proto::Pdu> expect(proto::MsgType type, std::chrono::milliseconds timeout = 5s);
  // True if nothing arrives within `quiet` (for "no reply" checks: bounded, not a sync).
  bool nothing_within(std::chrono::milliseconds quiet);

  // Waits for the connection to close; the close info, or nullopt on timeout.
  std::optional<quic::CloseInfo> wait_closed(std::chrono::milliseconds timeout = 5s);
  bool closed() const { return closed_.has_value(); }

  // VERSIONS + LOGIN; returns LOGIN_ACK's user list (empty on failure, with a gtest failure).
  proto::UserList login(const std::string& name, const std::string& password);
  void close(std::uint64_t code = 0, std::string_view reason = "bye");
  bool rebind();
  // The destructor then neither closes nor waits: with its Net destroyed too, the peer vanishes
  // like a killed process (no CONNECTION_CLOSE).
  void abandon() { abandoned_ = true; }
  quic::ConnHandle handle() const { return conn_; }

  const quic::PeerInfo& info() const { return info_; }
  std::size_t malformed_from_server() const { return malformed_; }

  // From now on read as the original's client does: each receive event (one on_data call: one
  // packet's stream data) is taken for one whole PDU; one that does not parse is a broken read
  // (the original crashes with JSONDecodeError there).
  void read_like_the_original() { one_pdu_per_read_ = true; }

  // Protocol v2: after the first PDU for which `is_switch` holds (a VERSIONS reply selecting 2),
  // every later byte, the rest of that packet's included, goes to `sink` instead (section II.1).
  void divert_after(std::function<bool(const proto::Pdu&)> is_switch,
                    std::function<void(std::string_view)> sink);
  std::size_t broken_reads() const { return broken_reads_; }

 private:
  friend class Net;
  void on_bytes(std::string_view bytes);
  Net& net_;
  quic::ConnHandle conn_;
  quic::PeerInfo info_;
  proto::StreamFramer framer_;
  std::deque<proto::Pdu> inbox_;
  std::optional<quic::CloseInfo> closed_;
  std::size_t malformed_ = 0;
  bool one_pdu_per_read_ = false;
  std::size_t broken_reads_ = 0;
  bool abandoned_ = false;
  std::function<bool(const proto::Pdu&)> divert_after_;
  std::function<void(std::string_view)> divert_to_;
  bool diverted_ = false;
};

}  // namespace qc::itest
