// One libpq connection, private to the store module: statements with text parameters, the
// connection's settings (timeouts, keepalives), and the rule for a lost connection.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace qc::store::pg {

struct ResultClearer {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultHandle = std::unique_ptr<PGresult, ResultClearer>;

// A statement's answer: rows of text (NULL reads as "").
class Rows {
 public:
  explicit Rows(ResultHandle r) : r_(std::move(r)) {}
  int size() const { return PQntuples(r_.get()); }
  std::string text(int row, int col) const { return PQgetvalue(r_.get(), row, col); }
  std::int64_t integer(int row, int col) const;
  std::uint64_t changed() const;  // rows an INSERT/UPDATE/DELETE touched

 private:
  ResultHandle r_;
};

// Errors: `db_unavailable` when the connection is lost or cannot be made (PostgreSQL down,
// unreachable, restarting), else `db` with PostgreSQL's words. The SQLSTATE of the last failure
// is kept, for the retry rule.
class Connection {
 public:
  // Connects to `url` (a postgresql:// URL). Unless the URL says otherwise: connect_timeout=5,
  // TCP keepalives and tcp_user_timeout (a dead peer is noticed in seconds), and a
  // statement_timeout of 30 s, so that no call blocks a thread for long.
  static Result<std::unique_ptr<Connection>> open(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  using Params = std::vector<std::string>;
  Result<Rows> run(const char* sql, const Params& params = {});
  // Several statements in one string, no parameters (schema).
  Result<void> script(const char* sql);

  // Reconnects (PQreset) and restores the session's settings; false when it cannot.
  bool reset();
  bool broken() const;
  const std::string& last_sqlstate() const { return sqlstate_; }
  const std::string& shown_url() const { return shown_url_; }

 private:
  Connection(PGconn* conn, std::string shown) : conn_(conn), shown_url_(std::move(shown)) {}
  Result<void> configure();
  Unexpected<Error> failure(std::string_view context, const PGresult* r);

  PGconn* conn_;
  std::string shown_url_;
  std::string sqlstate_;
};

// "postgresql://u:***@h/db: <libpq's message>"-style text for a connection that failed.
std::string connection_message(const std::string& shown_url, PGconn* conn);

}  // namespace qc::store::pg
