// v1 across the nodes of a cluster (docs/PROTOCOL.md, "In a cluster"): v1 user ids unique in the
// cluster (V1Ids, blocks from the bus), the other nodes' accounts in v1 lists by the v1 id their
// node gave them, and those ids as v1 targets (the message is stored and published as any other;
// the recipient's node delivers it to its v1 sessions: cluster.cc, delivery_of).
#include <algorithm>

#include "chat/core_impl.h"
#include "chat/login_flow.h"

namespace qc::chat {

namespace bus = proto::bus;

// Only an account coming online takes an id (its other sessions share it); none without a
// cluster (Presence counts from 1).
bool Core::Impl::v1_id_for(Session& s, std::uint64_t& id) {
  id = 0;
  if (!clustered() || !presence.comes_online(s.pending_username)) return true;
  if (const std::optional<std::uint64_t> next = v1_ids.take()) {
    id = *next;
    return true;
  }
  waiting_for_v1_id.push_back(ref_of(s));
  ask_v1_ids();
  return false;
}

void Core::Impl::ask_v1_ids() {
  if (v1_ids.asked) return;
  v1_ids.asked = true;
  out.take_v1_ids(V1Ids::kBlock, v1_ids.highest());
}

// Every login waiting for an id goes on from where it waited (a duplicate is checked again:
// another session of the name may have come meanwhile), or is refused as with no account store.
void Core::v1_ids_taken(std::optional<std::uint64_t> first, std::uint64_t count, TimePoint now) {
  impl_->input_time = now;
  impl_->v1_ids.asked = false;
  if (first) impl_->v1_ids.granted(*first, count);
  std::vector<SessionRef> waiting = std::move(impl_->waiting_for_v1_id);
  impl_->waiting_for_v1_id.clear();
  for (const SessionRef& ref : waiting) {
    Session* s = impl_->find_session(ref.conn);
    if (s == nullptr || s->serial != ref.serial ||
        !(s->phase.is(Phase::LoginPending) || s->phase.is(Phase::LoginProbing)))
      continue;
    if (first) {
      impl_->settle_login(*s, now);
    } else {
      s->phase.login_failed();
      impl_->fail_login(*s, LoginFailure::StoreUnavailable, now, false);
    }
    impl_->drain_pending(*s, now);
  }
}

// This node's accounts and the others' that have a v1 id, in id order (so the newest last).
proto::UserList Core::Impl::v1_user_list() const {
  proto::UserList list = presence.user_list();
  if (!clustered() || remote_members.empty()) return list;
  for (const auto& [id, m] : remote_members)
    if (!presence.contains_name(m.username) && remote_v1_id(m.username) == id)
      list.push_back(proto::UserEntry{id, m.username});
  std::sort(list.begin(), list.end(), [](const proto::UserEntry& a, const proto::UserEntry& b) {
    return a.user_id < b.user_id;
  });
  return list;
}

// An account online on several other nodes is listed once, by the lowest of their ids.
std::uint64_t Core::Impl::remote_v1_id(std::string_view name) const {
  const std::string key = name_key(name);
  std::uint64_t lowest = 0;
  for (const auto& [node, ids] : remote_v1) {
    auto it = ids.find(key);
    if (it != ids.end() && (lowest == 0 || it->second < lowest)) lowest = it->second;
  }
  return lowest;
}

void Core::Impl::remember_remote_v1(std::string_view origin, const bus::Presence& e) {
  const std::string key = name_key(e.user);
  forget_remote_v1(std::string(origin), key);
  if (!e.online || e.v1_id == 0) return;
  v1_ids.saw(e.v1_id);
  remote_v1[std::string(origin)][key] = e.v1_id;
  remote_members[e.v1_id] = Member{e.v1_id, e.user, e.id, {}};
}

void Core::Impl::forget_remote_v1(std::string_view origin, const std::string& key) {
  auto node = remote_v1.find(std::string(origin));
  if (node == remote_v1.end()) return;
  auto it = node->second.find(key);
  if (it == node->second.end()) return;
  remote_members.erase(it->second);
  node->second.erase(it);
  if (node->second.empty()) remote_v1.erase(node);
}

// What the other nodes' presence no longer has (a node down, the bus Up again) leaves the v1 view.
void Core::Impl::prune_remote_v1() {
  std::vector<std::pair<std::string, std::string>> gone;
  for (const auto& [node, ids] : remote_v1) {
    auto online = remote_online.find(node);
    for (const auto& [key, id] : ids)
      if (online == remote_online.end() || online->second.count(key) == 0)
        gone.emplace_back(node, key);
  }
  for (const auto& [node, key] : gone) forget_remote_v1(node, key);
}

}  // namespace qc::chat
