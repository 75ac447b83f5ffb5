// The metrics responder over real TCP on 127.0.0.1: the loop runs on the test thread, a client
// thread does blocking I/O (with a receive timeout as a failure guard) and stops the loop.
#include "ops/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace qc::ops {
namespace {

// Connects `fd` to 127.0.0.1:port with a receive timeout as a failure guard; 0 or -1.
int connect_socket(int fd, std::uint16_t port) {
  timeval guard{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
}

int connect_to(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect_socket(fd, port) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

// Everything until the server closes (or the guard timeout: then "<timeout>" is appended).
std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) out += "<timeout>";
    return out;
  }
}

std::string exchange(std::uint16_t port, const std::string& request) {
  int fd = connect_to(port);
  if (fd < 0) return "<connect failed>";
  send_all(fd, request);
  std::string response = read_all(fd);
  ::close(fd);
  return response;
}

struct Harness {
  explicit Harness(HttpServerOptions options = {}) {
    loop = io::EventLoop::create().value();
    auto started = HttpServer::start(*loop, options, [](const HttpRequest& request) {
      return serve_resource(request, "/metrics", [] {
        HttpResponse r;
        r.body = "up 1\n";
        return r;
      });
    });
    EXPECT_TRUE(started);
    if (started) server = std::move(*started);
  }
  // Runs the loop until `client` (on its own thread) returns.
  void run(const std::function<void()>& client) {
    std::thread t([&] {
      client();
      loop->post([this] { loop->stop(); });
    });
    EXPECT_TRUE(loop->run());
    t.join();
  }
  std::unique_ptr<io::EventLoop> loop;
  std::unique_ptr<HttpServer> server;
};

const std::string kScrape = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

// Which --metrics-listen addresses get the "exposed beyond this machine" warning.
TEST(ReachableFromOtherMachines, OnlyLoopbackIsPrivate) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "localhost"}) {
    EXPECT_FALSE(reachable_from_other_machines(host)) << host;
  }
  for (const char* host :
       {"0.0.0.0", "::", "10.1.2.3", "192.168.1.10", "2001:db8::1", "::ffff:10.0.0.1"}) {
    EXPECT_TRUE(reachable_from_other_machines(host)) << host;
  }
}

TEST(HttpServer, AnswersAScrapeAndCloses) {
  Harness h;
  ASSERT_TRUE(h.server);
  std::string response, not_found, wrong_method;
  h.run([&] {
    response = exchange(h.server->port(), kScrape);
    not_found = exchange(h.server->port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    wrong_method = exchange(h.server->port(), "DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  });
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
  EXPECT_TRUE(response.ends_with("\r\n\r\nup 1\n")) << response;
  EXPECT_EQ(not_found.rfind("HTTP/1.1 404 ", 0), 0u) << not_found;
  EXPECT_EQ(wrong_method.rfind("HTTP/1.1 405 ", 0), 0u) << wrong_method;
  EXPECT_EQ(h.server->stats().requests, 3u);
}

TEST(HttpServer, ARequestInPiecesIsAnswered) {
  Harness h;
  ASSERT_TRUE(h.server);
  std::string response;
  h.run([&] {
    int fd = connect_to(h.server->port());
    for (char c : kScrape) send_all(fd, std::string(1, c));
    response = read_all(fd);
    ::close(fd);
  });
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
}

TEST(HttpServer, OversizedOrMalformedRequestsGet400AndTheWholeAnswer) {
  Harness h;
  ASSERT_TRUE(h.server);
  std::string oversized, malformed;
  h.run([&] {
    oversized =
        exchange(h.server->port(), "GET /metrics HTTP/1.1\r\nX: " + std::string(20'000, 'a'));
    malformed = exchange(h.server->port(), "GARBAGE\r\n\r\n");
  });
  EXPECT_EQ(oversized.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << oversized.substr(0, 200);
  EXPECT_NE(oversized.find("request head over 8192 bytes"), std::string::npos);
  EXPECT_EQ(malformed.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << malformed;
  EXPECT_EQ(h.server->stats().bad_requests, 2u);
}

TEST(HttpServer, ASilentClientIsClosedAtTheDeadline) {
  HttpServerOptions options;
  options.limits.deadline = std::chrono::milliseconds(100);
  Harness h(options);
  ASSERT_TRUE(h.server);
  std::string got;
  h.run([&] {
    int fd = connect_to(h.server->port());
    send_all(fd, "GET /metrics HTTP/1.1\r\n");  // and never the rest
    got = read_all(fd);
    ::close(fd);
  });
  EXPECT_EQ(got, "") << "closed without an answer, before the client's guard timeout";
  EXPECT_EQ(h.server->connection_stats().timed_out, 1u);
}

TEST(HttpServer, ConnectionsOverTheCapAreClosedAtOnce) {
  HttpServerOptions options;
  options.limits.max_connections = 1;
  Harness h(options);
  ASSERT_TRUE(h.server);
  std::string refused, served;
  h.run([&] {
    int first = connect_to(h.server->port());
    int second = connect_to(h.server->port());
    send_all(second, kScrape);
    refused = read_all(second);
    send_all(first, kScrape);
    served = read_all(first);
    ::close(first);
    ::close(second);
  });
  EXPECT_EQ(refused.find("HTTP/1.1 200"), std::string::npos) << refused;
  EXPECT_EQ(served.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << served;
  EXPECT_EQ(h.server->connection_stats().refused, 1u);
}

// Lowers the soft open-files limit for one test and fills it up; restores both on destruction.
class FdExhaustion {
 public:
  explicit FdExhaustion(rlim_t soft) {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = std::min<rlim_t>(soft, saved_.rlim_cur);
    setrlimit(RLIMIT_NOFILE, &lowered);
  }
  ~FdExhaustion() {
    release();
    setrlimit(RLIMIT_NOFILE, &saved_);
  }
  FdExhaustion(const FdExhaustion&) = delete;
  FdExhaustion& operator=(const FdExhaustion&) = delete;
  // Opens descriptors until the process has none left; returns whether it got there.
  bool exhaust() {
    while (true) {
      int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) return errno == EMFILE;
      held_.push_back(fd);
    }
  }
  void release() {
    for (int fd : held_) ::close(fd);
    held_.clear();
  }

 private:
  rlimit saved_{};
  std::vector<int> held_;
};

// Before the reserve descriptor, a connection pending while the process had no descriptor left
// made the level-triggered listener wake the loop forever: the client below then got no answer
// until its 10 s guard. Now it is accepted through the reserve and closed at once, and once
// descriptors are free again the next request is served.
TEST(HttpServer, AtTheFdLimitAPendingConnectionIsClosedAndServingResumes) {
  Harness h;
  ASSERT_TRUE(h.server);
  FdExhaustion limit(256);
  std::string shed = "<not run>", served;
  bool exhausted = false;
  h.run([&] {
    int early = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // before there is none left
    exhausted = limit.exhaust();
    if (exhausted && connect_socket(early, h.server->port()) == 0) {
      send_all(early, kScrape);
      shed = read_all(early);
    }
    ::close(early);
    limit.release();
    served = exchange(h.server->port(), kScrape);
  });
  ASSERT_TRUE(exhausted);
  EXPECT_EQ(shed, "");  // closed by the server without an answer, not "<timeout>"
  EXPECT_EQ(h.server->connection_stats().shed_no_fd, 1u);
  EXPECT_EQ(served.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << served;
}

}  // namespace
}  // namespace qc::ops
