#include "store/pg_conn.h"

#include <cstdlib>

#include "store/db_url.h"

namespace qc::store::pg {
namespace {

// Defaults placed before the URL: what the URL says wins (libpq reads the keywords in order and
// expands the URL in place).
constexpr const char* kKeywords[] = {"connect_timeout",  "keepalives",
                                     "keepalives_idle",  "keepalives_interval",
                                     "keepalives_count", "tcp_user_timeout",
                                     "application_name", "client_encoding",
                                     "dbname",           nullptr};
constexpr const char* kDefaults[] = {"5", "1", "10", "5", "3", "15000", "quicchat", "UTF8"};

std::string trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string connection_message(const std::string& shown_url, PGconn* conn) {
  return shown_url + ": " + (conn ? trimmed(PQerrorMessage(conn)) : "out of memory");
}

std::int64_t Rows::integer(int row, int col) const {
  return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10);
}

std::uint64_t Rows::changed() const { return std::strtoull(PQcmdTuples(r_.get()), nullptr, 10); }

Result<std::unique_ptr<Connection>> Connection::open(const std::string& url) {
  const char* values[std::size(kKeywords)] = {};
  for (std::size_t i = 0; i < std::size(kDefaults); ++i) values[i] = kDefaults[i];
  values[std::size(kKeywords) - 2] = url.c_str();
  PGconn* raw = PQconnectdbParams(kKeywords, values, 1);
  std::unique_ptr<Connection> conn(new Connection(raw, shown_db(url)));
  if (!raw || PQstatus(raw) != CONNECTION_OK) {
    return fail("db_unavailable", "cannot connect to " + connection_message(conn->shown_url_, raw));
  }
  if (auto r = conn->configure(); !r) return Unexpected<Error>{r.error()};
  return conn;
}

Connection::~Connection() { PQfinish(conn_); }

// A statement_timeout the URL (options=-c statement_timeout=...) or the role did not set.
Result<void> Connection::configure() {
  auto current = run("SELECT current_setting('statement_timeout')");
  if (!current) return Unexpected<Error>{current.error()};
  if (current->text(0, 0) != "0") return {};
  auto set = run("SET statement_timeout = '30s'");
  if (!set) return Unexpected<Error>{set.error()};
  return {};
}

bool Connection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

bool Connection::reset() {
  PQreset(conn_);
  return !broken() && configure().ok();
}

Unexpected<Error> Connection::failure(std::string_view context, const PGresult* r) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  sqlstate_ = state ? state : "";
  // Class 08 is a connection exception; 57P01-57P03: the server is shutting down or starting.
  const bool lost = broken() || sqlstate_.rfind("08", 0) == 0 || sqlstate_.rfind("57P0", 0) == 0;
  const std::string words = r && PQresultErrorMessage(r)[0] ? trimmed(PQresultErrorMessage(r))
                                                            : trimmed(PQerrorMessage(conn_));
  if (lost) {
    return fail("db_unavailable",
                "PostgreSQL at " + shown_url_ + " is unavailable (" + words + ")");
  }
  return fail("db", std::string(context) + ": " + words);
}

Result<Rows> Connection::run(const char* sql, const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  ResultHandle r(PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(),
                              nullptr, nullptr, 0));
  const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    sqlstate_.clear();
    return Rows(std::move(r));
  }
  return failure(sql, r.get());
}

Result<void> Connection::script(const char* sql) {
  ResultHandle r(PQexec(conn_, sql));
  if (r && PQresultStatus(r.get()) == PGRES_COMMAND_OK) return {};
  return failure("the schema", r.get());
}

}  // namespace qc::store::pg
