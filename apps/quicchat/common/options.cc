#include "quicchat/common/options.h"

namespace qc::app {
namespace {

// "latency=10000,fanout=200" -> "latency 10000, fanout 200" (`code` wraps each value).
std::string by_mode_text(std::string_view by_mode, bool code) {
  std::string out;
  for (const std::string& entry : split_list(by_mode)) {
    const auto eq = entry.find('=');
    const std::string value = entry.substr(eq + 1);
    if (!out.empty()) out += ", ";
    out += entry.substr(0, eq) + " " + (code ? "`" + value + "`" : value);
  }
  return out;
}

std::string help_line(const OptionInfo& info) {
  std::string help(info.help);
  if (info.kind == Kind::Choice) help += ": " + spoken_list(info.choices);
  if (!info.by_mode.empty()) help += " (default: " + by_mode_text(info.by_mode, false) + ")";
  return help;
}

std::string code(std::string_view text) { return "`" + std::string(text) + "`"; }

std::string markdown_default(const OptionInfo& info) {
  if (!info.by_mode.empty()) return by_mode_text(info.by_mode, true);
  if (info.kind == Kind::Switch) return "off";
  return info.default_value.empty() ? "(none)" : code(info.default_value);
}

std::string markdown_range(const OptionInfo& info) {
  if (info.kind == Kind::Int)
    return code(std::to_string(info.min)) + "–" + code(std::to_string(info.max));
  if (info.kind != Kind::Choice) return "";
  std::string out;
  for (const std::string& choice : split_list(info.choices)) {
    out += (out.empty() ? "" : ", ") + code(choice);
  }
  return out;
}

std::string markdown_meaning(const OptionInfo& info) {
  std::string out(info.help);
  if (!info.notes.empty()) out += "; " + std::string(info.notes);
  return out;
}

}  // namespace

std::string spoken_list(std::string_view comma_separated) {
  const std::vector<std::string> items = split_list(comma_separated);
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

Flags make_flags(std::string usage, const std::vector<OptionInfo>& infos) {
  std::vector<OptionSpec> specs;
  for (const OptionInfo& info : infos) {
    specs.push_back({.name = std::string(info.name),
                     .default_value = std::string(info.default_value),
                     .help = help_line(info),
                     .is_switch = info.kind == Kind::Switch,
                     .hidden = info.hidden});
  }
  return Flags(std::move(usage), std::move(specs));
}

std::string mode_default(const OptionInfo& info, std::string_view mode) {
  for (const std::string& entry : split_list(info.by_mode)) {
    const auto eq = entry.find('=');
    if (entry.compare(0, eq, mode) == 0 && eq == mode.size()) return entry.substr(eq + 1);
  }
  return {};
}

Result<CheckedValue> checked_value(const Flags& flags, const OptionInfo& info) {
  const std::string name(info.name);
  CheckedValue checked{.present = true, .value = {.text = flags.get(name)}};
  if (info.kind != Kind::Switch && checked.value.text.empty() && !flags.given(name)) {
    return CheckedValue{};  // neither given nor defaulted: nothing to apply
  }
  switch (info.kind) {
    case Kind::Text:
      break;
    case Kind::Switch:
      // Given on the command line, or set by a config file (true is "1", false "0").
      checked.value.on = !checked.value.text.empty() && checked.value.text != "0";
      break;
    case Kind::Int: {
      auto number = flags.get_int(name, info.min, info.max);
      if (!number) return Unexpected{number.error()};
      checked.value.number = *number;
      break;
    }
    case Kind::Choice: {
      bool known = false;
      for (const std::string& choice : split_list(info.choices)) {
        known = known || choice == checked.value.text;
      }
      if (!known) return fail("usage", "--" + name + " must be " + spoken_list(info.choices));
      break;
    }
  }
  return checked;
}

Error located(const Flags& flags, std::string_view name, Error error) {
  const std::string origin = flags.origin(name);
  if (origin.empty()) return error;
  // In a file the option is a key: "--port must be ..." reads "FILE:LINE: port must be ...".
  const std::string flag = "--" + std::string(name);
  if (error.message.rfind(flag, 0) == 0) error.message.erase(0, 2);
  error.message = origin + ": " + error.message;
  error.code = "bad_config";  // the file is wrong, not the command line
  return error;
}

std::string options_markdown(const std::vector<OptionInfo>& infos, MarkdownColumns columns) {
  std::string out = "| option |";
  std::string rule = "|---|";
  if (columns.config_key) out += " TOML key |", rule += "---|";
  out += " default | range |";
  rule += "---|---|";
  if (columns.reload) out += " reload |", rule += "---|";
  out += " meaning |\n" + rule + "---|\n";
  for (const OptionInfo& info : infos) {
    if (info.hidden) continue;
    out += "| " + code("--" + std::string(info.name)) + " | ";
    if (columns.config_key) out += (info.in_config_file ? code(info.name) : "—") + " | ";
    out += markdown_default(info) + " | " + markdown_range(info) + " | ";
    if (columns.reload)
      out += std::string(info.reload == Reload::Live ? "live" : "restart") + " | ";
    out += markdown_meaning(info) + " |\n";
  }
  return out;
}

}  // namespace qc::app
