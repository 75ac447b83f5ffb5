// libFuzzer: the `quicchat user import` file parser. Whatever the text, every accepted entry has
// a valid, unique name and a non-empty secret, lines are numbered in order within the text, and
// every problem names a line.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "quicchat/user/user_import.h"
#include "store/account_store.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  const qc::app::ImportPlan plan = qc::app::parse_import(text);
  std::set<std::string> names;
  int previous = 0;
  for (const qc::app::ImportEntry& e : plan.entries) {
    check(e.line > previous && e.line <= lines);
    previous = e.line;
    check(qc::store::valid_username(e.username));
    check(e.username.find(':') == std::string::npos);
    check(!e.secret.empty());
    check(names.insert(e.username).second);
  }
  for (const qc::app::ImportProblem& p : plan.problems) {
    check(p.line >= 1 && p.line <= lines);
    check(!p.message.empty());
  }
  return 0;
}
