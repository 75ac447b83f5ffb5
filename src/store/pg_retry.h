// When a PostgreSQL call may be tried again, private to the store module. libpq never
// reconnects by itself: a statement that fails because the connection is gone is retried once,
// after PQreset, only where that cannot do a change twice: a read, or a transaction whose COMMIT
// was not sent. A COMMIT whose answer was lost may or may not have happened: that fails with
// db_unavailable and says so. A transaction PostgreSQL aborted as a deadlock or a serialization
// failure (nothing of it happened) is tried again, up to 3 times.
#pragma once

#include <string>
#include <utility>

#include "store/pg_conn.h"

namespace qc::store::pg {

enum class Kind { Read, Transaction };

struct Outcome {
  bool commit_in_doubt = false;
  std::string sqlstate;  // of the failure
};

template <class F>
auto in_transaction(Connection& conn, F& body, Outcome& outcome) -> decltype(body()) {
  if (auto begin = conn.run("BEGIN"); !begin) {
    outcome.sqlstate = conn.last_sqlstate();
    return Unexpected<Error>{begin.error()};
  }
  auto result = body();
  if (!result) {
    outcome.sqlstate = conn.last_sqlstate();
    if (!conn.broken()) (void)conn.run("ROLLBACK");
    return result;
  }
  if (auto commit = conn.run("COMMIT"); !commit) {
    outcome.sqlstate = conn.last_sqlstate();
    outcome.commit_in_doubt = commit.error().code == "db_unavailable";
    Error e = commit.error();
    if (outcome.commit_in_doubt) e.message += "; whether the change was stored is unknown";
    return Unexpected<Error>{std::move(e)};
  }
  return result;
}

inline bool aborted_by_conflict(const std::string& sqlstate) {
  return sqlstate == "40P01" || sqlstate == "40001";  // deadlock, serialization failure
}

// Runs body() (a Result<T>), inside BEGIN..COMMIT for Kind::Transaction, with the retry rule above.
template <class F>
auto with_retry(Connection& conn, Kind kind, F&& body) -> decltype(body()) {
  for (int attempt = 0;; ++attempt) {
    Outcome outcome;
    auto result = kind == Kind::Read ? body() : in_transaction(conn, body, outcome);
    if (result || outcome.commit_in_doubt || attempt >= 3) return result;
    if (kind == Kind::Read) outcome.sqlstate = conn.last_sqlstate();
    if (result.error().code == "db_unavailable") {
      if (attempt > 0 || !conn.reset()) return result;
    } else if (!aborted_by_conflict(outcome.sqlstate)) {
      return result;
    }
  }
}

}  // namespace qc::store::pg
