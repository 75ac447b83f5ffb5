// qc-peerbench against the real peer servers scripts/bench-peers measures: nats-server and
// ngIRCd over TLS, each on a free loopback port with the configs of bench/peers/conf/. A short
// latency run against each must deliver every message. Skipped where a server is not installed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/engines.h"
#include "support/temp_dir.h"

namespace qc::itest {
namespace {

const std::string kConfDir = std::string(QC_SOURCE_DIR) + "/bench/peers/conf";
const std::string kCert = std::string(QC_SOURCE_DIR) + "/tests/data/certs/quic_certificate.pem";
const std::string kKey = std::string(QC_SOURCE_DIR) + "/tests/data/certs/quic_private_key.pem";

std::string installed(const std::string& name) {
  for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/usr/local/bin/", "/usr/local/sbin/"}) {
    if (access((dir + name).c_str(), X_OK) == 0) return dir + name;
  }
  return {};
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// A peer server from its template in bench/peers/conf/, as scripts/bench-peers writes it.
class PeerServer : public EngineProcess {
 public:
  PeerServer(const std::string& binary, const std::string& conf_name,
             const std::vector<std::string>& flags) {
    dir_ = make_temp_dir("peer");
    log_file_ = dir_ + "/server.log";
    port_ = free_tcp_port();
    std::ifstream in(kConfDir + "/" + conf_name + ".in");
    std::stringstream text;
    text << in.rdbuf();
    std::string conf = replace_all(text.str(), "@PORT@", std::to_string(port_));
    conf = replace_all(conf, "@CERT@", kCert);
    conf = replace_all(conf, "@KEY@", kKey);
    conf = replace_all(conf, "@DH@", kConfDir + "/ffdhe2048.pem");
    std::ofstream(dir_ + "/" + conf_name) << conf;
    std::vector<std::string> argv{binary};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back(dir_ + "/" + conf_name);
    launch(argv, "");
  }
  ~PeerServer() override {
    kill_hard();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  bool ready() override {  // listening
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return ok;
  }
  int stop_signal() const override { return SIGTERM; }
};

struct Outcome {
  int status = -1;
  std::string out;
};

Outcome peerbench(const std::string& args) {
  Outcome o;
  FILE* pipe = popen((std::string(QC_PEERBENCH) + " " + args + " 2>&1").c_str(), "r");
  if (!pipe) return o;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, pipe)) o.out.append(buf, n);
  const int status = pclose(pipe);
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

void expect_all_delivered(const PeerServer& server, const std::string& proto_args) {
  ASSERT_TRUE(server.started()) << server.error();
  const Outcome run =
      peerbench("latency " + proto_args + " --port " + std::to_string(server.port()) + " --ca " +
                kCert + " --server-pid " + std::to_string(server.pid()) +
                " --messages 300 --warmup 20 --timeout-s 20 --json");
  EXPECT_EQ(run.status, 0) << run.out << "\nserver log:\n" << server.log();
  EXPECT_NE(run.out.find("\"every message arrived once, in order\": true"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("320/320 messages"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\"server_cpu_us_per_message\": "), std::string::npos) << run.out;
}

TEST(PeerBench, LatencyOverNatsTls) {
  const std::string binary = installed("nats-server");
  if (binary.empty()) GTEST_SKIP() << "nats-server is not installed (apt-get install nats-server)";
  PeerServer server(binary, "nats-server.conf", {"-c"});
  expect_all_delivered(server, "--proto nats");
}

TEST(PeerBench, LatencyOverIrcTls) {
  const std::string binary = installed("ngircd");
  if (binary.empty()) GTEST_SKIP() << "ngircd is not installed (apt-get install ngircd)";
  PeerServer server(binary, "ngircd.conf", {"-n", "-f"});
  expect_all_delivered(server, "--proto irc --irc-oper bench:benchpass --tls-record-max 2048");
}

}  // namespace
}  // namespace qc::itest
