#include "support/peer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "proto/alpn.h"
#include "util/log.h"

namespace qc::itest {
namespace {
// Handshake outcomes not yet claimed by a Peer (connect() waits on these).
std::set<quic::ConnHandle> g_opened;
std::map<quic::ConnHandle, quic::CloseInfo> g_failed;
std::map<quic::ConnHandle, quic::PeerInfo> g_infos;
}  // namespace

Net::Net() {
  // The test's own client transport logs only problems; the server's log is the interesting one.
  if (!std::getenv("QC_TEST_CLIENT_LOG")) log::set_level(log::Level::Warn);
  auto loop = io::EventLoop::create();
  if (!loop) {
    ADD_FAILURE() << "event loop: " << loop.error().message;
    return;
  }
  loop_ = std::move(*loop);
  auto endpoint = quic::ClientEndpoint::create(*loop_, *this);
  if (!endpoint) {
    ADD_FAILURE() << "client endpoint: " << endpoint.error().message;
    return;
  }
  endpoint_ = std::move(*endpoint);
  loop_->on_idle([this] {
    if (waiting_for_ && waiting_for_()) loop_->stop();
  });
}

Net::~Net() = default;

bool Net::run_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  if (pred()) return true;
  auto timer = loop_->add_timer(loop_->now() + timeout, [&] { loop_->stop(); });
  waiting_for_ = pred;
  auto ran = loop_->run();
  waiting_for_ = nullptr;
  loop_->cancel_timer(timer);
  EXPECT_TRUE(ran.ok()) << (ran.ok() ? "" : ran.error().message);
  return pred();
}

std::unique_ptr<Peer> Net::connect(const Target& target, std::string* error,
                                   std::chrono::milliseconds timeout) {
  quic::ClientOptions opts;
  opts.host = target.host;
  opts.port = target.port;
  opts.ca_file = target.ca_file;
  opts.alpns = target.alpns;
  opts.one_pdu_per_packet_alpns = proto::one_pdu_per_packet_alpns();
  auto conn = endpoint_->connect(opts);
  if (!conn) {
    if (error) *error = conn.error().message;
    return nullptr;
  }
  quic::ConnHandle h = *conn;
  bool done = run_until([&] { return g_opened.count(h) || g_failed.count(h); }, timeout);
  if (!done || g_failed.count(h)) {
    if (error) *error = done ? g_failed[h].reason : "handshake timed out";
    g_failed.erase(h);
    return nullptr;
  }
  g_opened.erase(h);
  auto peer = std::make_unique<Peer>(*this, h);
  peer->info_ = g_infos[h];
  g_infos.erase(h);
  return peer;
}

void Net::on_open(quic::ConnHandle conn, const quic::PeerInfo& peer) {
  g_opened.insert(conn);
  g_infos[conn] = peer;
}

void Net::on_data(quic::ConnHandle conn, std::string_view bytes) {
  if (auto it = peers_.find(conn); it != peers_.end()) it->second->on_bytes(bytes);
}

void Net::on_closed(quic::ConnHandle conn, const quic::CloseInfo& info) {
  if (auto it = peers_.find(conn); it != peers_.end()) {
    it->second->closed_ = info;
  } else {
    g_failed[conn] = info;
  }
}

Peer::Peer(Net& net, quic::ConnHandle conn) : net_(net), conn_(conn) { net_.peers_[conn] = this; }

// Closes and waits for the close to go out, so that the server has ended this session before
// whatever the test does next (the next test may log the same user in again).
Peer::~Peer() {
  if (!closed_ && !abandoned_) {
    net_.endpoint().close(conn_, 0, "test peer done");
    net_.run_until([this] { return closed_.has_value(); }, 5s);
  }
  net_.peers_.erase(conn_);
}

void Peer::send(const proto::Pdu& pdu) { send_raw(proto::encode(pdu)); }

void Peer::send_raw(std::string bytes) {
  EXPECT_TRUE(net_.endpoint().send(conn_, make_shared_bytes(std::move(bytes))))
      << "send on a closed connection";
}

void Peer::on_bytes(std::string_view bytes) {
  if (diverted_) {
    divert_to_(bytes);
    return;
  }
  if (one_pdu_per_read_) {
    auto pdu = proto::decode(bytes);
    if (pdu) {
      inbox_.push_back(std::move(*pdu));
    } else {
      ++broken_reads_;
      ++malformed_;
    }
    return;
  }
  std::size_t used = framer_.feed_until(bytes, [this](const proto::FrameEvent& ev) {
    if (ev.kind != proto::FrameEvent::Kind::Pdu) {
      ++malformed_;
      return true;
    }
    auto pdu = proto::decode(ev.pdu);
    if (!pdu) {
      ++malformed_;
      return true;
    }
    inbox_.push_back(std::move(*pdu));
    diverted_ = divert_after_ && divert_after_(inbox_.back());
    return !diverted_;
  });
  if (diverted_ && used < bytes.size()) divert_to_(bytes.substr(used));
}

void Peer::divert_after(std::function<bool(const proto::Pdu&)> is_switch,
                        std::function<void(std::string_view)> sink) {
  divert_after_ = std::move(is_switch);
  divert_to_ = std::move(sink);
}

std::optional<proto::Pdu> Peer::next(std::chrono::milliseconds timeout) {
  net_.run_until([this] { return !inbox_.empty() || closed_.has_value(); }, timeout);
  if (inbox_.empty()) return std::nullopt;
  proto::Pdu pdu = std::move(inbox_.front());
  inbox_.pop_front();
  return pdu;
}

std::optional<proto::Pdu> Peer::expect(proto::MsgType type, std::chrono::milliseconds timeout) {
  auto pdu = next(timeout);
  if (!pdu) {
    ADD_FAILURE() << "expected " << proto::msg_type_name(type) << ", got nothing"
                  << (closed_ ? " (connection closed: " + closed_->reason + ")" : "");
    return std::nullopt;
  }
  if (pdu->type != type) {
    ADD_FAILURE() << "expected " << proto::msg_type_name(type) << ", got "
                  << proto::msg_type_name(pdu->type) << " " << pdu->msg;
    return std::nullopt;
  }
  return pdu;
}

bool Peer::nothing_within(std::chrono::milliseconds quiet) {
  net_.run_until([this] { return !inbox_.empty(); }, quiet);
  return inbox_.empty();
}

std::optional<quic::CloseInfo> Peer::wait_closed(std::chrono::milliseconds timeout) {
  net_.run_until([this] { return closed_.has_value(); }, timeout);
  return closed_;
}

proto::UserList Peer::login(const std::string& name, const std::string& password) {
  send(proto::MsgType::Versions, proto::encode_versions_request({{1}}));
  auto versions = expect(proto::MsgType::Versions);
  send(proto::MsgType::Login, proto::encode_login({name, password}));
  auto ack = expect(proto::MsgType::LoginAck);
  if (!versions || !ack) return {};
  auto users = proto::decode_user_list(ack->msg);
  EXPECT_TRUE(users.ok());
  return users ? *users : proto::UserList{};
}

void Peer::close(std::uint64_t code, std::string_view reason) {
  net_.endpoint().close(conn_, code, reason);
}

bool Peer::rebind() { return net_.endpoint().rebind(conn_).ok(); }

}  // namespace qc::itest
