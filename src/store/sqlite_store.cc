// AccountStore on one SQLite connection guarded by a mutex, with cached prepared statements.
#include <ctime>
#include <mutex>
#include <utility>

#include "store/account_store.h"
#include "store/schema.h"
#include "store/sqlite_open.h"
#include "store/sqlite_util.h"

namespace qc::store {
namespace {

using sqlite::DbHandle;
using sqlite::StmtHandle;
using sqlite::StmtUse;

Unexpected<Error> name_taken(std::string_view name, const std::string& stored) {
  std::string message = "user '" + std::string(name) + "' already exists";
  if (stored != name && !stored.empty()) message += " as '" + stored + "'";
  return fail("exists", std::move(message));
}

sqlite3_int64 now_seconds() { return static_cast<sqlite3_int64>(std::time(nullptr)); }

struct Statements {
  StmtHandle find, insert, update, remove, list, rename, taken_by_other, conflicts;
};

Result<Statements> prepare_all(sqlite3* db) {
  Statements st;
  // A name means the row that matches it case-insensitively, the exact spelling first (which
  // matters only in a database with case conflicts).
  const std::pair<StmtHandle*, const char*> plan[] = {
      {&st.find,
       "SELECT id, username, password_hash FROM accounts WHERE username = ?1 COLLATE NOCASE "
       "ORDER BY username = ?1 DESC LIMIT 1"},
      {&st.insert,
       "INSERT INTO accounts (username, password_hash, created_at, updated_at) "
       "SELECT ?1, ?2, ?3, ?3 "
       "WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE username = ?1 COLLATE NOCASE)"},
      {&st.update,
       "UPDATE accounts SET password_hash = ?2, updated_at = ?3 WHERE id = (SELECT id FROM "
       "accounts WHERE username = ?1 COLLATE NOCASE ORDER BY username = ?1 DESC LIMIT 1)"},
      {&st.remove,
       "DELETE FROM accounts WHERE id = (SELECT id FROM accounts "
       "WHERE username = ?1 COLLATE NOCASE ORDER BY username = ?1 DESC LIMIT 1)"},
      {&st.list,
       "SELECT id, username, password_hash FROM accounts "
       "ORDER BY username COLLATE NOCASE, username"},
      {&st.rename, "UPDATE accounts SET username = ?2, updated_at = ?3 WHERE id = ?1"},
      {&st.taken_by_other,
       "SELECT username FROM accounts WHERE username = ?1 COLLATE NOCASE AND id != ?2 LIMIT 1"},
      {&st.conflicts,
       "SELECT username FROM accounts WHERE username COLLATE NOCASE IN "
       "(SELECT username FROM accounts GROUP BY username COLLATE NOCASE HAVING count(*) > 1) "
       "ORDER BY username COLLATE NOCASE, username"},
  };
  for (const auto& [slot, sql] : plan) {
    auto prepared = sqlite::prepare(db, sql);
    if (!prepared) return Unexpected<Error>{prepared.error()};
    *slot = std::move(prepared.value());
  }
  return st;
}

Account account_at(const StmtUse& use) {
  return {static_cast<std::uint64_t>(use.column_int(0)), use.column_text(1), use.column_text(2)};
}

// Consecutive names (sorted case-insensitively) with one normalised form make one group.
CaseConflicts group_by_case(const std::vector<std::string>& names) {
  CaseConflicts groups;
  for (const auto& n : names) {
    if (groups.empty() || normalized_username(groups.back().front()) != normalized_username(n)) {
      groups.emplace_back();
    }
    groups.back().push_back(n);
  }
  return groups;
}

class SqliteStore final : public AccountStore {
 public:
  SqliteStore(DbHandle db, Statements st) : db_(std::move(db)), st_(std::move(st)) {}

  Result<std::optional<Account>> find_account(std::string_view username) override {
    if (!valid_username(username)) return std::optional<Account>();  // cannot exist
    std::lock_guard<std::mutex> lock(mu_);
    return find_locked(username);
  }

  Result<void> add(std::string_view username, std::string_view hash) override {
    std::lock_guard<std::mutex> lock(mu_);
    return insert_locked(username, hash);
  }

  Result<void> set_hash(std::string_view username, std::string_view hash) override {
    if (!valid_username(username)) return invalid_name(username);
    if (hash.empty()) return fail("bad_hash", "empty password hash");
    std::lock_guard<std::mutex> lock(mu_);
    StmtUse use(st_.update.get());
    use.bind(1, username);
    use.bind(2, hash);
    use.bind(3, now_seconds());
    if (use.step() != SQLITE_DONE) {
      return sqlite::db_fail(db_.get(), "db", "cannot update '" + std::string(username) + "'");
    }
    if (sqlite3_changes(db_.get()) == 0) return no_such_user(username);
    return {};
  }

  Result<void> remove(std::string_view username) override {
    if (!valid_username(username)) return invalid_name(username);
    std::lock_guard<std::mutex> lock(mu_);
    StmtUse use(st_.remove.get());
    use.bind(1, username);
    if (use.step() != SQLITE_DONE) {
      return sqlite::db_fail(db_.get(), "db", "cannot delete '" + std::string(username) + "'");
    }
    if (sqlite3_changes(db_.get()) == 0) return no_such_user(username);
    return {};
  }

