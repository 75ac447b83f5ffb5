// A subcommand's options, each defined once in one table: the name (the flag, and the TOML key
// where a config file exists), the default, the range, the help line, and the setter that writes
// the checked value into the subcommand's settings. --help, the config file's keys, the range
// checks and the options tables of the docs all come from these rows.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quicchat/common/flags.h"
#include "util/result.h"

namespace qc::app {

enum class Kind {
  Text,    // any string
  Int,     // an integer in [min, max]
  Choice,  // one of `choices`
  Switch,  // present or not; takes no value
};

// Whether a running server could take a new value on a reload, or only on a restart.
enum class Reload { Restart, Live };

struct OptionInfo {
  std::string_view name;  // without dashes: "port"
  std::string_view default_value = {};
  std::string_view help = {};  // one line, for --help and the docs
  Kind kind = Kind::Text;
  std::int64_t min = 0, max = 0;  // Kind::Int
  std::string_view choices = {};  // Kind::Choice: "auto,always,never"
  std::string_view notes = {};    // the docs table only: said after the help (Markdown)
  std::string_view by_mode = {};  // defaults that depend on the mode: "latency=10000,fanout=200"
  Reload reload = Reload::Restart;
  bool in_config_file = true;  // the config file may set it (where one exists)
  bool hidden = false;         // neither in --help nor in the docs
};

// A value that passed its row's checks.
struct OptionValue {
  std::string text;
  std::int64_t number = 0;  // Kind::Int
  bool on = false;          // Kind::Switch
};

template <class Settings>
struct Option {
  OptionInfo info;
  // Writes the value into the settings; an error names the option. Null: nothing to write.
  Result<void> (*apply)(const OptionValue&, Settings&) = nullptr;
};

template <class Settings>
std::vector<OptionInfo> option_infos(std::span<const Option<Settings>> options) {
  std::vector<OptionInfo> out;
  for (const auto& o : options) out.push_back(o.info);
  return out;
}

// The flag parser for these rows (hidden ones parse but are not listed).
Flags make_flags(std::string usage, const std::vector<OptionInfo>& infos);

// The default of `info` in `mode` (from by_mode), or "" when it has none there.
std::string mode_default(const OptionInfo& info, std::string_view mode);

// The value of one option checked against its row; `present` is false when it was neither given
// nor has a default (nothing to apply).
struct CheckedValue {
  bool present = false;
  OptionValue value;
};
Result<CheckedValue> checked_value(const Flags& flags, const OptionInfo& info);

// An option's error, said where its value came from: "FILE:LINE: port ..." for a value from a
// config file, unchanged ("--port ...") for one from the command line.
Error located(const Flags& flags, std::string_view name, Error error);

// Checks every option (or, with `only`, those named) and applies it to `settings`, in table
// order; the first error wins.
template <class Settings>
Result<void> apply_options(std::span<const Option<Settings>> options, const Flags& flags,
                           Settings& settings, const std::vector<std::string>* only = nullptr) {
  for (const auto& o : options) {
    if (only != nullptr && std::find(only->begin(), only->end(), o.info.name) == only->end()) {
      continue;
    }
    auto checked = checked_value(flags, o.info);
    if (!checked) return Unexpected{located(flags, o.info.name, checked.error())};
    if (!checked->present || !o.apply) continue;
    if (auto applied = o.apply(checked->value, settings); !applied) {
      return Unexpected{located(flags, o.info.name, applied.error())};
    }
  }
  return {};
}

// The Markdown table of the rows that are not hidden, for the docs.
struct MarkdownColumns {
  bool config_key = false;  // the TOML key column
  bool reload = false;      // the reload column
};
std::string options_markdown(const std::vector<OptionInfo>& infos, MarkdownColumns columns);

// "a,b,c" -> "a, b or c"
std::string spoken_list(std::string_view comma_separated);

}  // namespace qc::app
