#include "client/state_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace qc::client {
namespace {

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

Result<void> failed(std::string_view what, const std::string& path) {
  return fail("state_dir",
              "cannot " + std::string(what) + " " + path + ": " + std::strerror(errno));
}

bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The rename is durable only once the folder's entry is on disk too.
Result<void> sync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return failed("open", dir);
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return failed("sync", dir);
  return {};
}

}  // namespace

std::string user_state_dir(std::string_view state_dir, std::string_view server,
                           std::string_view user) {
  return std::string(state_dir) + "/" + safe_component(server, false) + "/" +
         safe_component(user, true);
}

Result<void> make_state_dirs(const std::string& path) {
  for (std::size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) return failed("create", prefix);
  }
  return {};
}

Result<void> write_state_file(const std::string& dir, const std::string& file,
                              std::string_view content) {
  if (auto made = make_state_dirs(dir); !made) return made;
  const std::string tmp = file + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return failed("write", tmp);
  const bool written = write_all(fd, content) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), file.c_str()) != 0) {
    auto error = failed("write", file);
    ::unlink(tmp.c_str());
    return error;
  }
  return sync_dir(dir);
}

}  // namespace qc::client
