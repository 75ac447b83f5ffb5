#include "server/store_directory.h"

#include "util/log.h"

namespace qc::server {

// A store error is "could not tell": the sender gets store_failed for that name, and the log
// says why (PostgreSQL down, say, must not read as "no such account").
chat::AccountLookup StoreDirectory::lookup(std::string_view name) {
  auto account = store_.find_account(name);
  if (!account) {
    log::error("store_error", {{"event", "find_account"},
                               {"code", account.error().code},
                               {"error", account.error().message}});
    return {std::nullopt, true};
  }
  if (!account->has_value()) return {};
  return {chat::AccountRef{(*account)->id, (*account)->name}, false};
}

std::optional<chat::AccountRef> StoreDirectory::find(std::string_view name) {
  return lookup(name).account;
}

}  // namespace qc::server
