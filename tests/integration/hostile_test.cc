// Hostile clients against one real server. alice and bob stay connected through every case and,
// after each one (TearDown), still exchange a message each way. Each case is bounded in count and
// time; waits are for events (a reply, a close, a log line), never sleeps.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include "proto/alpn.h"
#include "proto/close_codes.h"
#include "quic/test_hooks.h"
#include "support/peer.h"
#include "support/server_process.h"

namespace qc::itest {
namespace {

using proto::MsgType;

// Set (to "PORT CA-FILE") in the child process of the SIGKILL case: HostileChild then acts as
// the client that gets killed.
constexpr const char* kChildEnv = "QC_HOSTILE_CHILD";

std::string pdu_text(MsgType type, const std::string& msg) {
  return proto::encode(proto::make_pdu(type, msg));
}

// The server's resident memory in KiB, from /proc (0 if unreadable).
long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

std::int64_t id_of(const proto::UserList& users, const std::string& name) {
  for (const auto& u : users) {
    if (u.username == name) return u.user_id;
  }
  return -1;
}

// Bounds how much memory any case may add to the server (generous: it catches unbounded
// buffering of megabytes, not allocator noise). ASan's shadow memory and redzones cost more.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kRssGrowthLimitKib = 160 * 1024;
#else
constexpr long kRssGrowthLimitKib = 48 * 1024;
#endif

class Hostile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ServerProcessOptions o;
    o.accounts = {{"alice", "p1"}, {"bob", "p2"}, {"cam", "p3"}, {"dan", "p4"},
                  {"eve", "p5"},   {"fay", "p6"}, {"gus", "p7"}, {"hal", "p8"}};
    o.extra_args = {"--idle-timeout-ms", "4000", "--handshake-timeout-ms", "3000",
                    "--max-text-bytes", "60000", "--msg-rate", "100", "--msg-burst", "100",
                    // Every test client shares 127.0.0.1: a generous address budget, so that the
                    // LOGIN flood engages the per-account throttle only, and the half-open
                    // handshakes (an attacker's, from another address in real life) do not
                    // exhaust the per-address connection limit that the real user shares here.
                    "--login-rate-per-ip", "100000", "--login-burst-per-ip", "10000",
                    "--max-connections-per-ip", "20000"};
#if defined(__SANITIZE_ADDRESS__)
    // ASan's quarantine keeps freed memory resident (256 MiB by default): keep the server's
    // small, so that the RSS checks measure the server rather than the quarantine.
    const char* asan = std::getenv("ASAN_OPTIONS");
    setenv("ASAN_OPTIONS", (std::string(asan ? asan : "") + ":quarantine_size_mb=8").c_str(), 1);
#endif
    server_ = new ServerProcess(o);
    if (!server_->started()) return;
    net_ = new Net;
    alice_ = net_->connect(target()).release();
    bob_ = net_->connect(target()).release();
    if (alice_ == nullptr || bob_ == nullptr) return;
    alice_->login("alice", "p1");
    const proto::UserList users = bob_->login("bob", "p2");
    alice_id_ = id_of(users, "alice");
    bob_id_ = id_of(users, "bob");
    baseline_rss_ = rss_kib(server_->pid());
  }

  static void TearDownTestSuite() {
    delete alice_;
    delete bob_;
    delete net_;
    delete server_;
    alice_ = bob_ = nullptr;
    net_ = nullptr;
    server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(server_ && server_->started()) << (server_ ? server_->error() : "");
    ASSERT_TRUE(alice_ && bob_ && alice_id_ > 0 && bob_id_ > 0) << server_->log();
  }

  void TearDown() override {
    if (!alice_ || !bob_) return;
    still_talk();
    EXPECT_LT(rss_kib(server_->pid()) - baseline_rss_, kRssGrowthLimitKib);
  }

  static Target target() { return {"127.0.0.1", server_->port(), server_->ca_file()}; }

