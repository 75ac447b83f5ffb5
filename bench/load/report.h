// One run's results: named figures in order, printed as a human table on stdout and, with
// --json, as one JSON object on one line (the format scripts/bench-all collects).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qc::bench {

class Report {
 public:
  explicit Report(std::string scenario) : scenario_(std::move(scenario)) {}

  void param(std::string_view key, double value);  // what the run was asked to do
  void param(std::string_view key, std::string_view value);
  // A measured figure; `unit` is for the table only. Integers print without decimals.
  void figure(std::string_view key, double value, std::string_view unit);
  void check(std::string_view what, bool passed, std::string detail);  // a correctness line
  void note(std::string text);                                         // printed under the table

  bool passed() const;
  std::string json_line() const;
  std::string table() const;

 private:
  struct Entry {
    std::string key;
    std::string text;  // already JSON-encoded value
    std::string unit;
    bool is_param = false;
  };
  struct Check {
    std::string what;
    bool passed = false;
    std::string detail;
  };
  std::string scenario_;
  std::vector<Entry> entries_;
  std::vector<Check> checks_;
  std::vector<std::string> notes_;
};

std::string json_quote(std::string_view text);
std::string format_number(double value);

}  // namespace qc::bench
