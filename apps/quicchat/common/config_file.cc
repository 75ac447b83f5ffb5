#include "quicchat/common/config_file.h"

#include <toml++/toml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

namespace qc::app {
namespace {

const OptionInfo* find_info(const std::vector<OptionInfo>& infos, std::string_view name) {
  for (const OptionInfo& info : infos) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

// "FILE:LINE" of a value (or a syntax error) in the config file.
std::string where(const std::string& path, const toml::source_region& region) {
  return path + ":" + std::to_string(region.begin.line);
}

Result<std::string> read_config_text(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) return fail("bad_config", path + ": cannot read: " + std::strerror(errno));
  std::string text;
  char chunk[4096];
  while (std::size_t n = std::fread(chunk, 1, sizeof chunk, file.get())) text.append(chunk, n);
  if (std::ferror(file.get())) {
    return fail("bad_config", path + ": cannot read: " + std::strerror(errno));
  }
  return text;
}

// A config value as the flag parser takes it (booleans as "1"/"0"); nullopt for other types.
std::optional<std::string> flag_text(const toml::node& node) {
  if (auto s = node.value_exact<std::string>()) return *s;
  if (auto i = node.value_exact<std::int64_t>()) return std::to_string(*i);
  if (auto b = node.value_exact<bool>()) return *b ? "1" : "0";
  return std::nullopt;
}

}  // namespace

Result<std::vector<std::string>> apply_toml_file(Flags& flags, const std::string& path,
                                                 const std::vector<OptionInfo>& infos) {
  auto text = read_config_text(path);
  if (!text) return Unexpected{text.error()};
  toml::table parsed;
  try {
    parsed = toml::parse(*text, path);
  } catch (const toml::parse_error& err) {
    return fail("bad_config", where(path, err.source()) + ": " + std::string(err.description()));
  }
  std::vector<std::string> keys;
  for (auto&& [key, node] : parsed) {
    std::string name(key.str());
    const std::string at = where(path, node.source());
    const OptionInfo* info = find_info(infos, name);
    if (!info) return fail("bad_config", at + ": unknown option '" + name + "'");
    if (!info->in_config_file) {
      return fail("bad_config", at + ": '" + name + "' cannot be set in a file");
    }
    auto value = flag_text(node);
    if (!value) {
      return fail("bad_config", at + ": '" + name + "' must be a string, an integer or a boolean");
    }
    if (!flags.given(name)) flags.set_default(name, *value, at);
    keys.push_back(std::move(name));
  }
  return keys;
}

}  // namespace qc::app
