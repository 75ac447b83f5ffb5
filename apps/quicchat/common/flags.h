// A small command-line parser shared by the subcommands: --name VALUE, --name=VALUE, --flag,
// and positional arguments. Each subcommand declares its options (with defaults and help) so
// that --help lists every one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace qc::app {

struct OptionSpec {
  std::string name;           // without dashes: "port"
  std::string default_value;  // shown in --help; "" for none
  std::string help;
  bool is_switch = false;  // takes no value
  bool hidden = false;     // parsed, but not listed by --help
  bool repeatable = false;  // may be given several times (Flags::all)
};

// "a,b,,c" -> {"a", "b", "c"}: the pieces between separators, empty ones dropped.
std::vector<std::string> split_list(std::string_view text, char sep = ',');

class Flags {
 public:
  Flags(std::string usage, std::vector<OptionSpec> specs);

  // Parses args (without the program and subcommand names). Unknown options are errors.
  Result<void> parse(const std::vector<std::string>& args);
  bool help_requested() const { return help_; }
  std::string help_text() const;

  bool given(std::string_view name) const;       // set on the command line
  std::string get(std::string_view name) const;  // value, or the default
  bool on(std::string_view name) const;          // switch present
  Result<std::int64_t> get_int(std::string_view name, std::int64_t min, std::int64_t max) const;
  const std::vector<std::string>& positional() const { return positional_; }
  // A repeatable option: every value given, in order, each split at commas; when none was
  // given, the default's.
  std::vector<std::string> all(std::string_view name) const;

  // Lets a config file supply values for options not given on the command line; `origin`
  // ("FILE:LINE") says where the value came from.
  void set_default(std::string_view name, std::string value, std::string origin = {});
  // Where the value in force came from when a file set it ("FILE:LINE"), else "".
  std::string origin(std::string_view name) const;

 private:
  const OptionSpec* find(std::string_view name) const;
  std::string usage_;
  std::vector<OptionSpec> specs_;
  std::map<std::string, std::string, std::less<>> values_;
  std::map<std::string, std::string, std::less<>> origins_;
  std::map<std::string, std::vector<std::string>, std::less<>> repeated_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

}  // namespace qc::app
