#include "client/device_id.h"

#include <cstdlib>
#include <fstream>
#include <random>

#include "client/state_files.h"

namespace qc::client {
namespace {

constexpr std::size_t kMaxIdBytes = 64;

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

std::string parent_dir(std::string_view state_dir, std::string_view server, std::string_view user) {
  return user_state_dir(state_dir, server, user);
}

// A crash never leaves a half-written id (write_state_file).
Result<void> write_id(const std::string& dir, const std::string& file, std::string_view id) {
  return write_state_file(dir, file, std::string(id) + "\n");
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
