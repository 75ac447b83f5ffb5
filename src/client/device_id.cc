#include "client/device_id.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>

namespace qc::client {
namespace {

constexpr std::size_t kMaxIdBytes = 64;

// A path component: letters, digits and ".-_:" kept (ASCII letters lowered for the user), the
// rest '_'; never "", "." or "..".
std::string safe_component(std::string_view part, bool lower) {
  std::string out;
  for (char c : part) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_' || c == ':';
    char k = keep ? c : '_';
    if (lower && k >= 'A' && k <= 'Z') k = static_cast<char>(k - 'A' + 'a');
    out.push_back(k);
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

std::string parent_dir(std::string_view state_dir, std::string_view server, std::string_view user) {
  return std::string(state_dir) + "/" + safe_component(server, false) + "/" +
         safe_component(user, true);
}

// mkdir -p with 0700 for the directories it creates.
Result<void> make_dirs(const std::string& path) {
  for (std::size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return fail("state_dir", "cannot create " + prefix + ": " + std::strerror(errno));
    }
  }
  return {};
}

std::string random_id() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) id.push_back(kHex[rd() % 16]);
  return id;
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) return false;
  for (char c : id) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Written to a temporary file and renamed: a crash never leaves a half-written id.
Result<void> write_id(const std::string& dir, const std::string& file, std::string_view id) {
  if (auto made = make_dirs(dir); !made) return made;
  const std::string tmp = file + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail("state_dir", "cannot write " + tmp + ": " + std::strerror(errno));
  const std::string line = std::string(id) + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), file.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fail("state_dir", "cannot write " + file);
  }
  return {};
}

}  // namespace

std::string default_state_dir() {
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/quicchat";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.local/state/quicchat";
  }
  return {};
}

std::string device_file(std::string_view state_dir, std::string_view server,
                        std::string_view user) {
  return parent_dir(state_dir, server, user) + "/device";
}

Result<std::string> load_or_create_device_id(std::string_view state_dir, std::string_view server,
                                             std::string_view user) {
  const std::string file = device_file(state_dir, server, user);
  std::ifstream in(file);
  std::string id;
  if (in && std::getline(in, id) && valid_id(id)) return id;
  id = random_id();
  if (auto written = write_id(parent_dir(state_dir, server, user), file, id); !written) {
    return Unexpected{written.error()};
  }
  return id;
}

Result<void> store_device_id(std::string_view state_dir, std::string_view server,
                             std::string_view user, std::string_view id) {
  if (!valid_id(id)) return fail("device_id", "not a device id");
  return write_id(parent_dir(state_dir, server, user), device_file(state_dir, server, user), id);
}

}  // namespace qc::client
