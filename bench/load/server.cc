#include "bench/load/server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "auth/password.h"

namespace qc::bench {
namespace {

std::string self_exe() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("quicchat") : path.string();
}

// fork + exec with stdin from /dev/null and stdout+stderr into `log_path` (or /dev/null).
Result<pid_t> spawn(const std::vector<std::string>& argv_text, const std::string& log_path) {
  std::vector<std::string> copy = argv_text;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int out_fd = open(log_path.empty() ? "/dev/null" : log_path.c_str(),
                          O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (in_fd < 0 || out_fd < 0) return fail("spawn", "cannot open " + log_path);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(out_fd, 2);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(in_fd);
  close(out_fd);
  if (pid < 0) return fail("spawn", "fork failed");
  return pid;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<void> run_to_completion(const std::vector<std::string>& argv, const std::string& log) {
  auto pid = spawn(argv, log);
  if (!pid) return Unexpected<Error>{pid.error()};
  int status = 0;
  waitpid(*pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  return fail("spawn", "`quicchat " + argv[1] + "` failed: " + read_file(log));
}

}  // namespace

std::string account_name(const std::string& prefix, std::size_t index) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%04zu", index);
  return prefix + digits;
}

Result<std::unique_ptr<SpawnedServer>> SpawnedServer::start(const SpawnOptions& opts) {
  std::unique_ptr<SpawnedServer> server(new SpawnedServer());
  server->keep_dir_ = opts.keep_dir;
  server->slow_exit_ = !opts.wrapper.empty();
  if (auto r = server->prepare(opts); !r) return Unexpected<Error>{r.error()};
  if (auto r = server->launch(opts); !r) return Unexpected<Error>{r.error()};
  if (auto r = server->wait_until_listening(); !r) return Unexpected<Error>{r.error()};
  return server;
}

// Certificates and the account database. One hash per batch: every account of a batch shares
// the password, so the import takes no bcrypt time at all.
Result<void> SpawnedServer::prepare(const SpawnOptions& opts) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "quicchat-bench-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return fail("tempdir", "cannot create a temp folder");
  dir_ = tmpl;
  const std::string exe = self_exe();
  if (auto r = run_to_completion({exe, "certs", "--out", dir_ + "/certs"}, dir_ + "/certs.log");
      !r) {
    return r;
  }
  {
    std::ofstream users(dir_ + "/users.txt");
    for (const auto& batch : opts.accounts) {
      auto hash = auth::hash_password(batch.password, batch.cost);
      if (!hash) return Unexpected<Error>{hash.error()};
      for (std::size_t i = batch.first; i < batch.first + batch.count; ++i) {
        users << account_name(batch.prefix, i) << ':' << *hash << '\n';
      }
    }
  }
  return run_to_completion(
      {exe, "user", "import", dir_ + "/users.txt", "--db", dir_ + "/quicchat.db"},
      dir_ + "/import.log");
}

Result<void> SpawnedServer::launch(const SpawnOptions& opts) {
  std::vector<std::string> argv = opts.wrapper;
  for (const std::string& a :
       {self_exe(), std::string("server"), std::string("--host"), std::string("127.0.0.1"),
        std::string("--port"), std::string("0"), std::string("--db"), dir_ + "/quicchat.db",
        std::string("--cert"), ca_file(), std::string("--key"),
        dir_ + "/certs/quic_private_key.pem", std::string("--bcrypt-cost"),
        std::to_string(opts.server_bcrypt_cost), std::string("--log-level"), std::string("warn")}) {
    argv.push_back(a);
  }
  // The fleets all come from 127.0.0.1 and send as fast as they can: the abuse limits would
  // measure themselves, so they are off (--server-args can turn them back on: the last wins).
  // So is the bound on waiting logins: a storm larger than it would be refused, not measured.
  // One address opens every connection (more than an office NAT's 256), and a fleet may connect
  // for longer than the first-PDU timeout before its first LOGIN.
  for (const char* a : {"--msg-rate", "0", "--login-rate-per-ip", "0", "--login-rate-per-account",
                        "0", "--max-pending-logins", "0", "--max-connections-per-ip", "20000",
                        "--first-pdu-timeout-ms", "90000"}) {
    argv.push_back(a);
  }
  argv.insert(argv.end(), opts.extra_args.begin(), opts.extra_args.end());
  auto pid = spawn(argv, log_file());
  if (!pid) return Unexpected<Error>{pid.error()};
  pid_ = *pid;
  return {};
}

// The server prints "listening on HOST:PORT" on stderr once it accepts connections.
Result<void> SpawnedServer::wait_until_listening() {
  const std::string marker = "listening on ";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = read_file(log_file());
    if (auto at = log.find(marker); at != std::string::npos) {
      const auto eol = log.find('\n', at);
      if (eol != std::string::npos) {
        const std::string addr = log.substr(at + marker.size(), eol - at - marker.size());
        port_ = static_cast<std::uint16_t>(std::atoi(addr.c_str() + addr.rfind(':') + 1));
        if (port_ != 0) return {};
      }
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return fail("spawn", "the server exited before listening: " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a file, not syncing
  }
  return fail("spawn", "the server did not report 'listening on' within 60 s");
}

void SpawnedServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  const int polls = slow_exit_ ? 6000 : 500;  // under valgrind the exit takes a while
  for (int i = 0; i < polls; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

SpawnedServer::~SpawnedServer() {
  stop();
  if (!dir_.empty() && !keep_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  } else if (!dir_.empty()) {
    std::fprintf(stderr, "quicchat bench: kept the server folder %s\n", dir_.c_str());
  }
}

}  // namespace qc::bench
