// unit_store_pg's stores: a new database in the shared PostgreSQL server.
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>

#include "../store/store_location.h"
#include "shared_postgres.h"

namespace qc::store::test {
namespace {

class PostgresLocation final : public Location {
 public:
  PostgresLocation() : url_(new_postgres_database()) {}
  bool ok() const override { return !url_.empty(); }
  std::string db() const override { return url_; }

 private:
  std::string url_;
};

}  // namespace

namespace {

// What these tests check never needs a flush to disk (the loss test runs a server of its own):
// without it a new database takes milliseconds instead of a second on a busy machine.
itest::PostgresProcess& started_without_fsync(itest::PostgresProcess& server) {
  if (!server.started()) return server;
  const std::string url =
      "postgresql://quicchat@127.0.0.1:" + std::to_string(server.port()) + "/postgres";
  for (const char* setting : {"ALTER SYSTEM SET fsync = off", "SELECT pg_reload_conf()"}) {
    auto r = server.sql(url, setting);
    EXPECT_TRUE(r.ok) << setting << ": " << r.out;
  }
  return server;
}

}  // namespace

itest::PostgresProcess& shared_postgres() {
  static itest::PostgresProcess server;
  static itest::PostgresProcess& ready = started_without_fsync(server);
  return ready;
}

std::string new_postgres_database() {
  static std::atomic<int> next{0};
  auto& server = shared_postgres();
  if (!server.started()) {
    ADD_FAILURE() << "PostgreSQL did not start: " << server.error();
    return {};
  }
  return server.new_database("t" + std::to_string(getpid()) + "_" + std::to_string(++next));
}

std::unique_ptr<Location> new_location() { return std::make_unique<PostgresLocation>(); }

}  // namespace qc::store::test
