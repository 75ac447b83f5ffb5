#include "store/account_store.h"

namespace qc::store {

bool valid_username(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<void> AccountStore::add_many(const std::vector<NewAccount>& accounts) {
  for (const auto& a : accounts) {
    if (auto r = add(a.username, a.hash); !r) return r;
  }
  return {};
}

}  // namespace qc::store
