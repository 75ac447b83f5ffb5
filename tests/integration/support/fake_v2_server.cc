// fake_v2_server: a stand-in that speaks protocol v2 (docs/PROTOCOL.md, part II) well enough for
// the terminal client's end-to-end tests (client_v2_test.py --fake-server) to run before the real
// server does: VERSIONS selecting 2, login with the seed's three accounts, presence snapshot and
// changes, direct and broadcast sends with ids, acks and copies to the sender's other devices,
// ping, logout. No persistence, no limits, no v1: it is a test double, not a server.
// Usage: fake_v2_server --cert FILE --key FILE [--port N]; prints "listening on 127.0.0.1:PORT".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "proto/codec.h"
#include "proto/framer.h"
#include "proto/v2/codec.h"
#include "proto/v2/framer.h"
#include "quic/endpoint.h"

namespace {

using namespace qc;
namespace v2 = proto::v2;

const std::map<std::string, std::string> kAccounts = {
    {"alice", "p1"}, {"bob", "p2"}, {"cam", "p3"}};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Conn {
  proto::StreamFramer v1;
  v2::FrameReader reader{v2::kMaxClientFrameBytes};
  bool v2 = false;
  std::string user;  // empty until logged in
};

class FakeServer final : public quic::Handler {
 public:
  void set_endpoint(quic::ServerEndpoint* endpoint) { endpoint_ = endpoint; }

  void on_open(quic::ConnHandle conn, const quic::PeerInfo&) override { conns_[conn]; }
  void on_closed(quic::ConnHandle conn, const quic::CloseInfo&) override { drop(conn); }

  void on_data(quic::ConnHandle conn, std::string_view bytes) override {
    auto it = conns_.find(conn);
    if (it == conns_.end()) return;
    Conn& c = it->second;
    if (!c.v2) {
      const std::size_t used = c.v1.feed_until(bytes, [&](const proto::FrameEvent& ev) {
        if (ev.kind == proto::FrameEvent::Kind::Pdu) on_v1(conn, c, ev.pdu);
        return !c.v2;
      });
      bytes.remove_prefix(used);
      if (!c.v2) return;
    }
    c.reader.feed(bytes, [&](const proto::FrameEvent& ev) {
      if (ev.kind == proto::FrameEvent::Kind::Pdu) on_frame(conn, ev.pdu);
      return true;
    });
  }

 private:
  void send(quic::ConnHandle conn, const v2::Frame& frame) {
    (void)endpoint_->queue(conn, make_shared_bytes(v2::encode_frame(frame)), false);
  }

  void on_v1(quic::ConnHandle conn, Conn& c, std::string_view bytes) {
    auto pdu = proto::decode(bytes);
    if (!pdu || pdu->type != proto::MsgType::Versions) return;
    auto offer = proto::decode_versions_request(pdu->msg);
    const bool two = offer && std::ranges::find(offer->versions, 2) != offer->versions.end();
    proto::VersionsReply reply{two ? std::optional<std::int64_t>(2) : 1, std::nullopt};
    (void)endpoint_->queue(conn,
                           make_shared_bytes(proto::encode(proto::make_pdu(
                               proto::MsgType::Versions, proto::encode_versions_reply(reply)))),
                           false);
    c.v2 = two;
  }

  void on_frame(quic::ConnHandle conn, std::string_view body) {
    auto frame = v2::decode_body(body);
    if (!frame) return send(conn, v2::Error{std::nullopt, "bad_frame", frame.error().detail, {}});
    if (auto* login = std::get_if<v2::Login>(&*frame)) return on_login(conn, *login);
    if (auto* s = std::get_if<v2::Send>(&*frame)) return on_send(conn, *s);
    if (auto* p = std::get_if<v2::Ping>(&*frame)) return send(conn, v2::Pong{p->rid});
    if (auto* l = std::get_if<v2::Logout>(&*frame)) {
      send(conn, v2::Bye{l->rid});
      endpoint_->close(conn, 0, "logout");
      return drop(conn);
    }
  }

  std::vector<quic::ConnHandle> sessions_of(const std::string& user) const {
    std::vector<quic::ConnHandle> out;
    for (const auto& [h, c] : conns_) {
      if (c.user == user) out.push_back(h);
    }
    return out;
  }

  std::vector<std::string> online() const {
    std::set<std::string> names;
    for (const auto& [h, c] : conns_) {
      if (!c.user.empty()) names.insert(c.user);
    }
    return {names.begin(), names.end()};
  }

