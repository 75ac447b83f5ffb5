// The test harness's Redis and PostgreSQL: each starts on a free loopback port in a temp folder,
// answers the client libraries quicchat's cluster uses (hiredis, libpq), and survives a kill -9
// and a restart on the same port, as the cluster's failure tests need.
#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/engines.h"

namespace qc::itest {
namespace {

std::string redis_ping(std::uint16_t port) {
  std::unique_ptr<redisContext, decltype(&redisFree)> c(redisConnect("127.0.0.1", port),
                                                        &redisFree);
  if (!c || c->err) return "no connection";
  auto* reply = static_cast<redisReply*>(redisCommand(c.get(), "PING"));
  if (!reply) return "no reply";
  std::string text(reply->str ? reply->str : "", reply->str ? reply->len : 0);
  freeReplyObject(reply);
  return text;
}

std::string pg_select(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK)
    return std::string("no connection: ") + PQerrorMessage(c.get());
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return PQresultErrorMessage(r.get());
  return PQgetvalue(r.get(), 0, 0);
}

TEST(ClusterEngines, RedisAnswersAndComesBackAfterAKill) {
  RedisProcess redis;
  ASSERT_TRUE(redis.started()) << redis.error();
  EXPECT_EQ(redis_ping(redis.port()), "PONG");
  EXPECT_EQ(redis.command("SET k v"), "+OK\r\n");
  redis.kill_hard();
  EXPECT_EQ(redis_ping(redis.port()), "no connection");
  ASSERT_TRUE(redis.restart()) << redis.error();
  EXPECT_EQ(redis_ping(redis.port()), "PONG");
  // No persistence: a restarted Redis has forgotten everything, as the cluster must expect.
  EXPECT_EQ(redis.command("EXISTS k"), ":0\r\n");
}

TEST(ClusterEngines, PostgresKeepsCommittedRowsAcrossAKill) {
  PostgresProcess pg;
  ASSERT_TRUE(pg.started()) << pg.error();
  const std::string url = pg.new_database("engines");
  ASSERT_FALSE(url.empty()) << pg.error();
  ASSERT_TRUE(pg.sql(url, "CREATE TABLE t (v integer); INSERT INTO t VALUES (42);").ok);
  EXPECT_EQ(pg_select(url, "SELECT v FROM t"), "42");
  pg.kill_hard();
  EXPECT_NE(pg_select(url, "SELECT v FROM t"), "42");
  ASSERT_TRUE(pg.restart()) << pg.error();
  EXPECT_EQ(pg_select(url, "SELECT v FROM t"), "42");
  EXPECT_TRUE(pg.stop());
}

}  // namespace
}  // namespace qc::itest
