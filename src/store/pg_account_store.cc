// AccountStore on one PostgreSQL connection guarded by a mutex (the hashing pool's threads and
// the loop share it; each call is a few short statements).
#include <ctime>
#include <mutex>

#include "store/account_store.h"
#include "store/pg_retry.h"
#include "store/pg_schema.h"
#include "store/pg_store.h"

namespace qc::store {
namespace {

using pg::Connection;
using pg::Kind;
using pg::with_retry;

std::string now_seconds() { return std::to_string(static_cast<long long>(std::time(nullptr))); }

// A name means the row that matches it case-insensitively (the unique index makes it at most one).
constexpr const char* kFind =
    "SELECT id, username, password_hash FROM accounts WHERE lower(username) = lower($1)";
// No sequence value is taken when the name is known (ids stay dense in the usual case).
constexpr const char* kInsert =
    "INSERT INTO accounts (username, password_hash, created_at, updated_at) "
    "SELECT $1, $2, $3::bigint, $3::bigint "
    "WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE lower(username) = lower($1)) "
    "ON CONFLICT DO NOTHING";
constexpr const char* kUpdate =
    "UPDATE accounts SET password_hash = $2, updated_at = $3::bigint "
    "WHERE lower(username) = lower($1)";
constexpr const char* kRemove = "DELETE FROM accounts WHERE lower(username) = lower($1)";
// Case-insensitively, ties in byte order: SQLite's NOCASE then BINARY.
constexpr const char* kList =
    "SELECT id, username, password_hash FROM accounts "
    "ORDER BY lower(username) COLLATE \"C\", username COLLATE \"C\"";
constexpr const char* kRename =
    "UPDATE accounts SET username = $2, updated_at = $3::bigint WHERE id = $1::bigint";
constexpr const char* kTakenByOther =
    "SELECT username FROM accounts WHERE lower(username) = lower($1) AND id <> $2::bigint";

Account account_at(const pg::Rows& rows, int row) {
  return {static_cast<std::uint64_t>(rows.integer(row, 0)), rows.text(row, 1), rows.text(row, 2)};
}

class PgAccountStore final : public AccountStore {
 public:
  explicit PgAccountStore(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}

  Result<std::optional<Account>> find_account(std::string_view username) override {
    if (!valid_username(username)) return std::optional<Account>();  // cannot exist
    std::lock_guard<std::mutex> lock(mu_);
    return with_retry(*conn_, Kind::Read, [&] { return find_locked(username); });
  }

  Result<void> add(std::string_view username, std::string_view hash) override {
    std::lock_guard<std::mutex> lock(mu_);
    return with_retry(*conn_, Kind::Transaction, [&] { return insert_locked(username, hash); });
  }

  Result<void> set_hash(std::string_view username, std::string_view hash) override {
    if (!valid_username(username)) return invalid_name(username);
    if (hash.empty()) return fail("bad_hash", "empty password hash");
    return change_one(kUpdate, {std::string(username), std::string(hash), now_seconds()}, username,
                      "cannot update");
  }

  Result<void> remove(std::string_view username) override {
    if (!valid_username(username)) return invalid_name(username);
    return change_one(kRemove, {std::string(username)}, username, "cannot delete");
  }

  Result<std::vector<Account>> list_accounts() override {
    std::lock_guard<std::mutex> lock(mu_);
    return with_retry(*conn_, Kind::Read, [&]() -> Result<std::vector<Account>> {
      auto rows = conn_->run(kList);
      if (!rows) return Unexpected<Error>{rows.error()};
      std::vector<Account> accounts;
      for (int i = 0; i < rows->size(); ++i) accounts.push_back(account_at(*rows, i));
      return accounts;
    });
  }

  Result<void> rename(std::string_view old_name, std::string_view new_name) override {
    if (!valid_username(old_name)) return invalid_name(old_name);
    if (!valid_username(new_name)) return invalid_name(new_name);
    std::lock_guard<std::mutex> lock(mu_);
    return with_retry(*conn_, Kind::Transaction, [&] { return rename_locked(old_name, new_name); });
  }

  // The unique index on lower(username) exists from the first schema: never any.
  Result<CaseConflicts> case_conflicts() override { return CaseConflicts{}; }

  Result<void> add_many(const std::vector<NewAccount>& accounts) override {
    std::lock_guard<std::mutex> lock(mu_);
    return with_retry(*conn_, Kind::Transaction, [&]() -> Result<void> {
      for (const auto& a : accounts) {
        if (auto r = insert_locked(a.username, a.hash); !r) return r;  // rolls back
      }
      return {};
    });
  }

 private:
  Result<std::optional<Account>> find_locked(std::string_view username) {
    auto rows = conn_->run(kFind, {std::string(username)});
    if (!rows) return Unexpected<Error>{rows.error()};
    if (rows->size() == 0) return std::optional<Account>();
    return std::optional<Account>(account_at(*rows, 0));
  }

  Result<void> change_one(const char* sql, const Connection::Params& params,
                          std::string_view username, const char* what) {
    std::lock_guard<std::mutex> lock(mu_);
    return with_retry(*conn_, Kind::Transaction, [&]() -> Result<void> {
      auto rows = conn_->run(sql, params);
      if (!rows) return with_context(rows.error(), what, username);
      if (rows->changed() == 0) return no_such_user(username);
      return {};
    });
  }

  static Unexpected<Error> with_context(const Error& e, const char* what,
                                        std::string_view username) {
    if (e.code == "db_unavailable") return Unexpected<Error>{e};
    return fail(e.code, std::string(what) + " '" + std::string(username) + "': " + e.message);
  }

  Result<void> insert_locked(std::string_view username, std::string_view hash) {
    if (!valid_username(username)) return invalid_name(username);
    if (hash.empty()) return fail("bad_hash", "empty password hash");
    auto rows = conn_->run(kInsert, {std::string(username), std::string(hash), now_seconds()});
    if (!rows) return with_context(rows.error(), "cannot add", username);
    if (rows->changed() == 1) return {};
    auto existing = find_locked(username);
    if (!existing) return Unexpected<Error>{existing.error()};
    return fail("exists",
                already_exists(std::string(username),
                               existing->has_value() ? (*existing)->name : std::string(username)));
  }

  Result<void> rename_locked(std::string_view old_name, std::string_view new_name) {
    auto found = find_locked(old_name);
    if (!found) return Unexpected<Error>{found.error()};
    if (!found->has_value()) return no_such_user(old_name);
    const std::string id = std::to_string((*found)->id);
    auto other = conn_->run(kTakenByOther, {std::string(new_name), id});
    if (!other) return Unexpected<Error>{other.error()};
    if (other->size() > 0) {
      return fail("exists", already_exists(std::string(new_name), other->text(0, 0)));
    }
    auto renamed = conn_->run(kRename, {id, std::string(new_name), now_seconds()});
    if (!renamed) return with_context(renamed.error(), "cannot rename to", new_name);
    return {};
  }

  std::mutex mu_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace

Result<std::unique_ptr<AccountStore>> open_postgres_store(const std::string& url) {
  auto conn = pg::open_and_migrate(url);
  if (!conn) return Unexpected<Error>{conn.error()};
  return std::unique_ptr<AccountStore>(new PgAccountStore(std::move(*conn)));
}

}  // namespace qc::store
