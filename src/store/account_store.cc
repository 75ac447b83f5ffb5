#include "store/account_store.h"

namespace qc::store {

std::string normalized_username(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<void> AccountStore::add_many(const std::vector<NewAccount>& accounts) {
  for (const auto& a : accounts) {
    if (auto r = add(a.username, a.hash); !r) return r;
  }
  return {};
}

Result<std::optional<std::string>> AccountStore::find_hash(std::string_view username) {
  auto found = find_account(username);
  if (!found) return Unexpected<Error>{found.error()};
  if (!found->has_value() || (*found)->name != username) return std::optional<std::string>();
  return std::optional<std::string>(std::move((*found)->hash));
}

Result<std::vector<std::string>> AccountStore::list() {
  auto accounts = list_accounts();
  if (!accounts) return Unexpected<Error>{accounts.error()};
  std::vector<std::string> names;
  names.reserve(accounts->size());
  for (auto& a : *accounts) names.push_back(std::move(a.name));
  return names;
}

Unexpected<Error> invalid_name(std::string_view name) {
  return fail("invalid_username", "invalid username '" + std::string(name) +
                                      "': use 1-32 characters of A-Z a-z 0-9 _ . -");
}

Unexpected<Error> no_such_user(std::string_view name) {
  return fail("not_found", "no such user '" + std::string(name) + "'");
}

std::string already_exists(const std::string& name, const std::string& stored) {
  return "user '" + name + "' already exists" + (stored == name ? "" : " as '" + stored + "'");
}

Result<std::string> expect_account(AccountStore& store, const std::string& name, bool present) {
  if (!valid_username(name)) {
    return fail("invalid_username",
                "invalid username '" + name + "' (" + std::string(kUsernameRule) + ")");
  }
  auto existing = store.find_account(name);
  if (!existing) return Unexpected<Error>{existing.error()};
  if (!present && existing->has_value()) {
    return fail("exists", already_exists(name, (*existing)->name));
  }
  if (present && !existing->has_value()) return fail("not_found", "no such user '" + name + "'");
  return present ? (*existing)->name : name;
}

Result<void> check_no_case_conflicts(AccountStore& store) {
  auto groups = store.case_conflicts();
  if (!groups) return Unexpected<Error>{groups.error()};
  if (groups->empty()) return {};
  std::string listed;
  for (const auto& group : *groups) {
    if (!listed.empty()) listed += "; ";
    for (std::size_t i = 0; i < group.size(); ++i) listed += (i ? ", " : "") + group[i];
  }
  const char* which = groups->size() == 1 ? "one" : "one of each group";
  return fail("case_conflict", "accounts differ only in case: " + listed + "; rename " + which +
                                   " with `quicchat user rename OLD NEW`");
}

}  // namespace qc::store