  // A well-behaved message each way, delivered despite whatever the case did.
  static void still_talk() {
    static int serial = 0;
    const std::string to_bob = "to bob " + std::to_string(++serial);
    const std::string to_alice = "to alice " + std::to_string(serial);
    alice_->send(MsgType::OneToOne, proto::encode_one_to_one({std::to_string(bob_id_), to_bob}));
    bob_->send(MsgType::OneToOne, proto::encode_one_to_one({std::to_string(alice_id_), to_alice}));
    EXPECT_TRUE(receive_text(*bob_, MsgType::OneToOne, to_bob)) << server_->log();
    EXPECT_TRUE(receive_text(*alice_, MsgType::OneToOne, to_alice)) << server_->log();
  }

  // Skips other PDUs (presence changes, broadcasts of earlier cases) up to the delivery.
  static bool receive_text(Peer& p, MsgType type, const std::string& text) {
    for (int i = 0; i < 500; ++i) {
      auto pdu = p.next(5s);
      if (!pdu) return false;
      if (pdu->type != type) continue;
      auto delivery = proto::decode_delivery(pdu->msg);
      if (delivery && delivery->msg == text) return true;
    }
    return false;
  }

  static void keep_alive() {
    alice_->send(MsgType::Alive, std::string(proto::kAliveText));
    bob_->send(MsgType::Alive, std::string(proto::kAliveText));
  }

  // Waits (keeping alice and bob alive) for a LOGOUT_BROADCAST whose list lacks `name`.
  static bool wait_logout(const std::string& name, int rounds = 60) {
    for (int i = 0; i < rounds; ++i) {
      keep_alive();
      auto pdu = alice_->next(250ms);
      if (!pdu || pdu->type != MsgType::LogoutBroadcast) continue;
      auto users = proto::decode_user_list(pdu->msg);
      if (users && id_of(*users, name) < 0) return true;
    }
    return false;
  }

  static std::unique_ptr<Peer> logged_in(const std::string& name, const std::string& password) {
    auto p = net_->connect(target());
    if (p) {
      EXPECT_FALSE(p->login(name, password).empty());
    }
    return p;
  }

  static std::unique_ptr<Peer> fresh() {
    auto p = net_->connect(target());
    EXPECT_TRUE(p);
    return p;
  }

  // A peer that must be refused before login: the seed's disconnect answer, then the close.
  static void expect_disconnected(Peer& p) {
    auto reply = p.next(5s);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->type, MsgType::LoginUnsuccessfulDisconnect) << reply->msg;
    auto closed = p.wait_closed(5s);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->app_error_code, proto::to_wire(proto::CloseCode::LoginFailed));
  }

  static void expect_error_containing(Peer& p, const std::string& text) {
    auto reply = p.expect(MsgType::MsgUnsuccessful, 10s);
    ASSERT_TRUE(reply);
    EXPECT_NE(reply->msg.find(text), std::string::npos) << reply->msg;
  }

  // The peer is still served after the bad input: it gets its own broadcast back.
  static void expect_still_served(Peer& p, const std::string& text) {
    p.send(MsgType::Broadcast, proto::encode_broadcast({text}));
    EXPECT_TRUE(receive_text(p, MsgType::Broadcast, text));
  }

  static inline ServerProcess* server_ = nullptr;
  static inline Net* net_ = nullptr;
  static inline Peer* alice_ = nullptr;
  static inline Peer* bob_ = nullptr;
  static inline std::int64_t alice_id_ = -1;
  static inline std::int64_t bob_id_ = -1;
  static inline long baseline_rss_ = 0;
};

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string bytes(n, '\0');
  for (char& c : bytes) {
    c = static_cast<char>(rng() & 0xff);
    if (c == '{') c = 'x';  // no object starts: every byte is garbage
  }
  bytes[0] = '\xff';
  return bytes;
}

TEST_F(Hostile, RandomBytesBeforeLoginAreRefusedAndClosed) {
  auto p = fresh();
  ASSERT_TRUE(p);
  p->send_raw(random_bytes(4096, 1));
  expect_disconnected(*p);
}

TEST_F(Hostile, RandomBytesAfterLoginGetAnErrorAndTheSessionGoesOn) {
  auto p = logged_in("cam", "p3");
  ASSERT_TRUE(p);
  p->send_raw(random_bytes(4096, 2));
  expect_error_containing(*p, "Malformed data received");
  expect_still_served(*p, "cam recovered");
}

