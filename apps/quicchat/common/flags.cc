#include "quicchat/common/flags.h"

#include <algorithm>
#include <charconv>

namespace qc::app {

std::vector<std::string> split_list(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Flags::Flags(std::string usage, std::vector<OptionSpec> specs)
    : usage_(std::move(usage)), specs_(std::move(specs)) {}

const OptionSpec* Flags::find(std::string_view name) const {
  for (const auto& s : specs_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Result<void> Flags::parse(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      help_ = true;
      continue;
    }
    if (a.rfind("--", 0) != 0 || a.size() == 2) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const OptionSpec* spec = find(name);
    if (!spec) return fail("usage", "unknown option --" + name + " (see --help)");
    if (spec->is_switch) {
      if (inline_value) return fail("usage", "--" + name + " takes no value");
      values_[name] = "1";
      continue;
    }
    if (inline_value) {
      values_[name] = *inline_value;
    } else if (i + 1 < args.size()) {
      values_[name] = args[++i];
    } else {
      return fail("usage", "--" + name + " needs a value");
    }
    if (spec->repeatable) {
      auto& list = repeated_[name];  // exists from now on: an empty value gives an empty list
      for (std::string& v : split_list(values_[name])) list.push_back(std::move(v));
    }
  }
  return {};
}

std::string Flags::help_text() const {
  std::string out = usage_ + "\n\nOptions:\n";
  std::size_t width = 30;  // the help texts line up after the longest option
  for (const auto& s : specs_) width = std::max(width, s.name.size() + 13);
  auto line = [&out, width](std::string left, const std::string& help) {
    if (left.size() < width) left.resize(width, ' ');
    out += left + " " + help + "\n";
  };
  for (const auto& s : specs_) {
    if (s.hidden) continue;
    std::string help = s.help;
    if (!s.default_value.empty()) help += " (default: " + s.default_value + ")";
    line("  --" + s.name + (s.is_switch ? "" : " VALUE"), help);
  }
  line("  --help", "this text");
  return out;
}

bool Flags::given(std::string_view name) const { return values_.find(name) != values_.end(); }

std::string Flags::get(std::string_view name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  if (const OptionSpec* s = find(name)) return s->default_value;
  return {};
}

std::vector<std::string> Flags::all(std::string_view name) const {
  if (auto it = repeated_.find(name); it != repeated_.end()) return it->second;
  return split_list(get(name));
}

bool Flags::on(std::string_view name) const { return given(name) && get(name) != "0"; }

Result<std::int64_t> Flags::get_int(std::string_view name, std::int64_t min,
                                    std::int64_t max) const {
  std::string text = get(name);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return fail("usage", "--" + std::string(name) + " must be an integer, got '" + text + "'");
  }
  if (v < min || v > max) {
    return fail("usage", "--" + std::string(name) + " must be between " + std::to_string(min) +
                             " and " + std::to_string(max));
  }
  return v;
}

void Flags::set_default(std::string_view name, std::string value, std::string origin) {
  for (auto& s : specs_) {
    if (s.name == name) s.default_value = std::move(value);
  }
  origins_[std::string(name)] = std::move(origin);
}

std::string Flags::origin(std::string_view name) const {
  if (given(name)) return {};
  auto it = origins_.find(name);
  return it == origins_.end() ? std::string() : it->second;
}

}  // namespace qc::app
