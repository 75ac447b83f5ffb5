// Starts a real `quicchat server` for a test: a temp folder with fresh certificates and an
// account database, the server on a free port, its log captured. Stops it on destruction.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace qc::itest {

struct Account {
  std::string name;
  std::string password;
};

std::vector<Account> default_accounts();  // alice/p1, bob/p2, cam/p3

struct ServerProcessOptions {
  std::vector<Account> accounts = default_accounts();
  std::vector<std::string> extra_args;  // e.g. {"--keepalive-timeout-ms", "1000"}
  std::vector<std::string> exact_args;  // when set: run `quicchat <exact_args>` instead
  // --db for `user import` and the server (a postgresql:// URL; then --secret-file is given a
  // file in the temp folder); empty: an SQLite file in the temp folder (db_file()).
  std::string db;
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerProcessOptions opts = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return port_ != 0; }
  const std::string& error() const { return error_; }
  std::uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string ca_file() const { return dir_ + "/certs/quic_certificate.pem"; }
  std::string db_file() const { return dir_ + "/quicchat.db"; }
  const std::string& db() const { return db_; }
  pid_t pid() const { return pid_; }

  // Waits until the server's log holds `text` (true) or the timeout passes (false).
  bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout);
  // ... until it holds `text` at least `count` times.
  bool wait_for_log_count(const std::string& text, std::size_t count,
                          std::chrono::milliseconds timeout);
  std::string log() const;

  // SIGTERM (graceful; or `signal`) and the exit status, or SIGKILL.
  int terminate(std::chrono::milliseconds timeout = std::chrono::seconds(10), int signal = SIGTERM);
  void kill_hard();
  // kill_hard(), then the same command again on the same port (its log starts afresh); true
  // when it listens there again.
  bool restart_after_kill();

 private:
  void launch();
  void read_log();
  std::vector<std::string> args_;
  std::string dir_;
  std::string db_;
  std::string error_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  int log_fd_ = -1;
  mutable std::mutex log_mu_;
  std::string log_;
  std::thread log_reader_;
};

// Runs `quicchat ARGS...` to completion, feeding `input` to stdin; returns exit status and output.
struct CommandResult {
  int status = -1;
  std::string out;  // stdout and stderr together
};
CommandResult run_quicchat(const std::vector<std::string>& args, const std::string& input = "");

}  // namespace qc::itest
