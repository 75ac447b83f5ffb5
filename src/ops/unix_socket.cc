#include "ops/unix_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace qc::ops {
namespace {

Result<sockaddr_un> unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return fail("admin_socket", "socket path must be 1-" +
                                    std::to_string(sizeof addr.sun_path - 1) + " bytes: '" + path +
                                    "'");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// A socket file already at `path`: a live server's (refuse) or a stale one (remove it).
Result<void> clear_stale(const std::string& path, const sockaddr_un& addr) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return {};  // nothing there
  if (!S_ISSOCK(st.st_mode)) {
    return fail("admin_socket", path + " exists and is not a socket; refusing to replace it");
  }
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return fail("admin_socket", errno_text("socket for", path));
  const bool live = connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(probe);
  if (live) return fail("admin_socket", path + " is in use by a running server");
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return fail("admin_socket", errno_text("cannot remove stale", path));
  }
  return {};
}

}  // namespace

Result<int> listen_unix(const std::string& path) {
  auto addr = unix_address(path);
  if (!addr) return Unexpected{addr.error()};
  if (auto cleared = clear_stale(path, *addr); !cleared) return Unexpected{cleared.error()};
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("admin_socket", errno_text("socket for", path));
  // The file bind() creates takes the umask: 0177 leaves 0600, with no moment of wider access.
  const mode_t old_mask = umask(0177);
  const int bound = bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr);
  umask(old_mask);
  if (bound != 0 || listen(fd, 16) != 0) {
    std::string error = errno_text("cannot listen on", path);
    ::close(fd);
    return fail("admin_socket", error);
  }
  return fd;
}

Result<int> connect_unix(const std::string& path) {
  auto addr = unix_address(path);
  if (!addr) return Unexpected{addr.error()};
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("admin_socket", errno_text("socket for", path));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0) {
    std::string error = errno_text("cannot connect to", path);
    ::close(fd);
    return fail("admin_socket", error);
  }
  return fd;
}

}  // namespace qc::ops
