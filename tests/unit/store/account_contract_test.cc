// The AccountStore interface, whichever store is behind it (store_location.h): the same tests
// run over SQLite in unit_store and over PostgreSQL in unit_store_pg.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "store/open_store.h"
#include "store_location.h"

namespace qc::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kHashA = "$2b$04$ybcci5X0QYRZhni4KaXAm.nRCPGpzaZTtqWiwGv9clcka7L/JrP8i";
constexpr const char* kHashB = "$2a$04$b.k6gXvgObhRy5r4yJaHvuLYUv1y1ZF7m55JQV4I.539TQFE6uSEC";

class AccountStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(location_->ok());
    store_ = open();
    ASSERT_TRUE(store_);
  }
  std::unique_ptr<AccountStore> open() {
    auto r = open_account_store(location_->db());
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? std::move(r.value()) : nullptr;
  }
  std::uint64_t id_of(std::string_view name) {
    auto found = store_->find_account(name);
    EXPECT_TRUE(found && found->has_value()) << name;
    return found && found->has_value() ? (*found)->id : 0;
  }
  std::unique_ptr<test::Location> location_ = test::new_location();
  std::unique_ptr<AccountStore> store_;
};

TEST_F(AccountStoreTest, AddFindSetRemoveList) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->add("bob", kHashA));
  ASSERT_TRUE(store->add("alice", kHashB));
  auto found = store->find_hash("bob");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->value_or(""), kHashA);
  auto names = store->list();
  ASSERT_TRUE(names);
  EXPECT_THAT(*names, ElementsAre("alice", "bob"));

  ASSERT_TRUE(store->set_hash("bob", kHashB));
  EXPECT_EQ(store->find_hash("bob")->value_or(""), kHashB);

  ASSERT_TRUE(store->remove("bob"));
  EXPECT_FALSE(store->find_hash("bob")->has_value());
  EXPECT_THAT(*store->list(), ElementsAre("alice"));
}

TEST_F(AccountStoreTest, DuplicateAddFails) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->add("bob", kHashA));
  auto again = store->add("bob", kHashB);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "exists");
  EXPECT_EQ(again.error().message, "user 'bob' already exists");
  EXPECT_EQ(store->find_hash("bob")->value_or(""), kHashA);  // untouched
}

TEST_F(AccountStoreTest, MissingUser) {
  auto store = open();
  ASSERT_TRUE(store);
  auto found = store->find_hash("zed");
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
  auto set = store->set_hash("zed", kHashA);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, "not_found");
  EXPECT_EQ(set.error().message, "no such user 'zed'");
  auto removed = store->remove("zed");
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, "not_found");
}

TEST_F(AccountStoreTest, InvalidNamesAndEmptyHash) {
  auto store = open();
  ASSERT_TRUE(store);
  for (const char* bad : {"", "a b", "x:y", "toolongtoolongtoolongtoolongtoolong"}) {
    auto r = store->add(bad, kHashA);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "invalid_username");
    EXPECT_THAT(r.error().message, HasSubstr("invalid username"));
    EXPECT_EQ(store->set_hash(bad, kHashA).error().code, "invalid_username");
    EXPECT_EQ(store->remove(bad).error().code, "invalid_username");
    auto found = store->find_hash(bad);
    ASSERT_TRUE(found);
    EXPECT_FALSE(found->has_value());
  }
  EXPECT_EQ(store->add("carol", "").error().code, "bad_hash");
  EXPECT_TRUE(store->list()->empty());
}

TEST_F(AccountStoreTest, AddManyIsAllOrNothing) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->add("bob", kHashA));
  auto clash = store->add_many({{"alice", kHashA}, {"bob", kHashB}, {"cam", kHashA}});
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().message, "user 'bob' already exists");
  EXPECT_THAT(*store->list(), ElementsAre("bob"));

  auto bad = store->add_many({{"alice", kHashA}, {"no good", kHashA}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "invalid_username");
  EXPECT_THAT(*store->list(), ElementsAre("bob"));

  auto twice = store->add_many({{"dan", kHashA}, {"dan", kHashB}});
  ASSERT_FALSE(twice);
  EXPECT_THAT(*store->list(), ElementsAre("bob"));

  ASSERT_TRUE(store->add_many({{"alice", kHashA}, {"cam", kHashB}}));
  EXPECT_THAT(*store->list(), ElementsAre("alice", "bob", "cam"));
}

TEST_F(AccountStoreTest, ReopenKeepsData) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->add("alice", kHashA));
  }
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->find_hash("alice")->value_or(""), kHashA);
}

TEST_F(AccountStoreTest, ConcurrentWritersAllLand) {
  auto store = open();
  ASSERT_TRUE(store);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 10; ++i) {
        (void)store->add("u" + std::to_string(t) + "_" + std::to_string(i), kHashA);
        (void)store->find_hash("u0_0");
        (void)store->list();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store->list()->size(), 40u);
}

