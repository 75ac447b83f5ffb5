// The SQLite message store's reads: the queries history pages and the login catch-up are cut
// from (message_reading.cc cuts them).
#include "store/message_sqlite.h"

namespace qc::store {

using proto::v2::Msg;
using sqlite::StmtUse;

namespace {

sqlite3_int64 i64(std::uint64_t v) {
  return static_cast<sqlite3_int64>(std::min<std::uint64_t>(v, kNoUpperBound));
}

}  // namespace

history::ReadResult SqliteMessageStore::read(const history::Query& query) {
  return read_messages(*this, query);
}

Result<std::vector<Msg>> SqliteMessageStore::messages(const std::string& conv, std::uint64_t after,
                                                      std::uint64_t before, std::uint32_t limit,
                                                      bool newest_first) {
  StmtUse use(newest_first ? st_.page_descending.get() : st_.page_ascending.get());
  use.bind(1, conv);
  use.bind(2, i64(after));
  use.bind(3, i64(before));
  use.bind(4, static_cast<sqlite3_int64>(limit) + 1);
  std::vector<Msg> rows;
  int rc = SQLITE_ROW;
  while ((rc = use.step()) == SQLITE_ROW) {
    Msg m;
    m.conv = conv;
    m.id = static_cast<std::uint64_t>(use.column_int(0));
    m.epoch = epoch_;
    m.ts = use.column_int(1);
    m.from = use.column_text(2);
    m.to = split_names(use.column_text(3));
    m.text = use.column_text(4);
    m.cid = use.column_text(5);
    rows.push_back(std::move(m));
  }
  if (rc != SQLITE_DONE) return db_error("cannot read messages of " + conv);
  return rows;
}

Result<std::vector<MessageSource::Listed>> SqliteMessageStore::listed_convs(
    std::uint64_t account_id) {
  StmtUse use(st_.listed_convs.get());
  use.bind(1, i64(account_id));
  std::vector<Listed> listed;
  int rc = SQLITE_ROW;
  while ((rc = use.step()) == SQLITE_ROW) {
    listed.push_back({use.column_text(0), static_cast<std::uint64_t>(use.column_int(1)),
                      static_cast<std::uint64_t>(use.column_int(2))});
  }
  if (rc != SQLITE_DONE) return db_error("cannot list the conversations of an account");
  return listed;
}

}  // namespace qc::store
