#include "server/store_directory.h"

#include "util/log.h"

namespace qc::server {

// A store error counts as "no such account": the sender gets no_such_user, and the log says why.
std::optional<chat::AccountRef> StoreDirectory::find(std::string_view name) {
  auto account = store_.find_account(name);
  if (!account) {
    log::error("store_error", {{"event", "find_account"},
                               {"code", account.error().code},
                               {"error", account.error().message}});
    return std::nullopt;
  }
  if (!account->has_value()) return std::nullopt;
  return chat::AccountRef{(*account)->id, (*account)->name};
}

}  // namespace qc::server
