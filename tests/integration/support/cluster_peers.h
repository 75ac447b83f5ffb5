// What the cluster's end-to-end tests do with their v2 peers: log in on a node, send and expect the
// ack, join a room. Shared by the tests on a shared SQLite file and on PostgreSQL.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/server_process.h"
#include "support/v2_peer.h"

namespace qc::itest {

inline std::string password_of(const std::string& user) {
  for (const Account& a : default_accounts())
    if (a.name == user) return a.password;
  return {};
}

// A v2 session of `user` on `server` (welcome, presence snapshot and catch-up read); nullptr, with
// a gtest failure, when it is refused.
inline std::unique_ptr<V2Peer> login_on(Net& net, ServerProcess& server, const std::string& user,
                                        const std::string& device = "",
                                        std::vector<v2::Since> since = {}) {
  auto peer = V2Peer::connect(net, {"127.0.0.1", server.port(), server.ca_file()});
  EXPECT_TRUE(peer);
  if (!peer) return nullptr;
  auto welcome = peer->login(user, password_of(user), device, std::move(since));
  EXPECT_TRUE(welcome) << server.log();
  return welcome ? std::move(peer) : nullptr;
}

// Sends `text` to `conv` (a room or "all") or to `to`, and expects its ack.
inline std::optional<v2::Ack> say(V2Peer& peer, std::vector<std::string> to, std::string conv,
                                  std::string text, std::string cid = "") {
  const v2::RequestId rid =
      peer.send(v2::Send{0, std::move(to), std::move(conv), std::move(text), std::move(cid)});
  auto ack = peer.expect<v2::Ack>();
  if (ack) {
    EXPECT_EQ(ack->rid, rid);
  }
  return ack;
}

// Joins `room`: its answer and history page. Room events about others may come between them
// (another node's event for a member who joined before us can reach this node after our join).
inline bool joins(V2Peer& peer, const std::string& room) {
  peer.send(v2::Join{0, room});
  bool answered = false;
  while (auto frame = peer.next()) {
    if (std::holds_alternative<v2::Room>(*frame)) answered = true;
    if (std::holds_alternative<v2::Page>(*frame)) return answered;
  }
  return false;
}

// The next message, past room events and other frames that are not presence; nullopt after
// `frames` frames or a timeout.
inline std::optional<v2::Msg> next_msg(
    V2Peer& peer, int frames = 8, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  for (int i = 0; i < frames; ++i) {
    auto frame = peer.next(timeout);
    if (!frame) return std::nullopt;
    if (auto* m = std::get_if<v2::Msg>(&*frame)) return *m;
  }
  return std::nullopt;
}

}  // namespace qc::itest