TEST_F(Hostile, UnterminatedJsonIsHeldBoundedUntilTheClientLeaves) {
  auto p = logged_in("cam", "p3");
  ASSERT_TRUE(p);
  p->send_raw(R"({"version": 1, "mtype": 50, "msg": "{\"msg\": \"never finis)");
  EXPECT_TRUE(p->nothing_within(300ms));
  p.reset();  // closes
  EXPECT_TRUE(wait_logout("cam"));
}

TEST_F(Hostile, StreamEndInsideAPduBeforeLoginIsAnsweredAndClosed) {
  auto p = fresh();
  ASSERT_TRUE(p);
  p->send_raw(R"({"version": 1, "mtype": 16, "msg": "{\"username\": \"ca)");
  ASSERT_TRUE(quic::test_finish_stream(net_->endpoint(), p->handle()));
  expect_disconnected(*p);  // the idle timeout would close without this answer
}

TEST_F(Hostile, StreamEndInsideAPduAfterLoginIsAnsweredAndLoggedOut) {
  auto p = logged_in("cam", "p3");
  ASSERT_TRUE(p);
  p->send_raw(R"({"version": 1, "mtype": 50, "msg": "{\"msg\": \"cut sh)");
  ASSERT_TRUE(quic::test_finish_stream(net_->endpoint(), p->handle()));
  expect_error_containing(*p, "Malformed data received");
  auto closed = p->wait_closed(5s);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->app_error_code, proto::to_wire(proto::CloseCode::ProtocolError));
  EXPECT_TRUE(wait_logout("cam"));
}

TEST_F(Hostile, TenMegabytePduIsDiscardedWithAnError) {
  auto p = logged_in("dan", "p4");
  ASSERT_TRUE(p);
  p->send_raw(R"({"version": 1, "mtype": 50, "msg": ")");
  const std::string chunk(64 * 1024, 'a');
  for (int i = 0; i < 160; ++i) p->send_raw(chunk);
  p->send_raw(R"("})");
  expect_error_containing(*p, "PDU too large");
  expect_still_served(*p, "dan recovered");
}

TEST_F(Hostile, DeeplyNestedJsonIsRefused) {
  auto p = logged_in("dan", "p4");
  ASSERT_TRUE(p);
  const int depth = 10'000;
  p->send_raw("{\"a\":" + std::string(depth, '[') + std::string(depth, ']') + "}");
  expect_error_containing(*p, "Malformed data received");
  expect_still_served(*p, "dan still here");

  auto early = fresh();
  ASSERT_TRUE(early);
  early->send_raw("{\"a\":" + std::string(depth, '{'));
  expect_disconnected(*early);
}

TEST_F(Hostile, InvalidUtf8IsRefused) {
  auto p = logged_in("eve", "p5");
  ASSERT_TRUE(p);
  p->send_raw("{\"version\": 1, \"mtype\": 50, \"msg\": \"{\\\"msg\\\": \\\"\xff\xfe\\\"}\"}");
  expect_error_containing(*p, "Malformed data received");
  expect_still_served(*p, "eve recovered");

  auto early = fresh();
  ASSERT_TRUE(early);
  early->send_raw(
      "{\"version\": 1, \"mtype\": 16, \"msg\": \"{\\\"username\\\": \\\"\xc3\\\", "
      "\\\"password\\\": \\\"x\\\"}\"}");
  expect_disconnected(*early);
}

TEST_F(Hostile, WrongFieldTypesAreRefused) {
  auto p = logged_in("eve", "p5");
  ASSERT_TRUE(p);
  const std::string bad[] = {
      R"({"version": 1, "mtype": 50, "msg": 5})",
      R"({"version": "1", "mtype": 50, "msg": "{\"msg\": \"x\"}"})",
      R"({"version": 1, "mtype": "fifty", "msg": "{\"msg\": \"x\"}"})",
      pdu_text(MsgType::OneToOne, R"({"target_user_id": ["2"], "msg": {"a": 1}})"),
      pdu_text(MsgType::OneToMany, R"({"target_user_ids": null, "msg": "x"})"),
      pdu_text(MsgType::Broadcast, R"({"msg": 1e999})"),
      pdu_text(MsgType::Broadcast, R"(["not", "an", "object"])"),
  };
  for (const std::string& text : bad) {
    p->send_raw(text);
    expect_error_containing(*p, "Malformed data received");
  }
  expect_still_served(*p, "eve still here");
}

