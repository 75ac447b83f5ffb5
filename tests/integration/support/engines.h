// Real Redis and PostgreSQL servers for the cluster's tests: each in a temp folder of its own, on
// a free loopback port, started by the test and stopped (or killed) by it. PostgreSQL refuses to
// run as root: as root, its folder belongs to the `postgres` system user and its processes run as
// that user.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace qc::itest {

// One engine process (and, for PostgreSQL, its children: one process group).
class EngineProcess {
 public:
  EngineProcess() = default;
  virtual ~EngineProcess();
  EngineProcess(const EngineProcess&) = delete;
  EngineProcess& operator=(const EngineProcess&) = delete;

  bool started() const { return port_ != 0 && pid_ > 0; }
  const std::string& error() const { return error_; }
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }  // to SIGSTOP it (a hung server); -1 when not running
  const std::string& dir() const { return dir_; }
  std::string log() const;  // its log file so far

  void kill_hard();  // SIGKILL to the whole process group; waits for it
  bool stop();       // a clean shutdown (SIGTERM / SIGINT); true when it ended
  bool restart();    // starts the same command again on the same port

 protected:
  // Starts `argv` (as `run_as` when set: a user name), its output appended to dir/NAME.log, in a
  // process group of its own; then waits for ready() up to 30 s.
  bool launch(std::vector<std::string> argv, const std::string& run_as);
  virtual bool ready() = 0;
  virtual int stop_signal() const = 0;
  std::string dir_;
  std::string log_file_;
  std::string error_;
  std::uint16_t port_ = 0;

 private:
  std::vector<std::string> argv_;
  std::string run_as_;
  pid_t pid_ = -1;
};

// redis-server without persistence (a restart empties it, as a lost Redis would).
class RedisProcess : public EngineProcess {
 public:
  RedisProcess();
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  // One inline command over a fresh TCP connection ("PING", "DBSIZE"); the raw reply, or "" on
  // failure.
  std::string command(const std::string& line) const;

 private:
  bool ready() override;
  int stop_signal() const override;
};

// A PostgreSQL cluster (initdb) with a superuser `quicchat` and trust authentication on
// 127.0.0.1; its unix socket in its own folder.
class PostgresProcess : public EngineProcess {
 public:
  PostgresProcess();
  // A new empty database; its URL (postgresql://quicchat@127.0.0.1:PORT/NAME), or "" on failure.
  std::string new_database(const std::string& name);
  // Runs SQL with psql against `url`; psql's output (unaligned, tuples only), or nullopt-like ""
  // with ok=false.
  struct SqlResult {
    bool ok = false;
    std::string out;
  };
  SqlResult sql(const std::string& url, const std::string& statement) const;

 private:
  bool ready() override;
  int stop_signal() const override;
  std::string bin_dir_;
};

// The folder of PostgreSQL's server programs (initdb, postgres), or "" when it is not installed.
std::string postgres_bin_dir();
// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_tcp_port();

}  // namespace qc::itest
