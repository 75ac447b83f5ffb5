// The `quicchat user import` file format: one account a line, "name:password" or
// "name:$2b$..." (a bcrypt hash, $2a$/$2b$/$2y$, taken as is). Blank lines and lines whose
// first non-blank character is '#' are skipped. The password is everything after the first
// ':' (names cannot contain ':'), kept byte for byte apart from a trailing "\r".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qc::app {

struct ImportEntry {
  int line = 0;
  std::string username;
  std::string secret;  // a password, or a hash when is_hash
  bool is_hash = false;
};

struct ImportProblem {
  int line = 0;
  std::string message;
};

struct ImportPlan {
  std::vector<ImportEntry> entries;
  std::vector<ImportProblem> problems;  // any problem means: import nothing
};

ImportPlan parse_import(std::string_view text);

}  // namespace qc::app