  Result<std::vector<Account>> list_accounts() override {
    std::lock_guard<std::mutex> lock(mu_);
    StmtUse use(st_.list.get());
    std::vector<Account> accounts;
    int rc = SQLITE_ROW;
    while ((rc = use.step()) == SQLITE_ROW) accounts.push_back(account_at(use));
    if (rc != SQLITE_DONE) return sqlite::db_fail(db_.get(), "db", "cannot list accounts");
    return accounts;
  }

  Result<void> rename(std::string_view old_name, std::string_view new_name) override {
    if (!valid_username(old_name)) return invalid_name(old_name);
    if (!valid_username(new_name)) return invalid_name(new_name);
    std::lock_guard<std::mutex> lock(mu_);
    sqlite::Transaction tx(db_.get());
    if (auto r = tx.begin(); !r) return r;
    auto found = find_locked(old_name);
    if (!found) return Unexpected<Error>{found.error()};
    if (!found->has_value()) return no_such_user(old_name);
    const std::uint64_t id = (*found)->id;
    auto other = taken_by_other_locked(new_name, id);
    if (!other) return Unexpected<Error>{other.error()};
    if (other->has_value()) return name_taken(new_name, **other);
    if (auto r = rename_locked(id, new_name); !r) return r;
    if (auto r = ensure_case_index(db_.get()); !r) return r;  // the last conflict may be gone
    return tx.commit();
  }

  Result<CaseConflicts> case_conflicts() override {
    std::lock_guard<std::mutex> lock(mu_);
    StmtUse use(st_.conflicts.get());
    std::vector<std::string> names;
    int rc = SQLITE_ROW;
    while ((rc = use.step()) == SQLITE_ROW) names.push_back(use.column_text(0));
    if (rc != SQLITE_DONE) return sqlite::db_fail(db_.get(), "db", "cannot check name cases");
    return group_by_case(names);
  }

  Result<void> add_many(const std::vector<NewAccount>& accounts) override {
    std::lock_guard<std::mutex> lock(mu_);
    sqlite::Transaction tx(db_.get());
    if (auto r = tx.begin(); !r) return r;
    for (const auto& a : accounts) {
      if (auto r = insert_locked(a.username, a.hash); !r) return r;  // tx rolls back
    }
    return tx.commit();
  }

 private:
  Result<std::optional<Account>> find_locked(std::string_view username) {
    StmtUse use(st_.find.get());
    use.bind(1, username);
    const int rc = use.step();
    if (rc == SQLITE_ROW) return std::optional<Account>(account_at(use));
    if (rc == SQLITE_DONE) return std::optional<Account>();
    return sqlite::db_fail(db_.get(), "db", "cannot look up '" + std::string(username) + "'");
  }

  // The stored spelling of another account (not `id`) that `name` means, if any.
  Result<std::optional<std::string>> taken_by_other_locked(std::string_view name,
                                                           std::uint64_t id) {
    StmtUse use(st_.taken_by_other.get());
    use.bind(1, name);
    use.bind(2, static_cast<sqlite3_int64>(id));
    const int rc = use.step();
    if (rc == SQLITE_ROW) return std::optional<std::string>(use.column_text(0));
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return sqlite::db_fail(db_.get(), "db", "cannot look up '" + std::string(name) + "'");
  }

  Result<void> rename_locked(std::uint64_t id, std::string_view new_name) {
    StmtUse use(st_.rename.get());
    use.bind(1, static_cast<sqlite3_int64>(id));
    use.bind(2, new_name);
    use.bind(3, now_seconds());
    if (use.step() == SQLITE_DONE) return {};
    return sqlite::db_fail(db_.get(), "db", "cannot rename to '" + std::string(new_name) + "'");
  }

  Result<void> insert_locked(std::string_view username, std::string_view hash) {
    if (!valid_username(username)) return invalid_name(username);
    if (hash.empty()) return fail("bad_hash", "empty password hash");
    StmtUse use(st_.insert.get());
    use.bind(1, username);
    use.bind(2, hash);
    use.bind(3, now_seconds());
    const int rc = use.step();
    const int extended = sqlite3_extended_errcode(db_.get());
    if (rc == SQLITE_DONE && sqlite3_changes(db_.get()) == 1) return {};
    if (rc == SQLITE_DONE || extended == SQLITE_CONSTRAINT_UNIQUE) {
      auto existing = find_locked(username);
      return name_taken(username, existing && existing->has_value() ? (*existing)->name : "");
    }
    return sqlite::db_fail(db_.get(), "db", "cannot add '" + std::string(username) + "'");
  }

  std::mutex mu_;
  DbHandle db_;  // declared before st_: statements are finalized first
  Statements st_;
};

}  // namespace

Result<std::unique_ptr<AccountStore>> open_sqlite_store(const std::string& path,
                                                        const SqliteOptions& opts) {
  auto db = open_database(path, opts);
  if (!db) return Unexpected<Error>{db.error()};
  auto st = prepare_all(db->get());
  if (!st) return Unexpected<Error>{st.error()};
  return std::unique_ptr<AccountStore>(new SqliteStore(std::move(*db), std::move(st.value())));
}

}  // namespace qc::store