TEST_F(Hostile, EveryMessageTypeBeforeLoginIsAnsweredAsSpecified) {
  for (MsgType type : proto::kAllMsgTypes) {
    if (type == MsgType::Login) continue;
    SCOPED_TRACE(std::string(proto::msg_type_name(type)));
    auto p = fresh();
    ASSERT_TRUE(p);
    switch (type) {
      case MsgType::Versions:
        p->send(type, proto::encode_versions_request({{1}}));
        EXPECT_TRUE(p->expect(MsgType::Versions));
        break;
      case MsgType::Alive:
      case MsgType::OneToOne:
      case MsgType::OneToMany:
      case MsgType::Broadcast:
      case MsgType::Logout:
        p->send(type, R"({"msg": "x", "target_user_id": "1", "target_user_ids": "1"})");
        expect_error_containing(*p, "User not authenticated");
        break;
      default:  // types only a server sends
        p->send(type, R"({"error": "x"})");
        expect_disconnected(*p);
    }
  }
}

TEST_F(Hostile, LoginFloodIsThrottledPerAccountWithoutHurtingOthers) {
  int throttled = 0;
  for (int c = 0; c < 10; ++c) {
    auto p = fresh();
    ASSERT_TRUE(p);
    for (int attempt = 0; attempt < 3; ++attempt) {
      p->send(MsgType::Login, proto::encode_login({"mallory", "guess" + std::to_string(attempt)}));
      auto reply = p->next(10s);
      ASSERT_TRUE(reply);
      if (reply->msg.find("Too many login attempts") != std::string::npos) ++throttled;
      if (reply->type == MsgType::LoginUnsuccessfulDisconnect) break;
    }
  }
  EXPECT_GE(throttled, 20) << "6 attempts per minute per account: most of 30 are refused";
  EXPECT_TRUE(server_->wait_for_log("throttled", 5s));
  auto other = logged_in("hal", "p8");  // another account is not affected
  EXPECT_TRUE(other);
}

// A datagram that looks like a client Initial (long header, version 1, 1200 bytes) with a random
// payload: the server cannot decrypt it, so it never becomes a handshake.
std::string fake_initial(std::mt19937& rng) {
  std::string d(1200, '\0');
  for (char& c : d) c = static_cast<char>(rng() & 0xff);
  d[0] = '\xc3';
  d[1] = 0, d[2] = 0, d[3] = 0, d[4] = 1;  // version 1
  d[5] = 8;                                // DCID length (8 random bytes follow)
  d[14] = 8;                               // SCID length
  d[23] = 0;                               // token length
  d[24] = '\x44', d[25] = '\x9f';          // payload length 1183 (2-byte varint)
  return d;
}

TEST_F(Hostile, HalfOpenHandshakesDoNotStopTheServer) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server_->port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    const std::string d = fake_initial(rng);
    (void)sendto(fd, d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }
  close(fd);
  {
    // Real handshakes, abandoned after their first flight: the server holds them until its
    // handshake timeout.
    auto abandoned = std::make_unique<Net>();
    quic::ClientOptions opts;
    opts.alpns = proto::default_alpns();
    opts.host = "127.0.0.1";
    opts.port = server_->port();
    opts.ca_file = server_->ca_file();
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(abandoned->endpoint().connect(opts));
    abandoned->run_until([] { return false; }, 20ms);
  }
  auto p = logged_in("gus", "p7");
  EXPECT_TRUE(p);
}

