// A protocol v2 test peer, written from docs/PROTOCOL.md part II alone (no server internals), so
// that it doubles as an example for a bot author:
//   1. offer [1, 2] with the v1 VERSIONS PDU and read the v1 reply (section II.3, Choosing v2);
//   2. if it selected 2, every later byte both ways is v2 framing: a 4-byte big-endian length,
//      then one JSON object (section II.1), read here with proto::v2::FrameReader;
//   3. log in with `login`, get `welcome` and a presence snapshot; then send requests with a
//      request id (`rid`) and match the answers by it, while `msg` and `presence` interleave.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "proto/v2/codec.h"
#include "proto/v2/framer.h"
#include "support/peer.h"

namespace qc::itest {

namespace v2 = proto::v2;

class V2Peer {
 public:
  // Connects (the QUIC handshake only); nullptr, with `error`, on failure.
  static std::unique_ptr<V2Peer> connect(Net& net, const Target& target,
                                         std::string* error = nullptr);

  // Sends the v1 VERSIONS PDU offering `versions` and waits for the reply: the version it selects
  // (nullopt on timeout, refusal or a reply that does not decode). After a 2 the peer reads v2.
  std::optional<std::int64_t> negotiate(std::vector<std::int64_t> versions = {1, 2});
  // Reads v2 framing once the next VERSIONS reply selects 2, without sending anything itself (for
  // a test that writes the VERSIONS PDU with send_raw).
  void expect_v2_reply() { read_v2_after_a_reply_selecting_2(); }

  // negotiate(), then `login`; the welcome, after which the presence snapshot is awaited too
  // (online() holds it), then the login's catch-up: the pages of what came while away, up to
  // `synced` (caught_up() and synced() hold them). nullopt, with a gtest failure, if any step
  // fails.
  std::optional<v2::Welcome> login(const std::string& user, const std::string& password,
                                   const std::string& device = "",
                                   std::vector<v2::Since> since = {});
  const std::vector<v2::Page>& caught_up() const { return caught_up_; }
  const std::optional<v2::Synced>& synced() const { return synced_; }

  // Sends a client frame with the next request id when its rid is 0; returns the rid sent.
  v2::RequestId send(v2::Frame frame);
  v2::RequestId send_to(std::vector<std::string> names, std::string text, std::string cid = "");
  v2::RequestId send_all(std::string text, std::string cid = "");
  void send_body(std::string_view body);  // a length prefix, then `body` as it is
  void send_raw(std::string bytes);       // arbitrary bytes on the stream
  v2::RequestId next_rid() { return next_rid_++; }

  // The next frame, presence included; nullopt on timeout or close.
  std::optional<v2::Frame> next(std::chrono::milliseconds timeout = 5s);
  // The next frame that is not a presence change (presence stays queued for await_presence);
  // it must be a T (a gtest failure and nullopt otherwise).
  template <class T>
  std::optional<T> expect(std::chrono::milliseconds timeout = 5s);
  // Presence frames until one satisfies `pred` (it is returned); other frames stay queued.
  std::optional<v2::Presence> await_presence(const std::function<bool(const v2::Presence&)>& pred,
                                             std::chrono::milliseconds timeout = 5s);
  // Waits until the view of who is online (the snapshot plus every change taken from the queue,
  // in order) satisfies `pred`.
  bool await_online(const std::function<bool(const std::set<std::string>&)>& pred,
                    std::chrono::milliseconds timeout = 5s);
  const std::set<std::string>& online() const { return online_; }

  // Sends a ping and waits for its pong: returns the frames other than presence that came
  // before it (a barrier: whatever the server sent us before reading the ping has arrived).
  std::vector<v2::Frame> sync(std::chrono::milliseconds timeout = 5s);

  // The v1 side of the stream: the VERSIONS reply, and every PDU when it did not select 2.
  Peer& v1() { return *peer_; }
  std::optional<quic::CloseInfo> wait_closed(std::chrono::milliseconds timeout = 5s) {
    return peer_->wait_closed(timeout);
  }
  bool closed() const { return peer_->closed(); }
  std::size_t malformed_from_server() const { return malformed_; }

 private:
  V2Peer(Net& net, std::unique_ptr<Peer> peer);
  void read_v2_after_a_reply_selecting_2();
  void on_v2_bytes(std::string_view bytes);
  // The index of the first queued frame that `pick` accepts: now, or after waiting for one.
  std::optional<std::size_t> find(const std::function<bool(const v2::Frame&)>& pick) const;
  std::optional<std::size_t> wait_for(const std::function<bool(const v2::Frame&)>& pick,
                                      std::chrono::milliseconds timeout);
  v2::Frame take(std::size_t index);  // a presence frame taken is applied to online()
  void apply(const v2::Presence& presence);

  Net& net_;
  std::unique_ptr<Peer> peer_;
  v2::FrameReader v2_reader_{v2::kMaxServerFrameBytes};
  std::deque<v2::Frame> inbox_;
  std::set<std::string> online_;
  std::size_t malformed_ = 0;
  v2::RequestId next_rid_ = 1;
  std::vector<v2::Page> caught_up_;
  std::optional<v2::Synced> synced_;
};

bool is_presence(const v2::Frame& frame);
std::string describe(const v2::Frame& frame);  // its JSON body, for failure messages

template <class T>
std::optional<T> V2Peer::expect(std::chrono::milliseconds timeout) {
  auto index = wait_for([](const v2::Frame& f) { return !is_presence(f); }, timeout);
  if (!index) {
    ADD_FAILURE() << "expected a v2 frame, got nothing"
                  << (closed() ? " (connection closed: " + peer_->wait_closed(0ms)->reason + ")"
                               : "");
    return std::nullopt;
  }
  v2::Frame frame = take(*index);
  if (auto* t = std::get_if<T>(&frame)) return std::move(*t);
  ADD_FAILURE() << "unexpected v2 frame: " << describe(frame);
  return std::nullopt;
}

}  // namespace qc::itest
