// A real server whose file descriptors run out (one qlog file per QUIC connection, and an
// open-files limit lowered under it with prlimit): new QUIC connections are refused with a
// reason, a TCP connect to the metrics port is closed at once instead of making the accept loop
// spin a core and log without end, and once descriptors are free the server serves again.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ops/process_stats.h"
#include "support/peer.h"
#include "support/server_process.h"

namespace qc::itest {
namespace {

constexpr std::size_t kHeldConnections = 3;  // about the descriptors the server is left with
constexpr int kMetricsConnects = 5;

int connect_tcp(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval guard{20, 0};  // failure guard only
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `request`, returns everything until the server closes ("<timeout>" after the guard).
std::string exchange(std::uint16_t port, const std::string& request) {
  int fd = connect_tcp(port);
  if (fd < 0) return "<connect failed>";
  std::string out;
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) out = "<send failed>";
  char buf[8192];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
  if (n < 0 && errno == EAGAIN) out += "<timeout>";
  ::close(fd);
  return out;
}

const std::string kScrape = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

std::size_t open_fds(pid_t pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    ++n;
  return n;
}

// User + system CPU time of `pid`, in clock ticks.
std::uint64_t cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::stringstream text;
  text << in.rdbuf();
  auto fields = ops::parse_proc_stat(text.str());
  return fields ? fields->utime_ticks + fields->stime_ticks : 0;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::uint16_t metrics_port(const std::string& log) {
  const std::string marker = "metrics on http://127.0.0.1:";
  const auto at = log.find(marker);
  return at == std::string::npos
             ? 0
             : static_cast<std::uint16_t>(std::atoi(log.c_str() + at + marker.size()));
}

TEST(FdLimit, AtTheLimitTheServerRefusesSparesItsCpuAndLogAndRecovers) {
  std::string qlog_dir = "/tmp/qc-fd-limit-XXXXXX";
  ASSERT_NE(mkdtemp(qlog_dir.data()), nullptr);
  ServerProcessOptions opts;
  opts.extra_args = {"--metrics-listen", "127.0.0.1:0", "--qlog-dir", qlog_dir};
  ServerProcess server(opts);
  ASSERT_TRUE(server.started()) << server.error();
  EXPECT_NE(server.log().find("fd_limit soft="), std::string::npos) << server.log();
  const std::uint16_t metrics = metrics_port(server.log());
  ASSERT_NE(metrics, 0) << server.log();

  // Soft and hard alike: room for exactly kHeldConnections more descriptors.
  const rlim_t limit = open_fds(server.pid()) + kHeldConnections;
  const rlimit lowered{limit, limit};
  ASSERT_EQ(prlimit(server.pid(), RLIMIT_NOFILE, &lowered, nullptr), 0);

  // Connections take one descriptor each for their qlog file, until the next is refused.
  Net net;
  const Target target{"127.0.0.1", server.port(), server.ca_file()};
  std::vector<std::unique_ptr<Peer>> held;
  std::string refusal;
  while (held.size() <= kHeldConnections + 2) {
    auto peer = net.connect(target, &refusal);
    if (!peer) break;
    held.push_back(std::move(peer));
  }
  EXPECT_GE(held.size(), 1u);
  EXPECT_EQ(refusal, "server out of file descriptors");

  for (int i = 0; i < kMetricsConnects; ++i) {
    EXPECT_EQ(exchange(metrics, kScrape), "") << "closed unanswered, at once";
  }
  const std::uint64_t before = cpu_ticks(server.pid());
  std::this_thread::sleep_for(1s);  // a measurement window, not a synchronisation
  const std::uint64_t used = cpu_ticks(server.pid()) - before;
  const auto ticks_per_second = static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK));
  std::printf("server CPU at the fd limit: %llu of %llu ticks in one second\n",
              static_cast<unsigned long long>(used),
              static_cast<unsigned long long>(ticks_per_second));
  EXPECT_LT(used, ticks_per_second / 4) << "CPU ticks in one second at the fd limit";
  EXPECT_EQ(count(server.log(), "stream_accept_failed"), 1u) << server.log();
  EXPECT_EQ(count(server.log(), "quic_refused"), 1u) << server.log();

  held.clear();  // closes them: the server closes their qlog files when they are gone
  std::string scraped;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (scraped.rfind("HTTP/1.1 200 OK\r\n", 0) != 0 &&
         std::chrono::steady_clock::now() < deadline) {
    scraped = exchange(metrics, kScrape);
  }
  EXPECT_EQ(scraped.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << scraped;
  EXPECT_TRUE(server.wait_for_log("stream_accept_recovered", 5s)) << server.log();

  auto alice = net.connect(target);
  ASSERT_TRUE(alice);
  EXPECT_FALSE(alice->login("alice", "p1").empty());
  EXPECT_TRUE(server.wait_for_log("quic_refusals_ended", 5s)) << server.log();
  std::filesystem::remove_all(qlog_dir);
}

}  // namespace
}  // namespace qc::itest