  void presence_to_others(const std::string& user, bool joined) {
    v2::Presence change;
    (joined ? change.joined : change.left).push_back(user);
    for (const auto& [h, c] : conns_) {
      if (!c.user.empty() && c.user != user) send(h, change);
    }
  }

  void on_login(quic::ConnHandle conn, const v2::Login& login) {
    auto account = kAccounts.find(login.user);
    if (account == kAccounts.end() || account->second != login.password) {
      return send(conn, v2::Error{login.rid, "bad_credentials", "Invalid credentials", {}});
    }
    const bool first_session = sessions_of(login.user).empty();
    conns_[conn].user = login.user;
    const std::string device = login.device.empty() ? "srv-" + std::to_string(conn) : login.device;
    const auto id = static_cast<std::uint64_t>(std::distance(kAccounts.begin(), account) + 1);
    send(conn, v2::Welcome{login.rid, login.user, id, device, now_ms()});
    send(conn, v2::Presence{true, online(), {}, {}});
    if (first_session) presence_to_others(login.user, true);
  }

  static std::string direct_conv(const std::string& a, const std::string& b) {
    return "@" + std::min(a, b) + "," + std::max(a, b);
  }

  // One message in `conv`: to every session of `recipients`, and a copy (with the cid) to the
  // sender's other sessions.
  std::uint64_t deliver(quic::ConnHandle from, const std::string& conv,
                        const std::vector<std::string>& to, const std::string& text,
                        const std::string& cid, const std::vector<std::string>& recipients) {
    const std::uint64_t id = ++last_id_[conv];
    const std::string& sender = conns_[from].user;
    v2::Msg msg{conv, id, 1, now_ms(), sender, to, text, ""};
    std::set<quic::ConnHandle> targets;
    for (const auto& r : recipients) {
      for (auto h : sessions_of(r)) targets.insert(h);
    }
    for (auto h : sessions_of(sender)) targets.insert(h);
    targets.erase(from);
    for (auto h : targets) {
      msg.cid = conns_[h].user == sender ? cid : "";
      send(h, msg);
    }
    return id;
  }

  void on_send(quic::ConnHandle conn, const v2::Send& s) {
    if (conns_[conn].user.empty()) {
      return send(conn, v2::Error{s.rid, "not_logged_in", "log in first", {}});
    }
    v2::Ack ack{s.rid, s.cid, 1, now_ms(), {}, {}, false};
    if (s.conv == v2::kBroadcastConv) {
      const auto id = deliver(conn, "all", {}, s.text, s.cid, online());
      ack.sent.push_back({"", "all", id, false});
      return send(conn, ack);
    }
    for (const auto& name : s.to) {
      if (!kAccounts.contains(name)) {
        ack.errors.push_back({name, "no_such_user", "no account named " + name});
        continue;
      }
      const std::string conv = direct_conv(conns_[conn].user, name);
      const bool offline = sessions_of(name).empty();
      const auto id = deliver(conn, conv, {name}, s.text, s.cid, {name});
      ack.sent.push_back({name, conv, id, offline});
    }
    if (ack.sent.empty()) {
      return send(conn, v2::Error{s.rid, "no_such_user", "no message was sent", ack.errors});
    }
    send(conn, ack);
  }

  void drop(quic::ConnHandle conn) {
    auto it = conns_.find(conn);
    if (it == conns_.end()) return;
    const std::string user = it->second.user;
    conns_.erase(it);
    if (!user.empty() && sessions_of(user).empty()) presence_to_others(user, false);
  }

  quic::ServerEndpoint* endpoint_ = nullptr;
  std::map<quic::ConnHandle, Conn> conns_;
  std::map<std::string, std::uint64_t> last_id_;
};

}  // namespace

int main(int argc, char** argv) {
  quic::ServerOptions options;
  options.port = 0;
  options.alpns = {"quicchat"};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--cert") == 0) options.cert_file = argv[i + 1];
    if (std::strcmp(argv[i], "--key") == 0) options.key_file = argv[i + 1];
    if (std::strcmp(argv[i], "--port") == 0) {
      options.port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    }
  }
  auto loop = io::EventLoop::create();
  if (!loop) return 1;
  FakeServer server;
  auto endpoint = quic::ServerEndpoint::start(**loop, options, server);
  if (!endpoint) {
    std::fprintf(stderr, "fake_v2_server: %s\n", endpoint.error().message.c_str());
    return 1;
  }
  server.set_endpoint(endpoint->get());
  std::fprintf(stderr, "listening on 127.0.0.1:%u\n", (*endpoint)->local_port());
  std::fflush(stderr);
  return (*loop)->run() ? 0 : 1;
}
