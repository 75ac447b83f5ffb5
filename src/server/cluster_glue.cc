// The cluster's glue (docs/ARCHITECTURE.md, "A cluster"): the core's Publish actions go to the
// bus encoded (a Presence event also sets this node's presence in Redis); what the bus brings is
// decoded and given to the core. A payload that does not decode is logged with its origin and
// counted, never fatal: another node's bytes are input like a client's.
#include <chrono>

#include "io/wall_clock.h"
#include "proto/bus/codec.h"
#include "server/chat_server.h"
#include "util/log.h"

namespace qc::server {
namespace {

std::string address_text(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

void ChatServer::attach_bus(cluster::Bus* bus) {
  bus_ = bus;
  if (bus_ == nullptr) return;
  cluster::Bus::Callbacks callbacks;
  const std::weak_ptr<bool> alive = alive_;
  callbacks.message = [this, alive](std::string_view origin, std::string_view payload) {
    if (!alive.expired()) on_bus_message(origin, payload);
  };
  callbacks.state = [this, alive](cluster::BusState state) {
    if (!alive.expired()) on_bus_state(state);
  };
  callbacks.node_down = [this, alive](std::string_view node) {
    if (!alive.expired()) on_node_down(node);
  };
  callbacks.node_up = [](std::string_view node) { log::info("cluster_node_up", {{"node", node}}); };
  // This node's health in its heartbeat record (quicchat admin nodes on any node shows it).
  callbacks.record = [this, alive, started = io::unix_ms_now()] {
    cluster::NodeRecord record;
    if (alive.expired()) return record;
    record.address = address_text(config_.transport.host, port());
    record.up_since_ms = started;
    record.sessions = core_.stats().sessions;
    record.store_ok = counters_.last_store_ok;
    record.store_us = static_cast<std::uint64_t>(counters_.last_store_time.count());
    return record;
  };
  bus_->set_callbacks(std::move(callbacks));
}

std::optional<cluster::BusStats> ChatServer::bus_stats() const {
  if (bus_ == nullptr) return std::nullopt;
  return bus_->stats();
}

void ChatServer::publish(const proto::bus::Event& event) {
  if (bus_ == nullptr) return;
  if (const auto* presence = std::get_if<proto::bus::Presence>(&event))
    bus_->set_online(presence->user, presence->online);
  std::string payload = proto::bus::encode(event);
  const auto* msg = std::get_if<proto::bus::Msg>(&event);
  if (msg != nullptr && bus_->stats().state != cluster::BusState::Up)
    remember_unpublished(msg->msg.conv, payload);
  bus_->publish(std::move(payload));
}

// A node that came Up before this one has already read the store for what the bus lost; a
// message this node stored after that read, while its own bus was still down, would reach it only
// with the conversation's next message. So the last such message per conversation goes out once
// this node is Up: a node that has it drops it as a duplicate, one that lacks it sees the gap
// before it and reads it from the store (ConvOrder). Bounded: past kMaxUnpublished conversations
// the others wait for the next message of the rest, which the log says.
void ChatServer::remember_unpublished(const std::string& conv, const std::string& payload) {
  static constexpr std::size_t kMaxUnpublished = 10000;
  auto it = unpublished_.find(conv);
  if (it != unpublished_.end()) {
    it->second = payload;
  } else if (unpublished_.size() < kMaxUnpublished) {
    unpublished_.emplace(conv, payload);
  } else {
    log::warn("cluster_unpublished_full", {{"conv", conv}});
  }
}

void ChatServer::republish_unpublished() {
  if (unpublished_.empty()) return;
  log::info("cluster_republished", {{"conversations", unpublished_.size()}});
  for (auto& [conv, payload] : unpublished_) bus_->publish(std::move(payload));
  unpublished_.clear();
}

// The answer is the core's input. Until the bus is first Up (or Up again) the request waits for
// it (the logins wait, within their timeout); while it is Down, or when it goes Down with the
// request out, the answer is "none" (the logins are refused), and a late reply is ignored.
void ChatServer::take_v1_ids(const chat::action::TakeV1Ids& a) {
  if (bus_ == nullptr || bus_->stats().state == cluster::BusState::Down) {
    // Not within carry_out_actions: the core's answer makes actions of its own.
    const std::weak_ptr<bool> alive = alive_;
    loop_.add_timer(loop_.now(), [this, alive, count = a.count] {
      if (alive.expired()) return;
      core_.v1_ids_taken(std::nullopt, count, loop_.now());
      carry_out_actions();
    });
    return;
  }
  const cluster::BusState state = bus_->stats().state;
  const std::uint64_t request = ++v1_ids_request_;
  v1_ids_out_ = true;
  if (state != cluster::BusState::Up) {
    v1_ids_held_ = a;
    return;
  }
  const std::weak_ptr<bool> alive = alive_;
  bus_->take_ids(a.count, a.above,
                 [this, alive, request, count = a.count](std::optional<std::uint64_t> first) {
                   if (alive.expired() || request != v1_ids_request_ || !v1_ids_out_) return;
                   v1_ids_out_ = false;
                   core_.v1_ids_taken(first, count, loop_.now());
                   carry_out_actions();
                 });
}

void ChatServer::on_bus_message(std::string_view origin, std::string_view payload) {
  auto event = proto::bus::decode(payload);
  if (!event) {
    ++counters_.bus_bad_payloads;
    log::warn("cluster_bad_payload",
              {{"origin", origin}, {"error", event.error().detail}, {"bytes", payload.size()}});
    return;
  }
  core_.bus_event(origin, std::move(*event), loop_.now());
  carry_out_actions();
}

// Up again: whatever was published meanwhile is lost, so the core takes the other nodes' presence
// as Redis has it now, reads every conversation it delivers from the store after its last id, and
// reads the rooms again (a ReadStore of ReadRooms, on the writer like every store request).
void ChatServer::on_bus_state(cluster::BusState state) {
  log::info("cluster_bus_state", {{"state", cluster::bus_state_name(state)}});
  if (state != cluster::BusState::Up) {
    if (!v1_ids_out_) return;
    v1_ids_out_ = false;
    v1_ids_held_.reset();
    core_.v1_ids_taken(std::nullopt, 0, loop_.now());
    carry_out_actions();
    return;
  }
  if (v1_ids_held_) {
    const chat::action::TakeV1Ids held = *v1_ids_held_;
    v1_ids_held_.reset();
    v1_ids_out_ = false;
    take_v1_ids(held);
  }
  republish_unpublished();
  core_.bus_up(bus_->remote_online(), loop_.now());
  carry_out_actions();
}

void ChatServer::on_node_down(std::string_view node) {
  core_.node_down(node, loop_.now());
  carry_out_actions();
}

}  // namespace qc::server
