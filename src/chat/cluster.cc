// A cluster (docs/ARCHITECTURE.md, "A cluster"): what this node publishes for the others, and
// what it does with their events. Messages: every committed message is published; each node
// delivers the messages of a conversation to its own sessions in id order, once (ConvOrder), and
// reads from the store what the bus lost. Presence: an account is online while it has a session
// on any node; this node publishes its own part and keeps the others'. Rooms: each node applies
// the others' committed changes to its RoomTable, and reads them all from the store again when
// the bus comes back Up. Session ends (kick, password, deletion) reach every node.
#include <utility>

#include "chat/core_impl.h"
#include "chat/room_changes.h"
#include "util/account_rules.h"

namespace qc::chat {
namespace {

namespace bus = proto::bus;
namespace v2 = proto::v2;

bus::ConvKind kind_of(SendPart::Kind kind) {
  switch (kind) {
    case SendPart::Kind::Direct:
      return bus::ConvKind::Direct;
    case SendPart::Kind::Room:
      return bus::ConvKind::Room;
    case SendPart::Kind::Broadcast:
      break;
  }
  return bus::ConvKind::Broadcast;
}

SendPart::Kind part_kind_of(bus::ConvKind kind) {
  switch (kind) {
    case bus::ConvKind::Direct:
      return SendPart::Kind::Direct;
    case bus::ConvKind::Room:
      return SendPart::Kind::Room;
    case bus::ConvKind::Broadcast:
      break;
  }
  return SendPart::Kind::Broadcast;
}

bus::ConvKind kind_of_conv(std::string_view conv) {
  if (conv == v2::kBroadcastConv) return bus::ConvKind::Broadcast;
  return !conv.empty() && conv.front() == '#' ? bus::ConvKind::Room : bus::ConvKind::Direct;
}

}  // namespace

// --- messages ---------------------------------------------------------------------------------

void Core::Impl::deliver_stored(const Sender& from, const SendPart& part, v2::Msg msg,
                                std::string_view cid, bool v1_too, v2::Ack* ack) {
  if (!clustered()) return deliver_part(from, part, std::move(msg), cid, v1_too, ack);
  bus::Msg event{kind_of(part.kind), msg,
                 from.account_id,    0,
                 from.v1_id,         part.v1_type == proto::MsgType::OneToMany};
  event.msg.cid = std::string(cid);
  if (part.kind == SendPart::Kind::Direct) {
    event.msg.to = {part.target.name};
    event.to_id = part.target.id;
  }
  out.publish(std::move(event));
  deliver_in_order(OrderedDelivery{from, part, std::move(msg), std::string(cid), v1_too}, ack);
}

// The ack (too-long errors of v1 copies) only where the message goes out at once.
void Core::Impl::deliver_in_order(OrderedDelivery d, v2::Ack* ack) {
  const std::string conv = d.part.conv;
  const std::uint64_t id = d.msg.id;
  std::vector<OrderedDelivery> ready = order.offer(conv, id, std::move(d), input_time);
  for (std::size_t i = 0; i < ready.size(); ++i) {
    OrderedDelivery& r = ready[i];
    deliver_part(r.from, r.part, std::move(r.msg), r.cid, r.v1_too, i == 0 ? ack : nullptr);
  }
}

// Another node's message: no session of this node sent it, so its v1 sessions get it too (by the
// sender's v1 id: the event's, or the one this node knows).
OrderedDelivery Core::Impl::delivery_of(bus::Msg e) const {
  OrderedDelivery d;
  d.from = Sender{{}, e.from_id, e.msg.from, e.v1_from != 0 ? e.v1_from : remote_v1_id(e.msg.from)};
  d.v1_too = true;
  d.part.v1_type = e.v1_many ? proto::MsgType::OneToMany : proto::MsgType::OneToOne;
  d.part.kind = part_kind_of(e.kind);
  d.part.conv = e.msg.conv;
  if (e.kind == bus::ConvKind::Direct && !e.msg.to.empty())
    d.part.target = AccountRef{e.to_id, e.msg.to.front()};
  d.cid = std::move(e.msg.cid);
  e.msg.cid.clear();
  d.msg = std::move(e.msg);
  return d;
}

AccountLookup Core::Impl::target_account(std::string_view name) const {
  if (const Member* online = presence.find_name(name))
    return {AccountRef{online->account_id, online->username}, false};
  if (!valid_username(name) || !config.directory) return {};
  return config.directory->lookup(name);
}

std::uint64_t Core::Impl::account_id_of(std::string_view name) const {
  const AccountLookup found = target_account(name);
  return found.account ? found.account->id : 0;
}

// A message read from the store (a repair) as if the bus had brought it.
bus::Msg Core::Impl::event_of_stored(v2::Msg msg) const {
  bus::Msg e;
  e.kind = kind_of_conv(msg.conv);
  e.from_id = account_id_of(msg.from);
  if (e.kind == bus::ConvKind::Direct && !msg.to.empty()) e.to_id = account_id_of(msg.to.front());
  e.msg = std::move(msg);
  return e;
}

void Core::Impl::repair(const std::vector<ConvOrder<OrderedDelivery>::Gap>& gaps) {
  for (const auto& gap : gaps) {
    const std::uint64_t ticket = pending_stores.add_read(
        [this, conv = gap.conv, after = gap.after](history::ReadResult& result) {
          repair_done(conv, after, result);
        });
    out.read_store(
        ticket, history::ReadPage{gap.conv, std::nullopt, gap.after, config.history_page_max, 0});
  }
}

// What the store has after `after` goes out in order (the ids delivered meanwhile are dropped as
// duplicates); a full page asks for the next one before a hole is given up.
void Core::Impl::repair_done(const std::string& conv, std::uint64_t after,
                             history::ReadResult& result) {
  std::uint64_t from = 0, to = 0, delivered = 0;
  bool more = false;
  if (result.status != history::Status::Ok) {
    count_store_result({result.status, 0, result.detail});
  } else if (!result.pages.empty()) {
    history::PageResult& page = result.pages.front();
    more = page.more;
    for (v2::Msg& msg : page.msgs) {
      const std::uint64_t id = msg.id;
      const std::uint64_t last = order.last_delivered(conv);
      deliver_in_order(delivery_of(event_of_stored(std::move(msg))), nullptr);
      if (order.last_delivered(conv) == last) continue;
      if (from == 0) from = id;
      to = order.last_delivered(conv);
      ++delivered;
    }
  }
  if (delivered > 0) {
    ++counters.bus_gaps_repaired;
    logger.info(
        "cluster_gap_repaired",
        {{"conv", conv}, {"after", after}, {"from", from}, {"to", to}, {"messages", delivered}});
  }
  if (more) return repair({{conv, order.last_delivered(conv)}});
  const std::uint64_t skipped_before = order.stats().skipped;
  std::vector<OrderedDelivery> ready = order.repaired(conv, input_time);
  if (order.stats().skipped != skipped_before) {
    ++counters.bus_gaps_skipped;
    logger.warn("cluster_gap_skipped", {{"conv", conv}, {"after", after}});
  }
  for (OrderedDelivery& r : ready)
    deliver_part(r.from, r.part, std::move(r.msg), r.cid, r.v1_too, nullptr);
}

// --- presence ---------------------------------------------------------------------------------

bool Core::Impl::online_remotely(std::string_view key) const {
  for (const auto& [node, names] : remote_online)
    if (names.count(std::string(key)) != 0) return true;
  return false;
}

bool Core::Impl::online_in_cluster(std::uint64_t account, std::string_view name) const {
  const Member* m = account != 0 ? presence.find_account(account) : presence.find_name(name);
  return m != nullptr || (clustered() && online_remotely(name_key(name)));
}

bool Core::Impl::local_presence_changed(const Session& s, bool online) {
  if (!clustered()) return true;
  out.publish(bus::Presence{s.username, s.account_id, online, s.phase.user_id()});
  return !online_remotely(name_key(s.username));
}

// `name` changed on another node; `before`: whether it was online in the cluster before.
void Core::Impl::remote_presence_changed(const std::string& name, bool before) {
  const bool now = online_in_cluster(0, name);
  if (now == before) return;
  broadcast_presence(now ? proto::MsgType::LoginBroadcast : proto::MsgType::LogoutBroadcast, 0);
  presence_feed.changed(name, now);
  schedule_presence_flush();
}

void Core::Impl::on_bus_presence(std::string_view origin, const bus::Presence& e) {
  const std::string key = name_key(e.user);
  const bool before = online_in_cluster(0, e.user);
  remember_remote_v1(origin, e);
  auto& names = remote_online[std::string(origin)];
  if (e.online)
    names[key] = e.user;
  else
    names.erase(key);
  remote_presence_changed(e.user, before);
}

// --- rooms ------------------------------------------------------------------------------------

void Core::Impl::publish_room(const Room& room, std::string change, const std::string& user,
                              std::uint64_t user_id, std::string by, std::string topic,
                              bool created) {
  if (!clustered()) return;
  out.publish(bus::Room{std::move(change), room.name, user, user_id, std::move(by),
                        std::move(topic), created});
}

// The change is committed already: this node's table follows, and its sessions of the room get
// the room_event as the origin's did.
void Core::Impl::on_bus_room(const bus::Room& e) {
  const std::optional<std::string> key = room_key(e.room);
  if (!key) return;
  ++room_generation;
  std::uint64_t left = 0;
  if (e.change == "join") {
    // Only the node whose CreateRoom the store took says `created`: its user is the creator
    // (this node may have created the room too in memory, and learns from its store it lost).
    if (e.created && !rooms.create(*key, e.room, e.user_id, e.user))
      rooms.set_op(*key, e.user_id, e.user);
    rooms.add(*key, e.user_id, e.user);
  } else if (e.change == "topic") {
    rooms.set_topic(*key, e.topic);
  } else {
    rooms.remove(*key, e.user_id);
    left = e.user_id;
  }
  const Room* room = rooms.find(*key);
  if (room == nullptr) {
    logger.warn("cluster_room_unknown", {{"room", e.room}, {"change", e.change}});
    return;
  }
  room_event(*room, {room->name, e.change, e.user, e.by, e.topic}, 0, left);
}

void Core::Impl::reload_rooms() {
  const std::uint64_t asked_at = room_generation;
  const std::uint64_t ticket = pending_stores.add_read(
      [this, asked_at](history::ReadResult& result) { rooms_reloaded(result, asked_at); });
  out.read_store(ticket, history::ReadRooms{});
}

// The store's rooms replace this node's, and its sessions get room events for the differences.
// A room change made here or heard of since the read was asked may be missing from it: then the
// read is asked again rather than that change undone.
void Core::Impl::rooms_reloaded(history::ReadResult& result, std::uint64_t asked_at) {
  if (result.status != history::Status::Ok) {
    count_store_result({result.status, 0, result.detail});
    logger.warn("cluster_rooms_unread", {{"detail", result.detail}});
    return;
  }
  if (room_generation != asked_at) return reload_rooms();
  const RoomTable before = std::exchange(rooms, RoomTable(result.rooms));
  const std::vector<RoomChange> changes = room_changes(before, rooms);
  for (const RoomChange& c : changes) {
    const Room* room = rooms.find(c.key);
    if (room == nullptr) room = before.find(c.key);
    const bool left = c.kind == RoomChange::Kind::Leave;
    room_event(*room, {room->name, std::string(change_name(c.kind)), c.user, {}, c.topic}, 0,
               left ? c.account : 0);
  }
  logger.info("cluster_rooms_reloaded", {{"rooms", rooms.size()}, {"changes", changes.size()}});
}

// --- session ends -----------------------------------------------------------------------------

void Core::Impl::on_end_sessions(std::string_view origin, const bus::EndSessions& e) {
  const auto code = static_cast<proto::CloseCode>(e.code);
  const std::size_t ended =
      close_account_sessions(e.user, nullptr, code, e.reason,
                             [&](Session& s) { s.kicked = code == proto::CloseCode::Kicked; });
  if (ended > 0)
    logger.info("cluster_sessions_ended",
                {{"user", e.user}, {"origin", origin}, {"sessions", ended}, {"reason", e.reason}});
}

// --- inputs -----------------------------------------------------------------------------------

void Core::bus_event(std::string_view origin, bus::Event event, TimePoint now) {
  if (!impl_->clustered() || origin == impl_->config.node_id) return;
  impl_->input_time = now;
  ++impl_->counters.bus_events;
  std::visit(
      [&](auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, bus::Msg>) {
          impl_->deliver_in_order(impl_->delivery_of(std::move(e)), nullptr);
        } else if constexpr (std::is_same_v<E, bus::Presence>) {
          impl_->on_bus_presence(origin, e);
        } else if constexpr (std::is_same_v<E, bus::Room>) {
          impl_->on_bus_room(e);
        } else {
          impl_->on_end_sessions(origin, e);
        }
      },
      event);
}

