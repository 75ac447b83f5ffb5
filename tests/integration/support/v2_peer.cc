#include "support/v2_peer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <concepts>

namespace qc::itest {

bool is_presence(const v2::Frame& frame) { return std::holds_alternative<v2::Presence>(frame); }

std::string describe(const v2::Frame& frame) { return v2::encode_body(frame); }

std::unique_ptr<V2Peer> V2Peer::connect(Net& net, const Target& target, std::string* error) {
  auto peer = net.connect(target, error);
  if (!peer) return nullptr;
  return std::unique_ptr<V2Peer>(new V2Peer(net, std::move(peer)));
}

V2Peer::V2Peer(Net& net, std::unique_ptr<Peer> peer) : net_(net), peer_(std::move(peer)) {}

void V2Peer::read_v2_after_a_reply_selecting_2() {
  auto selects_2 = [](const proto::Pdu& pdu) {
    if (pdu.type != proto::MsgType::Versions) return false;
    auto reply = proto::decode_versions_reply(pdu.msg);
    return reply.ok() && reply->selected_version == v2::kVersion;
  };
  peer_->divert_after(selects_2, [this](std::string_view bytes) { on_v2_bytes(bytes); });
}

std::optional<std::int64_t> V2Peer::negotiate(std::vector<std::int64_t> versions) {
  read_v2_after_a_reply_selecting_2();
  peer_->send(proto::MsgType::Versions, proto::encode_versions_request({std::move(versions)}));
  auto pdu = peer_->expect(proto::MsgType::Versions);
  if (!pdu) return std::nullopt;
  auto reply = proto::decode_versions_reply(pdu->msg);
  EXPECT_TRUE(reply.ok()) << pdu->msg;
  if (!reply) return std::nullopt;
  return reply->selected_version;
}

std::optional<v2::Welcome> V2Peer::login(const std::string& user, const std::string& password,
                                         const std::string& device,
                                         std::vector<v2::Since> since) {
  auto version = negotiate();
  EXPECT_EQ(version, v2::kVersion) << "the server did not select protocol v2";
  if (version != v2::kVersion) return std::nullopt;
  v2::Login request{0, user, password, device};
  request.since = std::move(since);
  v2::RequestId rid = send(request);
  auto welcome = expect<v2::Welcome>();
  if (!welcome) return std::nullopt;
  EXPECT_EQ(welcome->rid, rid);
  auto snapshot = await_presence([](const v2::Presence& p) { return p.snapshot; });
  EXPECT_TRUE(snapshot) << "no presence snapshot after welcome";
  if (!snapshot) return std::nullopt;
  caught_up_.clear();
  synced_.reset();
  while (!synced_) {  // the catch-up: pages without a rid, then synced naming the login
    auto frame = wait_for([](const v2::Frame& f) { return !is_presence(f); }, 10s);
    if (!frame) {
      ADD_FAILURE() << "no synced after the login's catch-up";
      return std::nullopt;
    }
    v2::Frame f = take(*frame);
    if (auto* page = std::get_if<v2::Page>(&f)) {
      caught_up_.push_back(std::move(*page));
    } else if (auto* done = std::get_if<v2::Synced>(&f)) {
      EXPECT_EQ(done->rid, rid);
      synced_ = std::move(*done);
    } else {
      ADD_FAILURE() << "unexpected frame during the login's catch-up: " << describe(f);
      return std::nullopt;
    }
  }
  return welcome;
}

v2::RequestId V2Peer::send(v2::Frame frame) {
  v2::RequestId rid = 0;
  std::visit(
      [&](auto& f) {
        if constexpr (requires { requires std::same_as<decltype(f.rid), v2::RequestId>; }) {
          if (f.rid == 0) f.rid = next_rid();
          rid = f.rid;
        }
      },
      frame);
  send_raw(v2::encode_frame(frame));
  return rid;
}

v2::RequestId V2Peer::send_to(std::vector<std::string> names, std::string text, std::string cid) {
  return send(v2::Send{0, std::move(names), "", std::move(text), std::move(cid)});
}

v2::RequestId V2Peer::send_all(std::string text, std::string cid) {
  return send(v2::Send{0, {}, std::string(v2::kBroadcastConv), std::move(text), std::move(cid)});
}

void V2Peer::send_body(std::string_view body) {
  std::string bytes;
  for (int shift = 24; shift >= 0; shift -= 8)
    bytes.push_back(static_cast<char>((body.size() >> shift) & 0xff));
  bytes.append(body);
  send_raw(std::move(bytes));
}

void V2Peer::send_raw(std::string bytes) { peer_->send_raw(std::move(bytes)); }

void V2Peer::on_v2_bytes(std::string_view bytes) {
  v2_reader_.feed(bytes, [this](const proto::FrameEvent& ev) {
    if (ev.kind != proto::FrameEvent::Kind::Pdu) {
      ++malformed_;
      return true;
    }
    auto frame = v2::decode_body(ev.pdu, {v2::kMaxServerFrameBytes});
    if (!frame) {
      ++malformed_;
      return true;
    }
    // A client ignores frame types it does not know (section II.1, forward compatibility).
    if (!std::holds_alternative<v2::Unknown>(*frame)) inbox_.push_back(std::move(*frame));
    return true;
  });
}

std::optional<std::size_t> V2Peer::find(const std::function<bool(const v2::Frame&)>& pick) const {
  auto it = std::find_if(inbox_.begin(), inbox_.end(), pick);
  if (it == inbox_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - inbox_.begin());
}

std::optional<std::size_t> V2Peer::wait_for(const std::function<bool(const v2::Frame&)>& pick,
                                            std::chrono::milliseconds timeout) {
  net_.run_until([&] { return find(pick).has_value() || closed(); }, timeout);
  return find(pick);
}

v2::Frame V2Peer::take(std::size_t index) {
  v2::Frame frame = std::move(inbox_[index]);
  inbox_.erase(inbox_.begin() + static_cast<std::ptrdiff_t>(index));
  if (auto* presence = std::get_if<v2::Presence>(&frame)) apply(*presence);
  return frame;
}

void V2Peer::apply(const v2::Presence& presence) {
  if (presence.snapshot) online_ = {presence.online.begin(), presence.online.end()};
  for (const auto& name : presence.left) online_.erase(name);
  for (const auto& name : presence.joined) online_.insert(name);
}

std::optional<v2::Frame> V2Peer::next(std::chrono::milliseconds timeout) {
  auto index = wait_for([](const v2::Frame&) { return true; }, timeout);
  if (!index) return std::nullopt;
  return take(*index);
}

std::optional<v2::Presence> V2Peer::await_presence(
    const std::function<bool(const v2::Presence&)>& pred, std::chrono::milliseconds timeout) {
  auto apply_until_match = [&]() -> std::optional<v2::Presence> {
    while (auto index = find(is_presence)) {
      auto presence = std::get<v2::Presence>(take(*index));
      if (pred(presence)) return presence;
    }
    return std::nullopt;
  };
  std::optional<v2::Presence> found;
  net_.run_until(
      [&] {
        if (!found) found = apply_until_match();
        return found.has_value() || closed();
      },
      timeout);
  return found;
}

bool V2Peer::await_online(const std::function<bool(const std::set<std::string>&)>& pred,
                          std::chrono::milliseconds timeout) {
  if (pred(online_)) return true;
  return await_presence([&](const v2::Presence&) { return pred(online_); }, timeout).has_value();
}

std::vector<v2::Frame> V2Peer::sync(std::chrono::milliseconds timeout) {
  v2::RequestId rid = send(v2::Ping{});
  auto is_pong = [rid](const v2::Frame& f) {
    auto* pong = std::get_if<v2::Pong>(&f);
    return pong && pong->rid == rid;
  };
  auto index = wait_for(is_pong, timeout);
  EXPECT_TRUE(index) << "no pong for ping rid " << rid;
  std::vector<v2::Frame> before;
  if (!index) return before;
  for (std::size_t i = 0; i < *index; ++i)
    if (!is_presence(inbox_[i])) before.push_back(inbox_[i]);
  inbox_.erase(
      std::remove_if(inbox_.begin(), inbox_.begin() + static_cast<std::ptrdiff_t>(*index) + 1,
                     [](const v2::Frame& f) { return !is_presence(f); }),
      inbox_.begin() + static_cast<std::ptrdiff_t>(*index) + 1);
  return before;
}

}  // namespace qc::itest
