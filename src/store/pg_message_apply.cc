// The PostgreSQL message store's writes: one transaction per batch; a message's id is given
// inside it by PostgreSQL, under the conversation row's lock.
#include <set>
#include <variant>

#include "store/pg_message_store.h"
#include "store/pg_retry.h"

namespace qc::store {

using history::OpResult;
using history::Status;

namespace {

OpResult ok(std::uint64_t id = 0) { return {Status::Ok, id, {}}; }

// Creates the conversation's row if needed and locks it until the commit (apply takes every lock
// its batch needs first, in byte order; append takes it again, which returns the last id): appends
// to one conversation from every node take their turn here, so the checks below and the id given
// after them see every earlier append (ids dense and ascending in commit order, across nodes).
constexpr const char* kLockConversation =
    "INSERT INTO conversations (conv, last_id) VALUES ($1, 0) "
    "ON CONFLICT (conv) DO UPDATE SET last_id = conversations.last_id RETURNING last_id";
// Serialises appends of one sender's cid in one conversation (a re-send through another node
// while the first is in flight): the later one finds the earlier's row. The two-key space.
constexpr const char* kLockCid = "SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))";
constexpr const char* kFindCid =
    "SELECT id FROM messages WHERE sender_id = $1::bigint AND cid = $2 AND conv = $3 "
    "AND cid <> ''";
constexpr const char* kNextId =
    "UPDATE conversations SET last_id = last_id + 1 WHERE conv = $1 RETURNING last_id";
constexpr const char* kInsertMessage =
    "INSERT INTO messages (conv, id, ts, sender_id, sender, recipients, text, cid) "
    "VALUES ($1, $2::bigint, $3::bigint, $4::bigint, $5, $6, $7, $8)";
constexpr const char* kCursorAt =
    "INSERT INTO cursors (account_id, conv, read_id) VALUES ($1::bigint, $2, $3::bigint) "
    "ON CONFLICT DO NOTHING";
// The sender has read its own message when it had read everything before it.
constexpr const char* kSenderRead =
    "UPDATE cursors SET read_id = $3::bigint "
    "WHERE account_id = $1::bigint AND conv = $2 AND read_id = $3::bigint - 1";
// Lists the conversation for the account, its cursor at the latest id, unless listed already.
constexpr const char* kListAtLatest =
    "INSERT INTO cursors (account_id, conv, read_id) "
    "SELECT $1::bigint, $2, coalesce((SELECT last_id FROM conversations WHERE conv = $2), 0) "
    "ON CONFLICT DO NOTHING";
// Moves forward only, and never past the conversation's last id.
constexpr const char* kCursorForward =
    "INSERT INTO cursors (account_id, conv, read_id) "
    "SELECT $1::bigint, $2, "
    "  least($3::bigint, coalesce((SELECT last_id FROM conversations WHERE conv = $2), 0)) "
    "ON CONFLICT (account_id, conv) DO UPDATE "
    "SET read_id = greatest(cursors.read_id, excluded.read_id)";
constexpr const char* kCreateRoom =
    "INSERT INTO rooms (key, name, topic, op_id, created_at) "
    "VALUES ($1, $2, '', $3::bigint, $4::bigint) ON CONFLICT DO NOTHING";
constexpr const char* kRoomOp =
    "SELECT r.op_id, coalesce(a.username, '') FROM rooms r "
    "LEFT JOIN accounts a ON a.id = r.op_id WHERE r.key = $1";
constexpr const char* kAddMember =
    "INSERT INTO room_members (key, account_id) VALUES ($1, $2::bigint) ON CONFLICT DO NOTHING";
constexpr const char* kRemoveMember =
    "DELETE FROM room_members WHERE key = $1 AND account_id = $2::bigint";
constexpr const char* kDropCursor =
    "DELETE FROM cursors WHERE conv = $1 AND account_id = $2::bigint";
constexpr const char* kSetTopic = "UPDATE rooms SET topic = $2 WHERE key = $1";

// The conversations a batch appends to, each once, in byte order.
std::set<std::string> appended_convs(const std::vector<history::Op>& batch) {
  std::set<std::string> convs;
  for (const auto& op : batch) {
    if (const auto* m = std::get_if<history::AppendMessage>(&op)) convs.insert(m->conv);
  }
  return convs;
}

}  // namespace

std::vector<OpResult> PgMessageStore::apply(const std::vector<history::Op>& batch) {
  const std::set<std::string> convs = appended_convs(batch);
  auto results =
      pg::with_retry(*conn_, pg::Kind::Transaction, [&]() -> Result<std::vector<OpResult>> {
        // Every node locks in one order: no deadlock between batches.
        for (const auto& conv : convs) {
          auto locked = conn_->run(kLockConversation, {conv});
          if (!locked) return Unexpected<Error>{locked.error()};
        }
        std::vector<OpResult> out;
        out.reserve(batch.size());
        for (const auto& op : batch) {
          auto r = apply_one(op);
          if (!r) return Unexpected<Error>{r.error()};
          out.push_back(std::move(*r));
        }
        return out;
      });
  if (results) return std::move(*results);
  // The transaction rolled back (or its commit is in doubt: the message says so).
  return std::vector<OpResult>(batch.size(), OpResult{Status::Failed, 0, results.error().message});
}

Result<OpResult> PgMessageStore::apply_one(const history::Op& op) {
  return std::visit(
      [this](const auto& o) -> Result<OpResult> {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, history::AppendMessage>) return append(o);
        if constexpr (std::is_same_v<T, history::CreateRoom>) return create_room(o);
        if constexpr (std::is_same_v<T, history::AddMember>) {
          if (auto r = change(kAddMember, {o.key, arg(o.account_id)}); !r) return r;
          return change(kListAtLatest, {arg(o.account_id), o.key});
        }
        if constexpr (std::is_same_v<T, history::RemoveMember>) return remove_member(o);
        if constexpr (std::is_same_v<T, history::SetTopic>)
          return change(kSetTopic, {o.key, o.topic});
        if constexpr (std::is_same_v<T, history::Enroll>) {
          return change(kListAtLatest, {arg(o.account_id), o.conv});
        }
        if constexpr (std::is_same_v<T, history::SetReadCursor>) {
          return change(kCursorForward, {arg(o.account_id), o.conv, arg(o.id)});
        }
      },
      op);
}

