#include "quicchat/client/client_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "client/state_files.h"
#include "quicchat/client/client_options.h"
#include "quicchat/common/config_file.h"

namespace qc::app {
namespace {

namespace fs = std::filesystem;

// The options whose values are file or folder paths.
bool is_path_option(std::string_view name) {
  return name == "ca" || name == "password-file" || name == "state-dir";
}

// A file's relative paths start from its folder; "" (the system trust store) stays "".
void resolve_paths_from(const fs::path& folder, const std::vector<std::string>& keys,
                        Flags& flags) {
  for (const std::string& key : keys) {
    if (!is_path_option(key) || flags.given(key)) continue;
    const std::string value = flags.get(key);
    if (value.empty() || fs::path(value).is_absolute()) continue;
    flags.set_default(key, (folder / value).lexically_normal().string(), flags.origin(key));
  }
}

Result<void> write_new_file(const std::string& path, const std::string& content) {
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) {
    if (auto made = client::make_state_dirs(parent.string()); !made) return made;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) {
    return fail("config_exists",
                path + " exists: not replaced (edit it, or remove it and save again)");
  }
  if (fd < 0) return fail("save_config", "cannot create " + path + ": " + std::strerror(errno));
  std::string_view rest = content;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  const bool written = rest.empty() && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    return fail("save_config", "cannot write " + path + ": " + std::strerror(errno));
  }
  return {};
}

// The options given on the command line, as TOML; a value that fails its row's checks is an error.
Result<std::string> given_options_toml(const Flags& flags) {
  toml::table table;
  for (const auto& o : client_options()) {
    const std::string name(o.info.name);
    if (!o.info.in_config_file || !flags.given(name)) continue;
    auto checked = checked_value(flags, o.info);
    if (!checked) return Unexpected{checked.error()};
    const OptionValue& v = checked->value;
    if (o.info.kind == Kind::Int) {
      table.insert(name, v.number);
    } else if (o.info.kind == Kind::Switch) {
      table.insert(name, v.on);
    } else if (is_path_option(name) && !v.text.empty()) {
      table.insert(name, fs::absolute(v.text).lexically_normal().string());
    } else {
      table.insert(name, v.text);
    }
  }
  if (table.empty()) {
    return fail("usage", "--save-config: give the options to save, e.g. --server HOST --ca FILE");
  }
  std::ostringstream out;
  out << "# quicchat client defaults (keys are the option names; the command line wins)\n"
      << table << "\n";
  return out.str();
}

}  // namespace

std::string client_config_path(const std::string& xdg_config_home, const std::string& home) {
  if (!xdg_config_home.empty()) return xdg_config_home + "/quicchat/client.toml";
  if (!home.empty()) return home + "/.config/quicchat/client.toml";
  return {};
}

std::string default_client_config_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  return client_config_path(xdg ? xdg : "", home ? home : "");
}

Result<ConfigSource> apply_client_config(Flags& flags, const std::string& default_path) {
  ConfigSource source{.path = flags.given("config") ? flags.get("config") : default_path};
  if (source.path.empty()) return source;
  std::error_code ec;
  if (!flags.given("config") && !fs::exists(source.path, ec)) return ConfigSource{};
  auto keys = apply_toml_file(flags, source.path, option_infos(client_options()));
  if (!keys) return Unexpected{keys.error()};
  source.keys = std::move(*keys);
  resolve_paths_from(fs::absolute(source.path).parent_path(), source.keys, flags);
  return source;
}

Result<std::string> save_client_config(const Flags& flags, const std::string& default_path) {
  const std::string path = flags.given("config") ? flags.get("config") : default_path;
  if (path.empty()) {
    return fail("usage",
                "--save-config: no config file (set HOME or XDG_CONFIG_HOME, or --config)");
  }
  auto content = given_options_toml(flags);
  if (!content) return Unexpected{content.error()};
  if (auto written = write_new_file(path, *content); !written) return Unexpected{written.error()};
  return path;
}

}  // namespace qc::app