TEST_F(Hostile, ExtraStreamsAreRefusedByTheTransport) {
  auto p = logged_in("gus", "p7");
  ASSERT_TRUE(p);
  for (int i = 0; i < 300; ++i) {
    EXPECT_NE(quic::test_open_extra_stream(net_->endpoint(), p->handle()), 0);
  }
  expect_still_served(*p, "gus after streams");
}

TEST_F(Hostile, ReceiverThatNeverReadsIsClosedAsASlowConsumer) {
  auto slow_net = std::make_unique<Net>();
  auto slow = slow_net->connect(target());
  ASSERT_TRUE(slow);
  const std::int64_t fay_id = id_of(slow->login("fay", "p6"), "fay");
  ASSERT_GT(fay_id, 0);
  // From here on slow_net's loop never runs: fay reads and acknowledges nothing. The big
  // messages go to fay alone, so that alice and bob (readers that keep up, but slowly under a
  // sanitizer) are not pushed towards the same bound.
  const std::string big(60'000, 'b');
  for (int i = 0; i < 40; ++i) {
    alice_->send(MsgType::OneToOne, proto::encode_one_to_one({std::to_string(fay_id), big}));
    keep_alive();
    net_->run_until([] { return false; }, 20ms);  // alice and bob keep reading
  }
  EXPECT_TRUE(server_->wait_for_log("slow_consumer", 10s)) << server_->log();
  EXPECT_TRUE(wait_logout("fay")) << server_->log();
  auto closed = slow->wait_closed(5s);  // now read what the server said
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->app_error_code, proto::to_wire(proto::CloseCode::SlowConsumer));
  EXPECT_NE(closed->reason.find("slow consumer"), std::string::npos) << closed->reason;
}

TEST_F(Hostile, ClientVanishingMidPduIsLoggedOutByTheIdleTimeout) {
  auto vanish_net = std::make_unique<Net>();
  auto p = vanish_net->connect(target());
  ASSERT_TRUE(p);
  ASSERT_FALSE(p->login("fay", "p6").empty());
  p->send_raw(R"({"version": 1, "mtype": 50, "msg": "{\"msg\": \"half)");
  vanish_net->run_until([] { return false; }, 20ms);  // the half PDU goes out
  p->abandon();
  p.reset();
  vanish_net.reset();  // the socket goes away without a CONNECTION_CLOSE
  EXPECT_TRUE(wait_logout("fay"));
}

// The child half of the SIGKILL case (skipped in a normal run).
TEST(HostileChild, LogsInAndWaitsToBeKilled) {
  const char* env = std::getenv(kChildEnv);
  if (env == nullptr) GTEST_SKIP() << "runs only as the child of SigkilledClient";
  unsigned port = 0;
  char ca[4096] = {};
  ASSERT_EQ(std::sscanf(env, "%u %4095s", &port, ca), 2);
  Net net;
  auto p = net.connect({"127.0.0.1", static_cast<std::uint16_t>(port), ca});
  ASSERT_TRUE(p);
  ASSERT_FALSE(p->login("cam", "p3").empty());
  std::printf("\nCHILD-READY\n");
  std::fflush(stdout);
  net.run_until([] { return false; }, 60s);
}

TEST_F(Hostile, SigkilledClientProcessIsLoggedOut) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  // Everything exec needs is built before fork: the child only calls async-signal-safe functions.
  std::vector<std::string> env = {std::string(kChildEnv) + "=" + std::to_string(server_->port()) +
                                  " " + server_->ca_file()};
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string arg0 = "hostile-child", filter = "--gtest_filter=HostileChild.*";
  char* argv[] = {arg0.data(), filter.data(), nullptr};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    execve("/proc/self/exe", argv, envp.data());
    _exit(127);
  }
  close(out[1]);
  std::string seen;
  pollfd pfd{out[0], POLLIN, 0};
  while (seen.find("CHILD-READY") == std::string::npos && poll(&pfd, 1, 15'000) > 0) {
    char buf[512];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    seen.append(buf, static_cast<std::size_t>(n));
  }
  const bool ready = seen.find("CHILD-READY") != std::string::npos;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(out[0]);
  ASSERT_TRUE(ready) << seen;
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(wait_logout("cam"));
}

}  // namespace
}  // namespace qc::itest
