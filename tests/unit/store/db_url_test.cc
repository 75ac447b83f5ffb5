#include "store/db_url.h"

#include <gtest/gtest.h>

namespace qc::store {
namespace {

TEST(DbUrl, PostgresUrlsAreToldFromPaths) {
  EXPECT_TRUE(is_postgres_url("postgresql://u@h:5432/db"));
  EXPECT_TRUE(is_postgres_url("postgres://h/db"));
  EXPECT_FALSE(is_postgres_url("data/quicchat.db"));
  EXPECT_FALSE(is_postgres_url("postgresql.db"));
  EXPECT_FALSE(is_postgres_url(":memory:"));
}

TEST(DbUrl, ShownWithoutItsPassword) {
  EXPECT_EQ(shown_db("postgresql://app:s3cret@db.example:5432/chat"),
            "postgresql://app:***@db.example:5432/chat");
  EXPECT_EQ(shown_db("postgres://app:p%40ss@h/db?sslmode=verify-full"),
            "postgres://app:***@h/db?sslmode=verify-full");
  EXPECT_EQ(shown_db("postgresql://app@h/db?password=s3cret&sslmode=require"),
            "postgresql://app@h/db?password=***&sslmode=require");
  EXPECT_EQ(shown_db("postgresql://h/db?sslmode=require&password=x"),
            "postgresql://h/db?sslmode=require&password=***");
  EXPECT_EQ(shown_db("postgresql://app@h:5432/db"), "postgresql://app@h:5432/db");
  EXPECT_EQ(shown_db("postgresql:///db?host=/run/postgresql"),
            "postgresql:///db?host=/run/postgresql");
  EXPECT_EQ(shown_db("data/my:pass@file.db"), "data/my:pass@file.db");  // a path: unchanged
}

}  // namespace
}  // namespace qc::store
