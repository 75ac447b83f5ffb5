// The chat core's account directory over the account store: whether a name that is not online is
// an account, and its immutable id. A read on the loop thread (an indexed SQLite lookup, tens of
// microseconds), asked only for v2 messages to names that are not online.
#pragma once

#include "chat/accounts.h"
#include "store/account_store.h"

namespace qc::server {

class StoreDirectory final : public chat::AccountDirectory {
 public:
  explicit StoreDirectory(store::AccountStore& store) : store_(store) {}
  std::optional<chat::AccountRef> find(std::string_view name) override;
  chat::AccountLookup lookup(std::string_view name) override;

 private:
  store::AccountStore& store_;
};

}  // namespace qc::server
