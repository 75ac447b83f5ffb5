// The metrics endpoint of a real server: scrape, chat, scrape again, and the counters moved as
// the chat says they must; a malformed request gets 400 and the chat goes on.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

#include "support/peer.h"
#include "support/server_process.h"

namespace qc::itest {
namespace {

using proto::MsgType;

// One request over a fresh TCP connection; everything the server sends until it closes.
std::string http(std::uint16_t port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval guard{20, 0};  // failure guard only
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    char buf[8192];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return out;
}

std::string get(std::uint16_t port, const std::string& path) {
  return http(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

// Sample lines of an exposition: "name{labels}" -> value.
using Scrape = std::map<std::string, double>;

Scrape parse_scrape(const std::string& response) {
  Scrape samples;
  std::istringstream in(response.substr(response.find("\r\n\r\n") + 4));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::size_t space = line.rfind(' ');
    samples[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  }
  return samples;
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started()) << server_.error();
    const std::string marker = "metrics on http://127.0.0.1:";
    const std::string log = server_.log();
    ASSERT_NE(log.find(marker), std::string::npos) << log;
    metrics_port_ =
        static_cast<std::uint16_t>(std::atoi(log.c_str() + log.find(marker) + marker.size()));
    ASSERT_NE(metrics_port_, 0);
  }

  Scrape scrape() {
    const std::string response = get(metrics_port_, "/metrics");
    EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
    EXPECT_NE(response.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
    return parse_scrape(response);
  }

  static ServerProcessOptions options() {
    ServerProcessOptions opts;
    opts.extra_args = {"--metrics-listen", "127.0.0.1:0"};
    return opts;
  }
  ServerProcess server_{options()};
  std::uint16_t metrics_port_ = 0;
};

TEST_F(MetricsTest, CountersFollowTheChat) {
  const Scrape before = scrape();
  EXPECT_EQ(before.at("quicchat_sessions_logged_in"), 0);
  EXPECT_EQ(before.at("quicchat_logins_total{result=\"ok\"}"), 0);
  EXPECT_GT(before.at("process_resident_memory_bytes"), 0);
  EXPECT_GT(before.at("process_start_time_seconds"), 1.7e9);

  Net net;
  const Target target{"127.0.0.1", server_.port(), server_.ca_file()};
  auto alice = net.connect(target);
  auto bob = net.connect(target);
  auto cam = net.connect(target);
  ASSERT_TRUE(alice && bob && cam);
  ASSERT_FALSE(alice->login("alice", "p1").empty());
  ASSERT_FALSE(bob->login("bob", "p2").empty());
  cam->send(MsgType::Versions, proto::encode_versions_request({{1}}));
  ASSERT_TRUE(cam->expect(MsgType::Versions));
  cam->send(MsgType::Login, proto::encode_login({"cam", "wrong"}));
  ASSERT_TRUE(cam->expect(MsgType::LoginUnsuccessfulRetry));
  ASSERT_TRUE(alice->expect(MsgType::LoginBroadcast));  // bob arrived
  alice->send(MsgType::OneToOne, proto::encode_one_to_one({"2", "hello bob"}));
  auto delivered = bob->expect(MsgType::OneToOne);
  ASSERT_TRUE(delivered);

  const Scrape after = scrape();
  auto delta = [&](const std::string& key) { return after.at(key) - before.at(key); };
  EXPECT_EQ(after.at("quicchat_connections_open"), 3);
  EXPECT_EQ(after.at("quicchat_sessions_logged_in"), 2);
  EXPECT_EQ(delta("quicchat_logins_total{result=\"ok\"}"), 2);
  EXPECT_EQ(delta("quicchat_logins_total{result=\"failed\"}"), 1);
  EXPECT_EQ(delta("quicchat_pdus_received_total{type=\"VERSIONS\"}"), 3);
  EXPECT_EQ(delta("quicchat_pdus_received_total{type=\"LOGIN\"}"), 3);
  EXPECT_EQ(delta("quicchat_pdus_received_total{type=\"ONE_TO_ONE\"}"), 1);
  EXPECT_EQ(delta("quicchat_pdus_received_total{type=\"BROADCAST\"}"), 0);
  EXPECT_GE(delta("quicchat_deliveries_total"), 1);
  EXPECT_EQ(delta("quicchat_password_check_seconds_count"), 3);
  EXPECT_EQ(after.at("quicchat_hash_jobs_queued") + after.at("quicchat_hash_jobs_in_flight"), 0);
  EXPECT_EQ(delta("quicchat_protocol_errors_total"), 0);
  for (const char* moved : {"quicchat_datagrams_received_total", "quicchat_datagrams_sent_total",
                            "quicchat_bytes_received_total", "quicchat_bytes_sent_total",
                            "quicchat_recv_syscalls_total", "quicchat_send_syscalls_total"}) {
    EXPECT_GT(delta(moved), 0) << moved;
  }
  EXPECT_GT(after.at("quicchat_bytes_sent_total"), after.at("quicchat_datagrams_sent_total"));

  // Garbage in a chat stream is a protocol error, and the scrape says so.
  alice->send_raw("{not json}\n");
  ASSERT_TRUE(alice->expect(MsgType::MsgUnsuccessful));
  EXPECT_EQ(
      scrape().at("quicchat_protocol_errors_total") - before.at("quicchat_protocol_errors_total"),
      1);
}

TEST_F(MetricsTest, BadRequestsGetTheirStatusAndTheChatGoesOn) {
  const std::string garbage = http(metrics_port_, "HELLO\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << garbage;
  const std::string huge = http(
      metrics_port_, "GET /metrics HTTP/1.1\r\nX: " + std::string(64 * 1024, 'x') + "\r\n\r\n");
  EXPECT_EQ(huge.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << huge.substr(0, 200);
  EXPECT_EQ(get(metrics_port_, "/").rfind("HTTP/1.1 404 ", 0), 0u);
  EXPECT_EQ(http(metrics_port_, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
                .rfind("HTTP/1.1 405 ", 0),
            0u);
  EXPECT_TRUE(server_.wait_for_log("http_bad_request", std::chrono::seconds(10)));

  Net net;
  const Target target{"127.0.0.1", server_.port(), server_.ca_file()};
  auto alice = net.connect(target);
  auto bob = net.connect(target);
  ASSERT_TRUE(alice && bob);
  ASSERT_FALSE(alice->login("alice", "p1").empty());
  ASSERT_FALSE(bob->login("bob", "p2").empty());
  ASSERT_TRUE(alice->expect(MsgType::LoginBroadcast));  // bob arrived
  bob->send(MsgType::Broadcast, proto::encode_broadcast({"still here"}));
  auto got = alice->expect(MsgType::Broadcast);
  ASSERT_TRUE(got);
  EXPECT_NE(got->msg.find("still here"), std::string::npos);
  EXPECT_EQ(scrape().at("quicchat_sessions_logged_in"), 2);
}

TEST(MetricsOff, NoEndpointUnlessAsked) {
  ServerProcess server;
  ASSERT_TRUE(server.started()) << server.error();
  EXPECT_EQ(server.log().find("metrics on"), std::string::npos);
}

// The endpoint has no authentication: an address other machines may reach gets a warning, a
// loopback one does not.
TEST(MetricsExposure, AWildcardAddressIsWarnedAbout) {
  ServerProcessOptions opts;
  opts.extra_args = {"--metrics-listen", "0.0.0.0:0"};
  ServerProcess server(opts);
  ASSERT_TRUE(server.started()) << server.error();
  EXPECT_NE(server.log().find("WARN metrics_exposed address=0.0.0.0:"), std::string::npos)
      << server.log();
}

TEST_F(MetricsTest, ALoopbackAddressIsNotWarnedAbout) {
  EXPECT_EQ(server_.log().find("metrics_exposed"), std::string::npos) << server_.log();
}

TEST(MetricsOptions, ABadAddressIsAUsageError) {
  auto r = run_quicchat({"server", "--metrics-listen", "9100"});
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--metrics-listen"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace qc::itest
