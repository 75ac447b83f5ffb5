#include "quicchat/user/user_import.h"

#include <map>

#include "auth/password.h"
#include "store/account_store.h"

namespace qc::app {
namespace {

bool skippable(std::string_view line) {
  const auto first = line.find_first_not_of(" \t");
  return first == std::string_view::npos || line[first] == '#';
}

// The problem with one "name:secret" line, or "" when it is fine.
std::string check_entry(const ImportEntry& e) {
  if (!store::valid_username(e.username)) {
    return "invalid username '" + e.username + "' (1-32 characters of A-Z a-z 0-9 _ . -)";
  }
  if (e.secret.empty()) return "empty password for '" + e.username + "'";
  if (e.secret.find('\0') != std::string::npos) return "password contains a NUL byte";
  if (!e.is_hash && e.secret.rfind("$2", 0) == 0 && e.secret.size() >= 7 && e.secret[3] == '$') {
    return "'" + e.username + "' has what looks like a bcrypt hash, but it is malformed";
  }
  return {};
}

}  // namespace

ImportPlan parse_import(std::string_view text) {
  ImportPlan plan;
  std::map<std::string, int, std::less<>> first_line;  // by normalised (case-insensitive) name
  int number = 0;
  while (!text.empty()) {
    ++number;
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (skippable(line)) continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      plan.problems.push_back({number, "expected NAME:PASSWORD or NAME:HASH"});
      continue;
    }
    ImportEntry e{number, std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)),
                  false};
    e.is_hash = auth::is_bcrypt_hash(e.secret);
    if (std::string problem = check_entry(e); !problem.empty()) {
      plan.problems.push_back({number, std::move(problem)});
      continue;
    }
    auto [it, fresh] = first_line.emplace(store::normalized_username(e.username), number);
    if (!fresh) {
      plan.problems.push_back(
          {number, "'" + e.username + "' is already listed on line " + std::to_string(it->second)});
      continue;
    }
    plan.entries.push_back(std::move(e));
  }
  return plan;
}

}  // namespace qc::app
