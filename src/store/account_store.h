// Where accounts live. The server and the admin tool see only this interface.
// Implementations are safe to call from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/account_rules.h"
#include "util/result.h"

namespace qc::store {

// 1-32 characters of [A-Za-z0-9_.-] (the one rule, shared with the chat core).
using qc::valid_username;

// Names are case-insensitive: two names are the same account when their ASCII lower cases are
// equal. The spelling given when the account was created (or renamed) is the canonical one.
std::string normalized_username(std::string_view name);

// One account. `id` is assigned at creation, never changes (rename keeps it) and is never given
// to another account, even after this one is deleted.
struct Account {
  std::uint64_t id = 0;
  std::string name;  // the stored spelling
  std::string hash;
};

// Groups of stored names that differ only in case (each group sorted), e.g. {{"Alice", "alice"}}.
using CaseConflicts = std::vector<std::vector<std::string>>;

struct NewAccount {
  std::string username;
  std::string hash;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Every lookup by name is case-insensitive. Where an old database holds names that differ only
  // in case (see case_conflicts), the exact spelling wins, so each of them stays reachable.

  // The account, or nullopt when there is none (an invalid name never has one).
  virtual Result<std::optional<Account>> find_account(std::string_view username) = 0;
  // The one exception, kept for the v1 login path until it moves to find_account: the password
  // hash of the account spelt exactly `username`, else nullopt. Exact, so that a login as
  // "ALICE" cannot become a second session, or a second rate-limit key, beside "alice".
  // (Derived from find_account.)
  virtual Result<std::optional<std::string>> find_hash(std::string_view username);
  // Fails with `exists` when the name, in any case, is taken.
  virtual Result<void> add(std::string_view username, std::string_view hash) = 0;
  virtual Result<void> set_hash(std::string_view username,
                                std::string_view hash) = 0;    // fails if missing
  virtual Result<void> remove(std::string_view username) = 0;  // fails if missing
  // Names sorted case-insensitively (ties in byte order).
  virtual Result<std::vector<std::string>> list();  // (derived from list_accounts)
  // The same order as list(), with ids and hashes.
  virtual Result<std::vector<Account>> list_accounts() = 0;
  // Keeps the account's id and hash. Fails with not_found (no `old_name`), invalid_username, or
  // exists (another account has `new_name` in any case); a change of case only is allowed.
  virtual Result<void> rename(std::string_view old_name, std::string_view new_name) = 0;
  // Names that differ only in case, left by an older quicchat; empty in a healthy database.
  virtual Result<CaseConflicts> case_conflicts() = 0;

  // Adds every account or none: fails, adding nothing, when a name is invalid or exists.
  // The default adds one at a time (not atomic); the SQLite store uses one transaction.
  virtual Result<void> add_many(const std::vector<NewAccount>& accounts);
};

// Fails with code `case_conflict` and a message naming every group ("accounts differ only in
// case: Alice, alice; rename one with `quicchat user rename OLD NEW`") when there are any.
Result<void> check_no_case_conflicts(AccountStore& store);

// Before an account is added (`present` false) or changed (true), by `quicchat user` or the
// server's admin socket: the name's spelling as stored (as given, for an add), or an error with
// code invalid_username, exists ("user 'ALICE' already exists as 'alice'") or not_found.
Result<std::string> expect_account(AccountStore& store, const std::string& name, bool present);
// "user 'ALICE' already exists as 'alice'" (names are case-insensitive).
std::string already_exists(const std::string& name, const std::string& stored);
// The stores' refusals: invalid_username and not_found, in the words every store uses.
Unexpected<Error> invalid_name(std::string_view name);
Unexpected<Error> no_such_user(std::string_view name);

struct SqliteOptions {
  bool create_if_missing = true;
  int busy_timeout_ms = 5000;
};

// Opens (and migrates) the SQLite database at `path`: WAL mode, synchronous=FULL (a change
// reported done survives a crash of the process), a schema-version row. Refuses, with a clear
// message, a path it cannot open, a file that is not an SQLite database, a database that is
// not quicchat's, or one with a newer schema. Never deletes data. The parent directory must
// exist. Error codes: db_open, db_not_database, db_schema; then invalid_username, exists,
// not_found, bad_hash, db. A database with case conflicts opens (so that they can be renamed
// away); callers that serve logins refuse it with check_no_case_conflicts.
Result<std::unique_ptr<AccountStore>> open_sqlite_store(const std::string& path,
                                                        const SqliteOptions& opts = {});

}  // namespace qc::store
