// The message store's writes: one transaction per batch, ids given in it.
#include <variant>

#include "store/message_sqlite.h"

namespace qc::store {

using history::OpResult;
using history::Status;
using sqlite::StmtUse;

namespace {

sqlite3_int64 i64(std::uint64_t v) { return static_cast<sqlite3_int64>(v); }

OpResult ok(std::uint64_t id = 0) { return {Status::Ok, id, {}}; }

}  // namespace

Unexpected<Error> SqliteMessageStore::db_error(std::string_view context) const {
  return sqlite::db_fail(db_.get(), "db", context);
}

std::vector<OpResult> SqliteMessageStore::apply(const std::vector<history::Op>& batch) {
  auto results = apply_in_transaction(batch);
  if (results) return std::move(*results);
  // The transaction rolled back: nothing of the batch is stored.
  return std::vector<OpResult>(batch.size(), OpResult{Status::Failed, 0, results.error().message});
}

Result<std::vector<OpResult>> SqliteMessageStore::apply_in_transaction(
    const std::vector<history::Op>& batch) {
  sqlite::Transaction tx(db_.get());
  if (auto r = tx.begin(); !r) return Unexpected<Error>{r.error()};
  std::vector<OpResult> results;
  results.reserve(batch.size());
  for (const auto& op : batch) {
    auto result = apply_one(op);
    if (!result) return Unexpected<Error>{result.error()};
    results.push_back(std::move(*result));
  }
  if (auto r = tx.commit(); !r) return Unexpected<Error>{r.error()};
  return results;
}

Result<OpResult> SqliteMessageStore::apply_one(const history::Op& op) {
  return std::visit(
      [this](const auto& o) -> Result<OpResult> {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, history::AppendMessage>) return append(o);
        if constexpr (std::is_same_v<T, history::CreateRoom>) return create_room(o);
        if constexpr (std::is_same_v<T, history::AddMember>) return add_member(o);
        if constexpr (std::is_same_v<T, history::RemoveMember>) return remove_member(o);
        if constexpr (std::is_same_v<T, history::SetTopic>) return set_topic(o);
        if constexpr (std::is_same_v<T, history::Enroll>) return enroll(o);
        if constexpr (std::is_same_v<T, history::SetReadCursor>) return set_read_cursor(o);
      },
      op);
}

Result<std::uint64_t> SqliteMessageStore::last_id(const std::string& conv) {
  StmtUse use(st_.last_id.get());
  use.bind(1, conv);
  const int rc = use.step();
  if (rc == SQLITE_ROW) return static_cast<std::uint64_t>(use.column_int(0));
  if (rc == SQLITE_DONE) return std::uint64_t{0};
  return db_error("cannot read the last id of " + conv);
}

Result<MessageSource::Cursor> SqliteMessageStore::cursor_of(std::uint64_t account_id,
                                                            const std::string& conv) {
  StmtUse use(st_.cursor_of.get());
  use.bind(1, i64(account_id));
  use.bind(2, conv);
  const int rc = use.step();
  if (rc == SQLITE_ROW) return Cursor{true, static_cast<std::uint64_t>(use.column_int(0))};
  if (rc == SQLITE_DONE) return Cursor{};
  return db_error("cannot read a cursor in " + conv);
}

Result<void> SqliteMessageStore::list_for(std::uint64_t account_id, const std::string& conv,
                                          std::uint64_t read) {
  StmtUse use(st_.cursor_at.get());
  use.bind(1, i64(account_id));
  use.bind(2, conv);
  use.bind(3, i64(read));
  if (use.step() != SQLITE_DONE) return db_error("cannot list " + conv);
  return {};
}

Result<void> SqliteMessageStore::list_at_latest(std::uint64_t account_id, const std::string& conv) {
  StmtUse use(st_.cursor_at_latest.get());
  use.bind(1, i64(account_id));
  use.bind(2, conv);
  if (use.step() != SQLITE_DONE) return db_error("cannot list " + conv);
  return {};
}

