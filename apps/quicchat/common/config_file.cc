#include "quicchat/common/config_file.h"

#include <toml++/toml.h>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace qc::app {
namespace {

const OptionInfo* find_info(const std::vector<OptionInfo>& infos, std::string_view name) {
  for (const OptionInfo& info : infos) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

}  // namespace

Result<std::vector<std::string>> apply_toml_file(Flags& flags, const std::string& path,
                                                 const std::vector<OptionInfo>& infos) {
  if (std::ifstream probe(path); !probe) {
    return fail("bad_config", "cannot read " + path + ": " + std::strerror(errno));
  }
  toml::table parsed;
  try {
    parsed = toml::parse_file(path);
  } catch (const toml::parse_error& err) {
    return fail("bad_config", path + ":" + std::to_string(err.source().begin.line) + ": " +
                                  std::string(err.description()));
  }
  std::vector<std::string> keys;
  for (auto&& [key, node] : parsed) {
    std::string name(key.str());
    const OptionInfo* info = find_info(infos, name);
    if (info && !info->in_config_file) {
      return fail("bad_config", path + ": '" + name + "' cannot be set in a file");
    }
    std::string value;
    if (auto s = node.value<std::string>())
      value = *s;
    else if (auto i = node.value<std::int64_t>())
      value = std::to_string(*i);
    else if (auto b = node.value<bool>())
      value = *b ? "1" : "0";
    else
      return fail("bad_config", path + ": '" + name + "' must be a string or an integer");
    if (!info) return fail("bad_config", path + ": unknown option '" + name + "'");
    if (!flags.given(name)) flags.set_default(name, value);
    keys.push_back(std::move(name));
  }
  return keys;
}

}  // namespace qc::app
