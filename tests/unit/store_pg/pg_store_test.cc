// What only the PostgreSQL store has: the schema made once under an advisory lock by nodes that
// start at once, ids from one sequence per conversation across connections (nodes), a server
// that goes away and comes back, and URLs whose password is never shown.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "../store/message_test_support.h"
#include "shared_postgres.h"
#include "store/pg_store.h"

namespace qc::store {
namespace {

using history::Status;
using test::append;
using ::testing::HasSubstr;
using ::testing::Not;

std::string sql(const std::string& url, const std::string& statement) {
  auto r = test::shared_postgres().sql(url, statement);
  EXPECT_TRUE(r.ok) << statement << ": " << r.out;
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

TEST(PostgresSchema, NodesOpeningAFreshDatabaseAtOnceMakeOneSchema) {
  const std::string url = test::new_postgres_database();
  ASSERT_FALSE(url.empty());
  constexpr int kNodes = 6;
  std::vector<std::string> errors(kNodes);
  std::vector<std::thread> nodes;
  for (int i = 0; i < kNodes; ++i) {
    nodes.emplace_back([&, i] {
      // Half open the accounts first, half the messages: both migrate.
      if (i % 2 == 0) {
        auto s = open_postgres_store(url);
        if (!s) errors[i] = s.error().message;
      } else {
        auto s = open_postgres_message_store(url);
        if (!s) errors[i] = s.error().message;
      }
    });
  }
  for (auto& t : nodes) t.join();
  for (int i = 0; i < kNodes; ++i) EXPECT_EQ(errors[i], "") << "node " << i;
  EXPECT_EQ(sql(url, "SELECT count(*), max(version) FROM schema_version"), "1|1");
  EXPECT_EQ(sql(url, "SELECT count(*) FROM meta"), "1");
}

TEST(PostgresSchema, ANewerSchemaAndAForeignDatabaseAreRefusedAndLeftAlone) {
  const std::string url = test::new_postgres_database();
  ASSERT_TRUE(open_postgres_store(url));
  sql(url, "UPDATE schema_version SET version = 7");
  auto newer = open_postgres_store(url);
  ASSERT_FALSE(newer);
  EXPECT_EQ(newer.error().code, "db_schema");
  EXPECT_THAT(newer.error().message, HasSubstr("database schema version 7 is newer than this"));
  EXPECT_EQ(sql(url, "SELECT version FROM schema_version"), "7");

  const std::string foreign = test::new_postgres_database();
  sql(foreign, "CREATE TABLE notes (body text)");
  auto refused = open_postgres_message_store(foreign);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "db_schema");
  EXPECT_EQ(sql(foreign, "SELECT count(*) FROM pg_tables WHERE tablename = 'accounts'"), "0");
}

// Two nodes (two connections) append to one conversation at once: PostgreSQL gives the ids, so
// they are 1..N with none twice and none skipped.
TEST(PostgresIds, DenseAndUniqueAcrossNodesAppendingAtOnce) {
  const std::string url = test::new_postgres_database();
  constexpr int kNodes = 3, kBatches = 20;
  std::vector<std::vector<std::uint64_t>> ids(kNodes);
  std::vector<std::thread> nodes;
  for (int n = 0; n < kNodes; ++n) {
    nodes.emplace_back([&, n] {
      auto store = open_postgres_message_store(url);
      ASSERT_TRUE(store) << store.error().message;
      for (int b = 0; b < kBatches; ++b) {
        // Both conversations in each batch, in an order that differs by node (the locks are
        // taken in one order: no deadlock).
        std::vector<history::Op> ops{append(n % 2 ? "#a" : "all", 1, "x"),
                                     append(n % 2 ? "all" : "#a", 2, "y")};
        for (const auto& r : (*store)->apply(ops)) {
          ASSERT_EQ(r.status, Status::Ok) << r.detail;
        }
      }
    });
  }
  for (auto& t : nodes) t.join();
  EXPECT_EQ(sql(url,
                "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM messages "
                "WHERE conv = 'all'"),
            "60|60|1|60");
  EXPECT_EQ(sql(url, "SELECT last_id FROM conversations WHERE conv = '#a'"), "60");
}

// A resend of one cid through two nodes at once is stored once; both learn the one id.
TEST(PostgresIds, OneCidSentThroughTwoNodesAtOnceIsStoredOnce) {
  const std::string url = test::new_postgres_database();
  auto a = open_postgres_message_store(url);
  auto b = open_postgres_message_store(url);
  ASSERT_TRUE(a && b);
  std::vector<history::OpResult> from_a, from_b;
  std::thread ta([&] { from_a = (*a)->apply({append("all", 1, "hi", "c-1")}); });
  std::thread tb([&] { from_b = (*b)->apply({append("all", 1, "hi", "c-1")}); });
  ta.join();
  tb.join();
  ASSERT_EQ(from_a.size(), 1u);
  ASSERT_EQ(from_b.size(), 1u);
  EXPECT_EQ(from_a[0].id, 1u);
  EXPECT_EQ(from_b[0].id, 1u);
  std::multiset<Status> statuses{from_a[0].status, from_b[0].status};
  EXPECT_EQ(statuses, (std::multiset<Status>{Status::Ok, Status::Duplicate}));
  EXPECT_EQ(sql(url, "SELECT count(*) FROM messages"), "1");
}

TEST(PostgresUrl, APasswordIsNeverShownInAnError) {
  const std::string url =
      "postgresql://quicchat:hunter2@127.0.0.1:" + std::to_string(itest::free_tcp_port()) +
      "/nothing?connect_timeout=2";
  auto r = open_postgres_store(url);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "db_unavailable");
  EXPECT_THAT(r.error().message, HasSubstr("postgresql://quicchat:***@127.0.0.1:"));
  EXPECT_THAT(r.error().message, Not(HasSubstr("hunter2")));
}

// PostgreSQL killed: calls fail at once with db_unavailable (no hang, no crash); restarted: the
// next call reconnects by itself.
TEST(PostgresLoss, CallsFailWithDbUnavailableAndRecoverAfterARestart) {
  itest::PostgresProcess server;  // its own: this test kills it
  ASSERT_TRUE(server.started()) << server.error();
  const std::string url = server.new_database("loss");
  auto accounts = open_postgres_store(url);
  auto messages = open_postgres_message_store(url);
  ASSERT_TRUE(accounts && messages);
  ASSERT_TRUE((*accounts)->add("alice", "h"));
  ASSERT_EQ((*messages)->apply({append("all", 1, "before")})[0].status, Status::Ok);

  server.kill_hard();
  const auto since = std::chrono::steady_clock::now();
  auto found = (*accounts)->find_account("alice");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, "db_unavailable");
  EXPECT_THAT(found.error().message, HasSubstr("unavailable"));
  auto added = (*accounts)->add("bob", "h");
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, "db_unavailable");
  auto stored = (*messages)->apply({append("all", 1, "during")});
  EXPECT_EQ(stored[0].status, Status::Failed);
  EXPECT_THAT(stored[0].detail, HasSubstr("unavailable"));
  history::ReadPage page;
  page.conv = "all";
  auto read = (*messages)->read(page);
  EXPECT_EQ(read.status, Status::Failed);
  EXPECT_LT(std::chrono::steady_clock::now() - since, std::chrono::seconds(10));

  ASSERT_TRUE(server.restart()) << server.error();
  auto again = (*accounts)->find_account("alice");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->has_value());
  ASSERT_TRUE((*accounts)->add("bob", "h"));
  auto after = (*messages)->apply({append("all", 1, "after")});
  EXPECT_EQ(after[0].status, Status::Ok) << after[0].detail;
  EXPECT_EQ(after[0].id, 2u);  // the failed batch took no id
}

}  // namespace
}  // namespace qc::store
