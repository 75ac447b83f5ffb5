#include "support/server_process.h"

#include "support/temp_dir.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#ifndef QC_BINARY
#error "QC_BINARY must name the quicchat binary"
#endif

namespace qc::itest {
namespace {

std::condition_variable g_log_cv;

// fork+exec with stdin from `in_fd` and stdout/stderr to `out_fd` (-1: inherit).
pid_t spawn(const std::vector<std::string>& args, int in_fd, int out_fd) {
  std::vector<char*> argv;
  std::string bin = QC_BINARY;
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    if (in_fd >= 0) dup2(in_fd, 0);
    if (out_fd >= 0) {
      dup2(out_fd, 1);
      dup2(out_fd, 2);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

std::vector<Account> default_accounts() { return {{"alice", "p1"}, {"bob", "p2"}, {"cam", "p3"}}; }

CommandResult run_quicchat(const std::vector<std::string>& args, const std::string& input) {
  int in_pipe[2], out_pipe[2];
  if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0) return {};
  pid_t pid = spawn(args, in_pipe[0], out_pipe[1]);
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (!input.empty() && write(in_pipe[1], input.data(), input.size()) < 0) {
    // The child may have exited early; its status tells.
  }
  close(in_pipe[1]);
  CommandResult result;
  char buf[4096];
  ssize_t n;
  while ((n = read(out_pipe[0], buf, sizeof buf)) > 0) result.out.append(buf, n);
  close(out_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

ServerProcess::ServerProcess(ServerProcessOptions opts) {
  dir_ = make_temp_dir("test");
  if (dir_.empty()) {
    error_ = "cannot create a temp dir";
    return;
  }
  auto certs = run_quicchat({"certs", "--out", dir_ + "/certs"});
  if (certs.status != 0) {
    error_ = "quicchat certs failed: " + certs.out;
    return;
  }
  {
    std::ofstream users(dir_ + "/users.txt");
    for (const auto& a : opts.accounts) users << a.name << ':' << a.password << '\n';
  }
  db_ = opts.db.empty() ? db_file() : opts.db;
  auto import = run_quicchat({"user", "import", dir_ + "/users.txt", "--db", db_, "--cost", "4"});
  if (import.status != 0) {
    error_ = "quicchat user import failed: " + import.out;
    return;
  }
  std::vector<std::string> args = {"server",
                                   "--host",
                                   "127.0.0.1",
                                   "--port",
                                   "0",
                                   "--db",
                                   db_,
                                   "--cert",
                                   dir_ + "/certs/quic_certificate.pem",
                                   "--key",
                                   dir_ + "/certs/quic_private_key.pem",
                                   "--bcrypt-cost",
                                   "4",
                                   "--hash-threads",
                                   "2"};
  if (!opts.db.empty()) args.insert(args.end(), {"--secret-file", dir_ + "/server.secret"});
  args.insert(args.end(), opts.extra_args.begin(), opts.extra_args.end());
  if (!opts.exact_args.empty()) args = opts.exact_args;
  args_ = args;
  launch();
}

void ServerProcess::launch() {
  int log_pipe[2];
  if (pipe2(log_pipe, O_CLOEXEC) != 0) {
    error_ = "pipe failed";
    return;
  }
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_ = spawn(args_, devnull, log_pipe[1]);
  close(devnull);
  close(log_pipe[1]);
  log_fd_ = log_pipe[0];
  log_reader_ = std::thread([this] { read_log(); });

  const std::string marker = "listening on 127.0.0.1:";
  if (!wait_for_log(marker, std::chrono::seconds(20))) {
    error_ = "server did not start; its log:\n" + log();
    return;
  }
  std::string text = log();
  port_ = static_cast<std::uint16_t>(std::atoi(text.c_str() + text.find(marker) + marker.size()));
}

bool ServerProcess::restart_after_kill() {
  kill_hard();
  if (log_reader_.joinable()) log_reader_.join();
  if (log_fd_ >= 0) close(log_fd_);
  log_fd_ = -1;
  {
    std::lock_guard<std::mutex> lock(log_mu_);
    log_.clear();
  }
  for (std::size_t i = 0; i + 1 < args_.size(); ++i) {
    if (args_[i] == "--port") args_[i + 1] = std::to_string(port_);
  }
  const std::uint16_t old_port = port_;
  port_ = 0;
  launch();
  return port_ == old_port;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) kill_hard();
  if (log_reader_.joinable()) log_reader_.join();
  if (log_fd_ >= 0) close(log_fd_);
  if (!dir_.empty() && !std::getenv("QC_KEEP_TEST_DIRS")) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

void ServerProcess::read_log() {
  char buf[4096];
  ssize_t n;
  while ((n = read(log_fd_, buf, sizeof buf)) > 0) {
    {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.append(buf, static_cast<std::size_t>(n));
    }
    g_log_cv.notify_all();
  }
  g_log_cv.notify_all();
}

bool ServerProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(log_mu_);
  return g_log_cv.wait_for(lock, timeout, [&] { return log_.find(text) != std::string::npos; });
}

bool ServerProcess::wait_for_log_count(const std::string& text, std::size_t count,
                                       std::chrono::milliseconds timeout) {
  auto occurrences = [&] {
    std::size_t n = 0;
    for (auto at = log_.find(text); at != std::string::npos; at = log_.find(text, at + 1)) ++n;
    return n;
  };
  std::unique_lock<std::mutex> lock(log_mu_);
  return g_log_cv.wait_for(lock, timeout, [&] { return occurrences() >= count; });
}

std::string ServerProcess::log() const {
  std::lock_guard<std::mutex> lock(log_mu_);
  return log_;
}

int ServerProcess::terminate(std::chrono::milliseconds timeout, int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  // waitpid has no timeout; the server's own log line says when it has stopped.
  if (!wait_for_log(" stopped", timeout)) {
    ::kill(pid_, SIGKILL);
  }
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace qc::itest
