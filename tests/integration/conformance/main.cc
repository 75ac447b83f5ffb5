// Conformance suite entry point. Without --server it starts our own server (short timings, so
// the timeout tests run in seconds); with --server it tests whatever listens there.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "conformance/suite.h"

namespace qc::conformance {
namespace {

SuiteConfig g_config;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

bool parse_args(int argc, char** argv, std::string& server) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--server")
      server = value();
    else if (a == "--alpn")
      g_config.target.alpns = split(value(), ',');
    else if (a == "--ca")
      g_config.target.ca_file = value();
    else if (a == "--users") {
      g_config.users.clear();
      for (const auto& pair : split(value(), ',')) {
        auto colon = pair.find(':');
        if (colon == std::string::npos) return false;
        g_config.users.push_back({pair.substr(0, colon), pair.substr(colon + 1)});
      }
    } else if (a == "--login-retry-window-ms") {
      g_config.login_retry_window = std::chrono::milliseconds(std::atoll(value().c_str()));
    } else if (a == "--keepalive-timeout-ms") {
      g_config.keepalive_timeout = std::chrono::milliseconds(std::atoll(value().c_str()));
    } else {
      std::fprintf(stderr, "conformance: unknown argument %s\n", a.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

const SuiteConfig& config() { return g_config; }

}  // namespace qc::conformance

int main(int argc, char** argv) {
  using namespace qc;
  ::testing::InitGoogleTest(&argc, argv);
  conformance::g_config.users = itest::default_accounts();
  std::string server;
  if (!conformance::parse_args(argc, argv, server)) {
    std::fprintf(
        stderr,
        "usage: conformance [--server HOST:PORT --alpn LIST --ca FILE --users a:p,b:p,c:p\n"
        "                    --login-retry-window-ms N --keepalive-timeout-ms N]\n");
    return 2;
  }
  if (conformance::g_config.users.size() < 3) {
    std::fprintf(stderr, "conformance: --users needs at least three accounts\n");
    return 2;
  }
  std::unique_ptr<itest::ServerProcess> own;
  if (server.empty()) {
    // Our own server, with timings short enough for the timeout tests.
    itest::ServerProcessOptions opts;
    // --msg-rate 0: the suite checks protocol behaviour, and one case sends 500 messages at once,
    // far over the default burst of the per-session rate limit.
    opts.extra_args = {
        "--login-retry-window-ms", "1500", "--keepalive-timeout-ms", "2000", "--msg-rate", "0"};
    own = std::make_unique<itest::ServerProcess>(opts);
    if (!own->started()) {
      std::fprintf(stderr, "conformance: %s\n", own->error().c_str());
      return 1;
    }
    conformance::g_config.target.port = own->port();
    conformance::g_config.target.ca_file = own->ca_file();
    conformance::g_config.login_retry_window = std::chrono::milliseconds(1500);
    conformance::g_config.keepalive_timeout = std::chrono::milliseconds(2000);
  } else {
    auto colon = server.rfind(':');
    conformance::g_config.target.host = server.substr(0, colon);
    conformance::g_config.target.port =
        static_cast<std::uint16_t>(std::atoi(server.substr(colon + 1).c_str()));
  }
  int status = RUN_ALL_TESTS();
  if (own) own->terminate();
  return status;
}
