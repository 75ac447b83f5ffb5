// A deterministic stand-in for the message store behind the core's store port (chat/history.h):
// it applies a Store's ops and answers a ReadStore's query as the server's writer would, with
// dense ids per conversation from 1, read cursors and room membership. Writes can be made to
// fail (fail_writes / fail_reads) to test the typed errors.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "chat/history.h"

namespace qc::chat::testing {

class FakeStore {
 public:
  history::Status fail_writes = history::Status::Ok;  // QueueFull or Failed: every write fails
  history::Status fail_reads = history::Status::Ok;
  std::uint64_t epoch = 1;

  std::vector<history::OpResult> apply(const std::vector<history::Op>& ops) {
    std::vector<history::OpResult> results;
    if (fail_writes != history::Status::Ok) {
      results.assign(ops.size(), history::OpResult{fail_writes, 0, "injected"});
      return results;
    }
    for (const history::Op& op : ops)
      results.push_back(std::visit([&](const auto& o) { return apply_one(o); }, op));
    return results;
  }

  history::ReadResult read(const history::Query& query) {
    if (fail_reads != history::Status::Ok) return {fail_reads, "injected", {}, {}};
    history::ReadResult result;
    if (const auto* page = std::get_if<history::ReadPage>(&query)) {
      result.pages.push_back(read_page(*page));
    } else if (std::holds_alternative<history::ReadRooms>(query)) {
      result.rooms = stored_rooms();
    } else {
      const auto& catch_up = std::get<history::ReadCatchUp>(query);
      for (const std::string& conv : listed[catch_up.account_id]) {
        std::uint64_t after = cursor(catch_up.account_id, conv);
        for (const proto::v2::Since& s : catch_up.since)
          if (s.conv == conv) after = s.id;
        history::PageResult p =
            after_position(conv, after, catch_up.per_conv_limit, catch_up.account_id);
        if (!p.msgs.empty() || p.unread > 0) result.pages.push_back(std::move(p));
      }
    }
    return result;
  }

  std::uint64_t cursor(std::uint64_t account, const std::string& conv) const {
    auto it = cursors.find({account, conv});
    return it == cursors.end() ? 0 : it->second;
  }
  std::size_t count(const std::string& conv) const {
    auto it = messages.find(conv);
    return it == messages.end() ? 0 : it->second.size();
  }

  std::map<std::string, std::vector<proto::v2::Msg>> messages;  // by conv, ascending ids
  std::map<std::string, std::uint64_t> last_id;
  std::map<std::pair<std::uint64_t, std::string>, std::uint64_t> cursors;
  std::map<std::uint64_t, std::set<std::string>> listed;  // conversations of an account
  std::map<std::string, std::set<std::uint64_t>> room_members;
  std::map<std::string, history::CreateRoom> room_created;  // by key
  std::map<std::string, std::string> room_topics;
  std::map<std::uint64_t, std::string> account_names;  // for ReadRooms; a test fills it
  std::map<std::tuple<std::uint64_t, std::string, std::string>, std::uint64_t> cids;

 private:
  history::OpResult apply_one(const history::AppendMessage& m) {
    if (!m.cid.empty()) {
      auto it = cids.find({m.sender_id, m.cid, m.conv});
      if (it != cids.end()) return {history::Status::Duplicate, it->second, {}};
    }
    if (m.offline_account) {
      const std::uint64_t unread = last_id[m.conv] - cursor(*m.offline_account, m.conv);
      if (unread >= m.offline_bound) return {history::Status::OfflineFull, 0, {}};
    }
    const std::uint64_t id = ++last_id[m.conv];
    messages[m.conv].push_back(
        proto::v2::Msg{m.conv, id, epoch, m.ts, m.sender, m.to, m.text, m.cid});
    if (!m.cid.empty()) cids[{m.sender_id, m.cid, m.conv}] = id;
    for (std::uint64_t p : m.participants) listed[p].insert(m.conv);
    return {history::Status::Ok, id, {}};
  }
  history::OpResult apply_one(const history::CreateRoom& r) {
    if (room_members.count(r.key)) {
      const std::uint64_t op = room_created[r.key].op_id;
      return {history::Status::Exists, op, name_of(op)};
    }
    room_members[r.key];
    room_created[r.key] = r;
    return {};
  }
  history::OpResult apply_one(const history::AddMember& a) {
    if (room_members[a.key].insert(a.account_id).second) {
      listed[a.account_id].insert(a.key);
      cursors[{a.account_id, a.key}] = last_id[a.key];
    }
    return {};
  }
  history::OpResult apply_one(const history::RemoveMember& r) {
    room_members[r.key].erase(r.account_id);
    listed[r.account_id].erase(r.key);
    return {};
  }
  history::OpResult apply_one(const history::SetTopic& t) {
    room_topics[t.key] = t.topic;
    return {};
  }
  std::vector<history::StoredRoom> stored_rooms() const {
    std::vector<history::StoredRoom> out;
    for (const auto& [key, members] : room_members) {
      history::StoredRoom r;
      r.key = key;
      auto created = room_created.find(key);
      r.name = created != room_created.end() ? created->second.name : key;
      r.op_id = created != room_created.end() ? created->second.op_id : 0;
      r.op = name_of(r.op_id);
      auto topic = room_topics.find(key);
      if (topic != room_topics.end()) r.topic = topic->second;
      for (std::uint64_t m : members) {
        r.members.push_back(m);
        r.member_names.push_back(name_of(m));
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  std::string name_of(std::uint64_t account) const {
    auto it = account_names.find(account);
    return it == account_names.end() ? std::string() : it->second;
  }
  history::OpResult apply_one(const history::Enroll& e) {
    if (listed[e.account_id].insert(e.conv).second)
      cursors[{e.account_id, e.conv}] = last_id[e.conv];
    return {};
  }
  history::OpResult apply_one(const history::SetReadCursor& c) {
    std::uint64_t& at = cursors[{c.account_id, c.conv}];
    at = std::max(at, c.id);
    return {};
  }

  history::PageResult frame(const std::string& conv, std::uint64_t account) {
    history::PageResult p;
    p.conv = conv;
    p.read = cursor(account, conv);
    p.unread = last_id[conv] - std::min(last_id[conv], p.read);
    return p;
  }
  history::PageResult after_position(const std::string& conv, std::uint64_t after,
                                     std::uint32_t limit, std::uint64_t account) {
    history::PageResult p = frame(conv, account);
    for (const proto::v2::Msg& m : messages[conv]) {
      if (m.id <= after) continue;
      if (p.msgs.size() == limit) {
        p.more = true;
        break;
      }
      p.msgs.push_back(m);
    }
    return p;
  }
  history::PageResult read_page(const history::ReadPage& q) {
    if (q.after) return after_position(q.conv, *q.after, q.limit, q.account_id);
    history::PageResult p = frame(q.conv, q.account_id);
    const auto& all = messages[q.conv];
    std::vector<proto::v2::Msg> older;
    for (const proto::v2::Msg& m : all)
      if (!q.before || m.id < *q.before) older.push_back(m);
    const std::size_t from = older.size() > q.limit ? older.size() - q.limit : 0;
    p.more = from > 0;
    p.msgs.assign(older.begin() + static_cast<std::ptrdiff_t>(from), older.end());
    return p;
  }
};

}  // namespace qc::chat::testing