void Core::node_down(std::string_view node, TimePoint now) {
  auto it = impl_->remote_online.find(std::string(node));
  if (it == impl_->remote_online.end()) return;
  impl_->input_time = now;
  const std::map<std::string, std::string> names = std::move(it->second);
  impl_->remote_online.erase(it);
  impl_->prune_remote_v1();
  impl_->logger.info("cluster_node_down", {{"node", node}, {"accounts", names.size()}});
  for (const auto& [key, name] : names) impl_->remote_presence_changed(name, true);
}

void Core::bus_up(const RemoteOnline& snapshot, TimePoint now) {
  if (!impl_->clustered()) return;
  impl_->input_time = now;
  std::map<std::string, std::map<std::string, std::string>> next;
  for (const auto& [node, names] : snapshot) {
    if (node == impl_->config.node_id) continue;
    for (const std::string& name : names) next[node][name_key(name)] = name;
  }
  std::map<std::string, bool> before;  // every name either side knows: online before?
  for (const auto* side : {&impl_->remote_online, &next})
    for (const auto& [node, names] : *side)
      for (const auto& [key, name] : names) before.emplace(name, impl_->online_in_cluster(0, name));
  impl_->remote_online = std::move(next);
  impl_->prune_remote_v1();
  impl_->v1_ids.drop_block();
  for (const auto& [name, was] : before) impl_->remote_presence_changed(name, was);
  const auto gaps = impl_->order.everything();
  impl_->logger.info("cluster_bus_up",
                     {{"nodes", snapshot.size()}, {"conversations", gaps.size()}});
  impl_->repair(gaps);
  impl_->reload_rooms();
}

}  // namespace qc::chat
