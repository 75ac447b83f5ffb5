// --spawn-server: a fresh `quicchat server` (this very binary, via /proc/self/exe) in a temp
// folder with its own certificates and an account database made by `quicchat user import` of
// pre-computed bcrypt hashes, on a free port. Stopped, and its folder removed, on destruction.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "util/result.h"

namespace qc::bench {

struct AccountBatch {  // accounts prefix<first>.. sharing one password, hashed at `cost`
  std::string prefix = "u";
  std::size_t first = 0;
  std::size_t count = 0;
  std::string password;
  int cost = 4;
};

struct SpawnOptions {
  std::vector<AccountBatch> accounts;
  int server_bcrypt_cost = 4;           // the dummy hash for unknown users
  std::vector<std::string> extra_args;  // appended to `quicchat server ...`
  std::vector<std::string> wrapper;     // e.g. {"valgrind", "--tool=callgrind"}
  bool keep_dir = false;
};

inline AccountBatch account_batch(std::size_t first, std::size_t count, int cost = 4) {
  AccountBatch b;
  b.first = first;
  b.count = count;
  b.cost = cost;
  return b;
}

// "u0042": the name of account `index` of a batch (four digits, more when needed).
std::string account_name(const std::string& prefix, std::size_t index);

class SpawnedServer {
 public:
  static Result<std::unique_ptr<SpawnedServer>> start(const SpawnOptions& opts);
  ~SpawnedServer();
  SpawnedServer(const SpawnedServer&) = delete;
  SpawnedServer& operator=(const SpawnedServer&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string ca_file() const { return dir_ + "/certs/quic_certificate.pem"; }
  std::string log_file() const { return dir_ + "/server.log"; }
  // SIGTERM, then SIGKILL if it has not exited after a few seconds. Idempotent.
  void stop();

 private:
  SpawnedServer() = default;
  Result<void> prepare(const SpawnOptions& opts);
  Result<void> launch(const SpawnOptions& opts);
  Result<void> wait_until_listening();

  std::string dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  bool keep_dir_ = false;
  bool slow_exit_ = false;
};

}  // namespace qc::bench