Result<OpResult> SqliteMessageStore::append(const history::AppendMessage& m) {
  if (!m.cid.empty()) {
    StmtUse use(st_.find_cid.get());
    use.bind(1, i64(m.sender_id));
    use.bind(2, m.cid);
    use.bind(3, m.conv);
    const int rc = use.step();
    if (rc == SQLITE_ROW) {
      return OpResult{Status::Duplicate, static_cast<std::uint64_t>(use.column_int(0)), {}};
    }
    if (rc != SQLITE_DONE) return db_error("cannot look up a cid");
  }
  if (m.offline_account) {
    auto cursor = cursor_of(*m.offline_account, m.conv);
    if (!cursor) return Unexpected<Error>{cursor.error()};
    auto last = last_id(m.conv);
    if (!last) return Unexpected<Error>{last.error()};
    // Unread counts ids after the cursor, those retention deleted included.
    const std::uint64_t unread = cursor->listed && *last > cursor->read ? *last - cursor->read : 0;
    if (unread >= m.offline_bound) return OpResult{Status::OfflineFull, 0, {}};
  }
  std::uint64_t id = 0;
  {
    StmtUse use(st_.next_id.get());
    use.bind(1, m.conv);
    if (use.step() != SQLITE_ROW) return db_error("cannot give an id in " + m.conv);
    id = static_cast<std::uint64_t>(use.column_int(0));
  }
  {
    StmtUse use(st_.insert_message.get());
    use.bind(1, m.conv);
    use.bind(2, i64(id));
    use.bind(3, m.ts);
    use.bind(4, i64(m.sender_id));
    use.bind(5, m.sender);
    use.bind(6, join_names(m.to));
    use.bind(7, m.text);
    use.bind(8, m.cid);
    if (use.step() != SQLITE_DONE) return db_error("cannot store a message in " + m.conv);
  }
  // A participant's first message in the conversation is unread: its cursor starts before it.
  for (auto account : m.participants) {
    if (auto r = list_for(account, m.conv, id - 1); !r) return Unexpected<Error>{r.error()};
  }
  StmtUse use(st_.sender_read.get());
  use.bind(1, i64(m.sender_id));
  use.bind(2, m.conv);
  use.bind(3, i64(id));
  if (use.step() != SQLITE_DONE) return db_error("cannot move the sender's cursor in " + m.conv);
  return ok(id);
}

Result<OpResult> SqliteMessageStore::create_room(const history::CreateRoom& r) {
  StmtUse use(st_.create_room.get());
  use.bind(1, r.key);
  use.bind(2, r.name);
  use.bind(3, i64(r.op_id));
  use.bind(4, r.ts);
  if (use.step() != SQLITE_DONE) return db_error("cannot create " + r.key);
  if (sqlite3_changes(db_.get()) == 0) return room_exists(r.key);
  return ok();
}

// Exists names the room's operator (the creator whose insert won): its id and name.
Result<OpResult> SqliteMessageStore::room_exists(const std::string& key) {
  StmtUse use(st_.room_op.get());
  use.bind(1, key);
  if (use.step() != SQLITE_ROW) return db_error("cannot read the operator of " + key);
  return OpResult{Status::Exists, static_cast<std::uint64_t>(use.column_int(0)),
                  use.column_text(1)};
}

Result<OpResult> SqliteMessageStore::add_member(const history::AddMember& m) {
  {
    StmtUse use(st_.add_member.get());
    use.bind(1, m.key);
    use.bind(2, i64(m.account_id));
    if (use.step() != SQLITE_DONE) return db_error("cannot add a member to " + m.key);
  }
  if (auto r = list_at_latest(m.account_id, m.key); !r) return Unexpected<Error>{r.error()};
  return ok();
}

Result<OpResult> SqliteMessageStore::remove_member(const history::RemoveMember& m) {
  // Both bind (key, account): the conversation is no longer listed for a former member.
  for (auto* st : {st_.remove_member.get(), st_.drop_cursor.get()}) {
    StmtUse use(st);
    use.bind(1, m.key);
    use.bind(2, i64(m.account_id));
    if (use.step() != SQLITE_DONE) return db_error("cannot remove a member of " + m.key);
  }
  return ok();
}

Result<OpResult> SqliteMessageStore::set_topic(const history::SetTopic& t) {
  StmtUse use(st_.set_topic.get());
  use.bind(1, t.key);
  use.bind(2, t.topic);
  if (use.step() != SQLITE_DONE) return db_error("cannot set the topic of " + t.key);
  return ok();
}

Result<OpResult> SqliteMessageStore::enroll(const history::Enroll& e) {
  if (auto r = list_at_latest(e.account_id, e.conv); !r) return Unexpected<Error>{r.error()};
  return ok();
}

Result<OpResult> SqliteMessageStore::set_read_cursor(const history::SetReadCursor& c) {
  StmtUse use(st_.cursor_forward.get());
  use.bind(1, i64(c.account_id));
  use.bind(2, c.conv);
  use.bind(3, i64(c.id));
  if (use.step() != SQLITE_DONE) return db_error("cannot move a cursor in " + c.conv);
  return ok();
}

}  // namespace qc::store
