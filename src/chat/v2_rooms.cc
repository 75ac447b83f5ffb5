// Rooms over v2: join (creates), leave, rooms, topic, members, remove (docs/PROTOCOL.md, part II).
// Every change is stored before it is answered.
//
// The room table in memory changes when the request is accepted, and the change is undone when
// the store refuses it. So the next request, from any session, sees it at once: two joins that
// would create the same room do not both create it, and the member and room limits hold with
// requests in flight. The writer applies the changes in the order they were asked for, so memory
// is the store's state once the writes in flight are done. An undo after a refused write is exact
// unless a later request changed the same member meanwhile (a store that refuses one write
// refuses those after it too: the disk is full or the queue is over its bound).
#include <algorithm>

#include "chat/core_impl.h"
#include "proto/v2/codec.h"

namespace qc::chat {
namespace {

namespace v2 = proto::v2;

bool less_case_insensitive(const std::string& a, const std::string& b) {
  return name_key(a) < name_key(b);
}

}  // namespace

v2::RoomInfo Core::Impl::room_info(const Room& room, std::uint64_t asking) const {
  return v2::RoomInfo{room.name, room.topic, room.op,
                      static_cast<std::uint32_t>(room.members.size()), room.has(asking)};
}

// The room `name` names; else answers no_such_room (also for a name no room can have: only
// join, which creates, says bad_room_name).
const Room* Core::Impl::existing_room(Session& s, std::uint64_t rid, std::string_view name) {
  const std::optional<std::string> key = room_key(name);
  const Room* room = key ? rooms.find(*key) : nullptr;
  if (room == nullptr)
    send_error_v2(s, rid, v2::code::kNoSuchRoom, "no room '" + std::string(name) + "'");
  return room;
}

void Core::Impl::store_room_change(Session& s, std::uint64_t rid, std::vector<history::Op> ops,
                                   RoomChangeDone done, std::function<void()> undo) {
  ++room_generation;
  const SessionRef who = ref_of(s);
  const std::uint64_t ticket =
      pending_stores.add_write([this, who, rid, done = std::move(done),
                                undo = std::move(undo)](std::vector<history::OpResult>& results) {
        const auto refused = std::find_if(results.begin(), results.end(), [](const auto& r) {
          return r.status != history::Status::Ok && r.status != history::Status::Exists;
        });
        if (refused == results.end() && !results.empty()) return done(live(who), results);
        const history::OpResult failed =
            refused != results.end() ? *refused
                                     : history::OpResult{history::Status::Failed, 0, "no result"};
        count_store_result(failed);
        undo();
        if (Session* asker = live(who)) {
          const StoreRefusal why = store_refusal(failed);
          send_error_v2(*asker, rid, why.code, why.text);
        }
      });
  out.store(ticket, std::move(ops));
}

// To every session of the room's members (and of `also_account`: one who just left) but `except`.
void Core::Impl::room_event(const Room& room, v2::RoomEvent event, ConnHandle except,
                            std::uint64_t also_account) {
  std::vector<ConnHandle> own_ignored;
  std::vector<ConnHandle> to = room_sessions(room, except, 0, own_ignored);
  if (also_account != 0 && !room.has(also_account)) {
    if (const Member* m = presence.find_account(also_account)) {
      std::vector<ConnHandle> v1_ignored;
      split_by_version(m->conns, except, v1_ignored, to);
    }
  }
  if (to.empty()) return;
  out.deliver(make_shared_bytes(v2::encode_frame(event)), std::move(to), false);
}

void Core::Impl::on_join(Session& s, const v2::Join& join) {
  const std::optional<std::string> key = room_key(join.room);
  if (!key)
    return send_error_v2(s, join.rid, v2::code::kBadRoomName,
                         "a room name is '#' and 1-32 characters of A-Z a-z 0-9 _ . -");
  const Room* room = rooms.find(*key);
  const std::uint64_t account = s.account_id;
  if (room != nullptr && room->has(account)) return answer_join(ref_of(s), join.rid, *key, false);
  if (rooms.rooms_of(account) >= config.max_rooms_per_account)
    return send_error_v2(
        s, join.rid, v2::code::kTooManyRooms,
        "you are in " + std::to_string(config.max_rooms_per_account) + " rooms: the limit");
  if (room != nullptr && room->members.size() >= config.max_room_members)
    return send_error_v2(
        s, join.rid, v2::code::kRoomFull,
        room->name + " has " + std::to_string(config.max_room_members) + " members: the limit");
  std::vector<history::Op> ops;
  const bool created = room == nullptr;
  if (created) {
    rooms.create(*key, join.room, account, s.username);
    ops.emplace_back(history::CreateRoom{*key, join.room, account, wall_ms(input_time)});
  }
  rooms.add(*key, account, s.username);
  ops.emplace_back(history::AddMember{*key, account});
  const SessionRef who = ref_of(s);
  const std::uint64_t rid = join.rid;
  const std::string user = s.username;
  store_room_change(
      s, rid, std::move(ops),
      [this, who, rid, key = *key, created, user, account](Session*, const RoomOpResults& results) {
        // Another node's creation committed first: the room is its creator's, and ours a join.
        const history::OpResult& create = results.front();
        const bool won = created && create.status == history::Status::Ok;
        if (created && !won) rooms.set_op(key, create.id, create.detail);
        answer_join(who, rid, key, won);
        if (const Room* r = rooms.find(key)) {
          room_event(*r, {r->name, "join", user, {}, {}}, who.conn);
          publish_room(*r, "join", user, account, {}, {}, won);
        }
      },
      [this, key = *key, account, created] {
        rooms.remove(key, account);
        const Room* r = rooms.find(key);
        if (created && r != nullptr && r->members.empty()) rooms.erase(key);
      });
}

// `room`, then a page of the latest messages: read from the store, this session holding back
// live copies of the room's messages until the page is there (they are in it).
void Core::Impl::answer_join(const SessionRef& who, std::uint64_t rid, const std::string& key,
                             bool created) {
  Session* s = live(who);
  const Room* room = rooms.find(key);
  if (s == nullptr || room == nullptr) return;
  send_frame(*s, v2::Room{rid, room_info(*room, s->account_id), key, created});
  if (!config.store_messages) return send_frame(*s, v2::Page{rid, key, {}, false, 0, 0, 0});
  hold_back(*s, key);
  ++counters.history_reads;
  const std::uint64_t ticket =
      pending_stores.add_read([this, who, rid, key](history::ReadResult& result) {
        Session* reader = find_session(who.conn);
        if (reader == nullptr || reader->serial != who.serial) return;
        release_hold(*reader, key);
        if (!reader->phase.is(Phase::Authenticated)) return;
        if (result.status != history::Status::Ok) {
          count_store_result({result.status, 0, result.detail});
          const StoreRefusal why = read_refusal(result);
          return send_error_v2(*reader, rid, why.code, why.text);
        }
        if (clustered() && !result.pages.empty() && !result.pages.front().msgs.empty())
          order.start_at(key, result.pages.front().msgs.back().id);  // the room's latest
        send_page(*reader, rid,
                  result.pages.empty() ? history::PageResult{key, {}, false, 0, 0, 0}
                                       : std::move(result.pages.front()));
      });
  out.read_store(ticket, history::ReadPage{key, std::nullopt, std::nullopt,
                                           config.history_page_default, s->account_id});
}

void Core::Impl::on_leave(Session& s, const v2::Leave& leave) {
  const Room* room = existing_room(s, leave.rid, leave.room);
  if (room == nullptr) return;
  const std::uint64_t account = s.account_id;
  if (!room->has(account))
    return send_error_v2(s, leave.rid, v2::code::kNotMember,
                         "you are not a member of " + room->name);
  const std::string key = room->key;
  const std::string user = s.username;
  rooms.remove(key, account);
  const SessionRef who = ref_of(s);
  const std::uint64_t rid = leave.rid;
  store_room_change(
      s, rid, {history::RemoveMember{key, account}},
      [this, who, rid, key, user, account](Session* leaver, const RoomOpResults&) {
        if (leaver != nullptr) send_frame(*leaver, v2::Ok{rid});
        if (const Room* r = rooms.find(key)) {
          room_event(*r, {r->name, "leave", user, {}, {}}, who.conn, account);
          publish_room(*r, "leave", user, account);
        }
      },
      [this, key, account, user] { rooms.add(key, account, user); });
}

void Core::Impl::on_list_rooms(Session& s, const v2::ListRooms& list) {
  v2::RoomList answer{list.rid, {}};
  for (const Room* room : rooms.all()) answer.rooms.push_back(room_info(*room, s.account_id));
  send_frame(s, answer);
}

void Core::Impl::on_topic(Session& s, const v2::SetTopic& topic) {
  const Room* room = existing_room(s, topic.rid, topic.room);
  if (room == nullptr) return;
  if (room->op_id != s.account_id)
    return send_error_v2(s, topic.rid, v2::code::kNotOperator,
                         "only " + room->name + "'s operator sets its topic");
  if (topic.topic.size() > config.max_topic_bytes)
    return send_error_v2(
        s, topic.rid, v2::code::kTopicTooLong,
        "topic too long: limit is " + std::to_string(config.max_topic_bytes) + " bytes");
  const std::string key = room->key;
  const std::string before = room->topic;
  rooms.set_topic(key, topic.topic);
  const SessionRef who = ref_of(s);
  const std::uint64_t rid = topic.rid;
  const std::string by = s.username;
  store_room_change(
      s, rid, {history::SetTopic{key, topic.topic}},
      [this, who, rid, key, by, text = topic.topic](Session* op, const RoomOpResults&) {
        if (op != nullptr) send_frame(*op, v2::Ok{rid});
        if (const Room* r = rooms.find(key)) {
          room_event(*r, {r->name, "topic", by, by, text}, who.conn);
          publish_room(*r, "topic", by, r->op_id, by, text);
        }
      },
      [this, key, before] { rooms.set_topic(key, before); });
}

void Core::Impl::on_members(Session& s, const v2::ListMembers& members) {
  const Room* room = existing_room(s, members.rid, members.room);
  if (room == nullptr) return;
  v2::MemberList answer{members.rid, room->name, room->op, {}, {}};
  for (const auto& [account, name] : room->members) {
    answer.members.push_back(name);
    if (online_in_cluster(account, name)) answer.online.push_back(name);
  }
  std::sort(answer.members.begin(), answer.members.end(), less_case_insensitive);
  std::sort(answer.online.begin(), answer.online.end(), less_case_insensitive);
  send_frame(s, answer);
}

void Core::Impl::on_remove(Session& s, const v2::RemoveMember& remove) {
  const Room* room = existing_room(s, remove.rid, remove.room);
  if (room == nullptr) return;
  if (room->op_id != s.account_id)
    return send_error_v2(s, remove.rid, v2::code::kNotOperator,
                         "only " + room->name + "'s operator removes members");
  const auto target = std::find_if(room->members.begin(), room->members.end(), [&](const auto& m) {
    return name_key(m.second) == name_key(remove.user);
  });
  if (target == room->members.end())
    return send_error_v2(s, remove.rid, v2::code::kNotMember,
                         remove.user + " is not a member of " + room->name);
  const std::string key = room->key;
  const std::uint64_t account = target->first;
  const std::string user = target->second;
  rooms.remove(key, account);
  const SessionRef who = ref_of(s);
  const std::uint64_t rid = remove.rid;
  const std::string by = s.username;
  store_room_change(
      s, rid, {history::RemoveMember{key, account}},
      [this, who, rid, key, user, by, account](Session* op, const RoomOpResults&) {
        if (op != nullptr) send_frame(*op, v2::Ok{rid});
        if (const Room* r = rooms.find(key)) {
          room_event(*r, {r->name, "remove", user, by, {}}, who.conn, account);
          publish_room(*r, "remove", user, account, by);
        }
      },
      [this, key, account, user] { rooms.add(key, account, user); });
}

}  // namespace qc::chat