Result<OpResult> PgMessageStore::change(const char* sql, pg::Connection::Params params) {
  auto rows = conn_->run(sql, params);
  if (!rows) return Unexpected<Error>{rows.error()};
  return ok();
}

Result<OpResult> PgMessageStore::append(const history::AppendMessage& m) {
  auto locked = conn_->run(kLockConversation, {m.conv});
  if (!locked) return Unexpected<Error>{locked.error()};
  if (!m.cid.empty()) {
    const std::string sender = arg(m.sender_id);
    if (auto r = conn_->run(kLockCid, {sender + ":" + m.conv, m.cid}); !r) {
      return Unexpected<Error>{r.error()};
    }
    auto found = conn_->run(kFindCid, {sender, m.cid, m.conv});
    if (!found) return Unexpected<Error>{found.error()};
    if (found->size() > 0) {
      return OpResult{Status::Duplicate, static_cast<std::uint64_t>(found->integer(0, 0)), {}};
    }
  }
  if (m.offline_account) {
    auto cursor = cursor_of(*m.offline_account, m.conv);
    if (!cursor) return Unexpected<Error>{cursor.error()};
    const auto last = static_cast<std::uint64_t>(locked->integer(0, 0));
    // Unread counts ids after the cursor, those retention deleted included.
    const std::uint64_t unread = cursor->listed && last > cursor->read ? last - cursor->read : 0;
    if (unread >= m.offline_bound) return OpResult{Status::OfflineFull, 0, {}};
  }
  auto next = conn_->run(kNextId, {m.conv});
  if (!next) return Unexpected<Error>{next.error()};
  const auto id = static_cast<std::uint64_t>(next->integer(0, 0));
  auto stored = conn_->run(kInsertMessage, {m.conv, arg(id), arg(m.ts), arg(m.sender_id), m.sender,
                                            join_names(m.to), m.text, m.cid});
  if (!stored) return Unexpected<Error>{stored.error()};
  // A participant's first message in the conversation is unread: its cursor starts before it.
  for (auto account : m.participants) {
    if (auto r = change(kCursorAt, {arg(account), m.conv, arg(id - 1)}); !r) return r;
  }
  if (auto r = change(kSenderRead, {arg(m.sender_id), m.conv, arg(id)}); !r) return r;
  return ok(id);
}

Result<OpResult> PgMessageStore::create_room(const history::CreateRoom& r) {
  auto rows = conn_->run(kCreateRoom, {r.key, r.name, arg(r.op_id), arg(r.ts)});
  if (!rows) return Unexpected<Error>{rows.error()};
  if (rows->changed() == 0) return room_exists(r.key);
  return ok();
}

// Exists names the room's operator (the creator whose insert won): its id and name. A statement
// after the conflicting insert sees the winner's committed row (READ COMMITTED).
Result<OpResult> PgMessageStore::room_exists(const std::string& key) {
  auto rows = conn_->run(kRoomOp, {key});
  if (!rows) return Unexpected<Error>{rows.error()};
  if (rows->size() != 1) return fail("db_failed", "cannot read the operator of " + key);
  return OpResult{Status::Exists, static_cast<std::uint64_t>(rows->integer(0, 0)),
                  rows->text(0, 1)};
}

Result<OpResult> PgMessageStore::remove_member(const history::RemoveMember& m) {
  // The conversation is no longer listed for a former member.
  if (auto r = change(kRemoveMember, {m.key, arg(m.account_id)}); !r) return r;
  return change(kDropCursor, {m.key, arg(m.account_id)});
}

}  // namespace qc::store