TEST_F(AccountStoreTest, IdsAscendAndAreNeverReused) {
  ASSERT_TRUE(store_->add("alice", kHashA));
  ASSERT_TRUE(store_->add("bob", kHashA));
  const auto alice = id_of("alice");
  const auto bob = id_of("bob");
  EXPECT_GT(alice, 0u);
  EXPECT_GT(bob, alice);
  // Deleting the account with the highest id must not free that id, not even across a reopen.
  ASSERT_TRUE(store_->remove("bob"));
  store_ = open();
  ASSERT_TRUE(store_->add("bob", kHashB));
  EXPECT_GT(id_of("bob"), bob);
  EXPECT_EQ(id_of("alice"), alice);
}

TEST_F(AccountStoreTest, LookupsIgnoreCaseAndReturnTheStoredSpelling) {
  ASSERT_TRUE(store_->add("Alice", kHashA));
  auto found = store_->find_account("aLICE");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "Alice");
  EXPECT_EQ((*found)->hash, kHashA);
  ASSERT_TRUE(store_->set_hash("alice", kHashB));
  EXPECT_EQ((*store_->find_account("ALICE"))->hash, kHashB);
  ASSERT_TRUE(store_->remove("ALICE"));
  EXPECT_THAT(*store_->list(), IsEmpty());
}

// Until the login path uses find_account, another case must not log in as a second session.
TEST_F(AccountStoreTest, FindHashMatchesTheExactSpellingOnly) {
  ASSERT_TRUE(store_->add("Alice", kHashA));
  EXPECT_EQ(store_->find_hash("Alice")->value_or(""), kHashA);
  EXPECT_FALSE(store_->find_hash("alice")->has_value());
}

TEST_F(AccountStoreTest, AddRefusesANameThatDiffersOnlyInCase) {
  ASSERT_TRUE(store_->add("alice", kHashA));
  auto again = store_->add("ALICE", kHashB);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "exists");
  EXPECT_EQ(again.error().message, "user 'ALICE' already exists as 'alice'");
  auto many = store_->add_many({{"bob", kHashA}, {"Alice", kHashA}});
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().code, "exists");
  EXPECT_THAT(*store_->list(), ElementsAre("alice"));
  EXPECT_EQ(store_->find_hash("alice")->value_or(""), kHashA);
}

TEST_F(AccountStoreTest, ListSortsIgnoringCaseWithIds) {
  ASSERT_TRUE(store_->add("bob", kHashA));
  ASSERT_TRUE(store_->add("Cam", kHashA));
  ASSERT_TRUE(store_->add("alice", kHashA));
  EXPECT_THAT(*store_->list(), ElementsAre("alice", "bob", "Cam"));
  auto accounts = store_->list_accounts();
  ASSERT_TRUE(accounts);
  ASSERT_EQ(accounts->size(), 3u);
  EXPECT_EQ((*accounts)[0].id, id_of("alice"));
  EXPECT_EQ((*accounts)[2].name, "Cam");
}

TEST_F(AccountStoreTest, RenameKeepsIdAndHash) {
  ASSERT_TRUE(store_->add("alice", kHashA));
  const auto id = id_of("alice");
  ASSERT_TRUE(store_->rename("ALICE", "alicia"));
  auto found = store_->find_account("alicia");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->id, id);
  EXPECT_EQ((*found)->hash, kHashA);
  EXPECT_FALSE(store_->find_account("alice")->has_value());
  // A change of case only is allowed, and becomes the canonical spelling.
  ASSERT_TRUE(store_->rename("alicia", "Alicia"));
  EXPECT_EQ((*store_->find_account("alicia"))->name, "Alicia");
  EXPECT_EQ(id_of("alicia"), id);
}

TEST_F(AccountStoreTest, RenameRefusesMissingInvalidAndTakenNames) {
  ASSERT_TRUE(store_->add("alice", kHashA));
  ASSERT_TRUE(store_->add("bob", kHashB));
  EXPECT_EQ(store_->rename("zed", "zoe").error().code, "not_found");
  EXPECT_EQ(store_->rename("alice", "no good").error().code, "invalid_username");
  EXPECT_EQ(store_->rename("no good", "alice2").error().code, "invalid_username");
  auto taken = store_->rename("alice", "BOB");
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, "exists");
  EXPECT_EQ(taken.error().message, "user 'BOB' already exists as 'bob'");
  EXPECT_THAT(*store_->list(), ElementsAre("alice", "bob"));
}

TEST_F(AccountStoreTest, AHealthyDatabaseHasNoCaseConflicts) {
  ASSERT_TRUE(store_->add("alice", kHashA));
  EXPECT_THAT(*store_->case_conflicts(), IsEmpty());
  EXPECT_TRUE(check_no_case_conflicts(*store_));
}

}  // namespace
}  // namespace qc::store
