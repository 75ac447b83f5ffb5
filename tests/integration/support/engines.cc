#include "support/engines.h"

#include "support/temp_dir.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace qc::itest {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// As root, `user`'s uid and gid (PostgreSQL will not run as root); otherwise nothing changes.
struct Identity {
  bool change = false;
  uid_t uid = 0;
  gid_t gid = 0;
};
Identity identity_of(const std::string& user) {
  if (user.empty() || geteuid() != 0) return {};
  const passwd* pw = getpwnam(user.c_str());
  if (!pw) return {};
  return {true, pw->pw_uid, pw->pw_gid};
}

// In a forked child: drop to `who`, then exec `argv` with stdout/stderr to `out_fd`.
[[noreturn]] void exec_as(const std::vector<std::string>& argv, const Identity& who, int out_fd) {
  if (out_fd >= 0) {
    dup2(out_fd, 1);
    dup2(out_fd, 2);
  }
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  if (who.change && (setgroups(0, nullptr) != 0 || setgid(who.gid) != 0 || setuid(who.uid) != 0))
    _exit(126);
  std::vector<char*> args;
  std::vector<std::string> copy = argv;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

// Runs a command to completion; its exit status and output.
int run_to_end(const std::vector<std::string>& argv, const Identity& who, std::string& out) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(pipefd[0]);
    exec_as(argv, who, pipefd[1]);
  }
  close(pipefd[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int connect_loopback(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

bool file_contains(const std::string& path, const std::string& text) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  return all.str().find(text) != std::string::npos;
}

}  // namespace

std::uint16_t free_tcp_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string postgres_bin_dir() {
  std::string best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string bin = (entry.path() / "bin").string();
    if (fs::exists(bin + "/initdb") && (best.empty() || bin > best)) best = bin;
  }
  return best;
}

EngineProcess::~EngineProcess() {
  kill_hard();
  if (!dir_.empty() && !std::getenv("QC_KEEP_TEST_DIRS")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string EngineProcess::log() const {
  std::ifstream in(log_file_);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

bool EngineProcess::launch(std::vector<std::string> argv, const std::string& run_as) {
  argv_ = std::move(argv);
  run_as_ = run_as;
  int log_fd = open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    error_ = "cannot open " + log_file_;
    return false;
  }
  const Identity who = identity_of(run_as);
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    exec_as(argv_, who, log_fd);
  }
  close(log_fd);
  setpgid(pid_, pid_);  // also here: no race with kill_hard before the child ran
  for (auto until = std::chrono::steady_clock::now() + 30s;
       std::chrono::steady_clock::now() < until;
       std::this_thread::sleep_for(20ms)) {  // polling a process we cannot be told about
    if (ready()) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = argv_[0] + " exited while starting; its log:\n" + log();
      return false;
    }
  }
  error_ = argv_[0] + " did not become ready in 30 s; its log:\n" + log();
  return false;
}

void EngineProcess::kill_hard() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  // The group's other members (PostgreSQL's backends) are not our children: wait until the group
  // is gone, so that a restart finds the port and the shared memory free.
  for (int i = 0; i < 500 && kill(-pid_, 0) == 0; ++i) std::this_thread::sleep_for(10ms);
  pid_ = -1;
}

bool EngineProcess::stop() {
  if (pid_ <= 0) return true;
  kill(pid_, stop_signal());
  for (int i = 0; i < 1500; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  kill_hard();
  return false;
}

bool EngineProcess::restart() {
  kill_hard();
  return launch(argv_, run_as_);
}

RedisProcess::RedisProcess() {
  dir_ = make_temp_dir("redis");
  if (dir_.empty()) {
    error_ = "cannot create a temp dir";
    return;
  }
  log_file_ = dir_ + "/redis.log";
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_tcp_port();
    if (launch({"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                "--dir", dir_, "--save", "", "--appendonly", "no", "--protected-mode", "no",
                "--daemonize", "no"},
               ""))
      return;
  }
  port_ = 0;
}

bool RedisProcess::ready() { return command("PING").rfind("+PONG", 0) == 0; }

int RedisProcess::stop_signal() const { return SIGTERM; }

std::string RedisProcess::command(const std::string& line) const {
  int fd = connect_loopback(port_);
  if (fd < 0) return {};
  const std::string request = line + "\r\n";
  std::string reply;
  if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) reply.assign(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return reply;
}

PostgresProcess::PostgresProcess() {
  bin_dir_ = postgres_bin_dir();
  if (bin_dir_.empty()) {
    error_ = "PostgreSQL's server programs are not installed (scripts/bootstrap installs them)";
    return;
  }
  dir_ = make_temp_dir("postgres");
  if (dir_.empty()) {
    error_ = "cannot create a temp dir";
    return;
  }
  const Identity who = identity_of("postgres");
  if (who.change && chown(dir_.c_str(), who.uid, who.gid) != 0) {
    error_ = "cannot give " + dir_ + " to the postgres user";
    return;
  }
  log_file_ = dir_ + "/postgres.log";
  std::string out;
  if (run_to_end({bin_dir_ + "/initdb", "-D", dir_ + "/data", "-A", "trust", "-U", "quicchat",
                  "--no-sync", "-E", "UTF8", "--locale", "C"},
                 who, out) != 0) {
    error_ = "initdb failed: " + out;
    return;
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_tcp_port();
    if (launch({bin_dir_ + "/postgres", "-D", dir_ + "/data", "-p", std::to_string(port_), "-k",
                dir_, "-c", "listen_addresses=127.0.0.1"},
               "postgres"))
      return;
  }
  port_ = 0;
}

bool PostgresProcess::ready() {
  // The log is the postgres user's file; we read it as root or as its owner.
  return file_contains(log_file_, "database system is ready to accept connections") &&
         file_contains(log_file_, "port " + std::to_string(port_)) && [this] {
           // After a restart the log holds the first start's line too: ask the server itself.
           std::string out;
           return run_to_end({bin_dir_ + "/pg_isready", "-q", "-h", "127.0.0.1", "-p",
                              std::to_string(port_)},
                             {}, out) == 0;
         }();
}

int PostgresProcess::stop_signal() const { return SIGINT; }  // "fast" shutdown

std::string PostgresProcess::new_database(const std::string& name) {
  std::string out;
  if (run_to_end({bin_dir_ + "/createdb", "-h", "127.0.0.1", "-p", std::to_string(port_), "-U",
                  "quicchat", name},
                 {}, out) != 0) {
    error_ = "createdb failed: " + out;
    return {};
  }
  return "postgresql://quicchat@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

PostgresProcess::SqlResult PostgresProcess::sql(const std::string& url,
                                                const std::string& statement) const {
  SqlResult result;
  result.ok = run_to_end({"/usr/bin/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d",
                          url, "-c", statement},
                         {}, result.out) == 0;
  return result;
}

}  // namespace qc::itest
