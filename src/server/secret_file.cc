#include "server/secret_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace qc::server {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::size_t kLongestFile = 4 * kSecretBytes;  // read no more than this

Unexpected<Error> secret_error(const std::string& path, const std::string& what) {
  return fail("secret_file", "secret file " + path + ": " + what);
}

Unexpected<Error> errno_error(const std::string& path, const std::string& doing) {
  return secret_error(path, doing + ": " + std::strerror(errno));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  for (std::uint8_t b : bytes) (out += kHexDigits[b >> 4]) += kHexDigits[b & 15];
  return out;
}

Result<std::vector<std::uint8_t>> parse_secret(const std::string& path, std::string_view text) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  if (text.size() != 2 * kSecretBytes) {
    return secret_error(path, "holds " + std::to_string(text.size()) +
                                  " characters; it must hold 64 hex digits (32 bytes)");
  }
  std::vector<std::uint8_t> secret;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return secret_error(path, "holds something other than hex digits");
    secret.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return secret;
}

// Reads and checks an open secret file; closes `fd`.
Result<std::vector<std::uint8_t>> read_secret(const std::string& path, int fd) {
  struct stat st {};
  const bool stat_ok = fstat(fd, &st) == 0;
  std::string text(kLongestFile + 1, '\0');
  const ssize_t n = stat_ok && S_ISREG(st.st_mode) ? read(fd, text.data(), text.size()) : 0;
  const int read_errno = errno;
  close(fd);
  if (!stat_ok) return errno_error(path, "cannot stat");
  if (!S_ISREG(st.st_mode)) return secret_error(path, "is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return secret_error(path, std::string("group or others may access it (mode ") + mode +
                                  "); run: chmod 600 " + path);
  }
  if (n < 0) {
    errno = read_errno;
    return errno_error(path, "cannot read");
  }
  text.resize(static_cast<std::size_t>(n));
  return parse_secret(path, text);
}

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return fsync(fd) == 0;
}

// Puts `tmp` in place at `path` unless a file appeared there meanwhile (EEXIST then).
int rename_no_replace(const std::string& tmp, const std::string& path) {
  if (renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL) return -1;
  return std::rename(tmp.c_str(), path.c_str());  // a file system without RENAME_NOREPLACE
}

void sync_folder(const std::string& path) {
  const std::string folder = std::filesystem::path(path).parent_path().string();
  int fd = open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

int open_secret(const std::string& path) { return open(path.c_str(), O_RDONLY | O_CLOEXEC); }

// The secret in the file open_secret() opened (fd < 0: why it could not).
Result<SecretFile> load_secret(const std::string& path, int fd) {
  if (fd < 0) return errno_error(path, "cannot open");
  auto secret = read_secret(path, fd);
  if (!secret) return Unexpected{secret.error()};
  return SecretFile{std::move(*secret), false};
}

Result<SecretFile> create_secret(const std::string& path) {
  std::vector<std::uint8_t> secret(kSecretBytes);
  if (getrandom(secret.data(), secret.size(), 0) != static_cast<ssize_t>(secret.size())) {
    return errno_error(path, "no random bytes");
  }
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = mkostemp(tmp.data(), O_CLOEXEC);  // mode 0600
  if (fd < 0) return errno_error(path, "cannot create a file beside it");
  const bool written = fchmod(fd, 0600) == 0 && write_all(fd, to_hex(secret) + "\n");
  close(fd);
  if (!written || rename_no_replace(tmp, path) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    if (err == EEXIST)
      return load_secret(path, open_secret(path));  // another server created it first
    errno = err;
    return errno_error(path, "cannot create");
  }
  sync_folder(path);
  return SecretFile{std::move(secret), true};
}

}  // namespace

Result<SecretFile> load_or_create_secret(const std::string& path) {
  const int fd = open_secret(path);
  if (fd < 0 && errno == ENOENT) return create_secret(path);
  return load_secret(path, fd);
}

std::string default_secret_path(const std::string& db_path) {
  return (std::filesystem::path(db_path).parent_path() / "server.secret").string();
}

}  // namespace qc::server
