#include "bench/load/cluster_probe.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "bench/load/proc.h"

namespace qc::bench {
namespace {

std::optional<pid_t> parent_of(const std::string& pid_dir) {
  std::ifstream in(pid_dir + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const auto close = line.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos || close + 4 >= line.size()) return std::nullopt;
  return static_cast<pid_t>(std::atol(line.c_str() + close + 4));  // after ") S "
}

std::int64_t field(const std::string& info, const std::string& name) {
  const auto at = info.find(name + ":");
  return at == std::string::npos ? 0 : std::atoll(info.c_str() + at + name.size() + 1);
}

int connect_tcp(const NodeAddress& to) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(to.host.c_str(), std::to_string(to.port).c_str(), &hints, &found) != 0) return -1;
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const timeval patience{2, 0};  // a hung Redis must not hang the bench
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  return fd;
}

}  // namespace

std::optional<std::int64_t> process_tree_cpu_ns(pid_t root) {
  std::multimap<pid_t, pid_t> children;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (auto parent = parent_of(entry.path().string())) {
      children.emplace(*parent, static_cast<pid_t>(std::atol(name.c_str())));
    }
  }
  auto total = process_cpu_ns(root);
  if (!total) return std::nullopt;
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    const pid_t pid = todo.back();
    todo.pop_back();
    auto [first, last] = children.equal_range(pid);
    for (auto it = first; it != last; ++it) {
      if (auto cpu = process_cpu_ns(it->second)) *total += *cpu;  // gone since: uncounted
      todo.push_back(it->second);
    }
  }
  return total;
}

Result<RedisStats> redis_info(const NodeAddress& redis) {
  const int fd = connect_tcp(redis);
  if (fd < 0) return fail("redis", "cannot connect to " + redis.host);
  const std::string_view request = kRedisInfoRequest;
  std::string reply;
  if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
    // A bulk string: $LEN\r\n then LEN bytes and \r\n.
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
      reply.append(buf, static_cast<std::size_t>(n));
      const auto eol = reply.find("\r\n");
      if (reply[0] == '$' && eol != std::string::npos &&
          reply.size() >= eol + 2 + std::strtoull(reply.c_str() + 1, nullptr, 10) + 2) {
        break;
      }
    }
  }
  close(fd);
  if (reply.empty() || reply[0] != '$') return fail("redis", "no INFO reply");
  return RedisStats{field(reply, "total_commands_processed"), field(reply, "total_net_input_bytes"),
                    field(reply, "total_net_output_bytes"),
                    static_cast<std::int64_t>(reply.size())};
}

ClusterSample sample_cluster(const ClusterWatch& watch) {
  ClusterSample s;
  if (!watch.nodes.empty()) {
    std::int64_t sum = 0;
    bool all = true;
    for (pid_t pid : watch.nodes) {
      auto cpu = process_cpu_ns(pid);
      all = all && cpu.has_value();
      sum += cpu.value_or(0);
    }
    if (all) s.nodes_cpu_ns = sum;
  }
  for (const auto& [name, pid] : watch.engines)
    s.engines_cpu_ns.push_back(process_tree_cpu_ns(pid));
  if (watch.redis) {
    if (auto stats = redis_info(*watch.redis)) s.redis = *stats;
  }
  return s;
}

}  // namespace qc::bench
