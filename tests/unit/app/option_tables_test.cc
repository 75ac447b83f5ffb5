// The option tables of the quicchat subcommands: the docs show exactly the code's tables, every
// default passes its own row's checks, and the checks say what is wrong.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "quicchat/bench/bench_options.h"
#include "quicchat/client/client_options.h"
#include "quicchat/server/server_options.h"

namespace qc::app {
namespace {

std::string read_doc(const std::string& name) {
  std::ifstream in(std::string(QC_DOCS_DIR) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The lines between "<!-- options:TABLE:begin ... -->" and "<!-- options:TABLE:end -->".
std::string doc_table(const std::string& doc, const std::string& table) {
  const std::string begin = "<!-- options:" + table + ":begin";
  const std::string end = "<!-- options:" + table + ":end -->";
  const auto b = doc.find(begin);
  if (b == std::string::npos) return "(no " + begin + " marker)";
  const auto first = doc.find('\n', b) + 1;
  const auto e = doc.find(end, first);
  if (e == std::string::npos) return "(no " + end + " marker)";
  return doc.substr(first, e - first);
}

TEST(OptionTables, OperationsMdShowsTheServerTable) {
  EXPECT_EQ(doc_table(read_doc("OPERATIONS.md"), "server"), server_options_markdown())
      << "paste the output of `quicchat server --options-markdown` into docs/OPERATIONS.md";
}

TEST(OptionTables, ClientMdShowsTheClientTable) {
  EXPECT_EQ(doc_table(read_doc("CLIENT.md"), "client"), client_options_markdown())
      << "paste the output of `quicchat client --options-markdown` into docs/CLIENT.md";
}

TEST(OptionTables, BenchmarksMdShowsTheBenchTable) {
  EXPECT_EQ(doc_table(read_doc("BENCHMARKS.md"), "bench"), bench_options_markdown())
      << "paste the output of `quicchat bench --options-markdown` into docs/BENCHMARKS.md";
}

// Every default (and every per-scenario default) must pass its own row's checks.
TEST(OptionTables, EveryDefaultPassesItsOwnChecks) {
  Flags server = make_server_flags();
  for (const auto& o : server_options()) {
    EXPECT_TRUE(checked_value(server, o.info)) << o.info.name;
  }
  Flags client = make_client_flags();
  for (const auto& o : client_options()) {
    EXPECT_TRUE(checked_value(client, o.info)) << o.info.name;
  }
  for (const char* scenario : {"latency", "fanout", "connections", "logins"}) {
    Flags bench = make_bench_flags();
    EXPECT_TRUE(bench_options_from(bench, scenario)) << scenario;
  }
}

TEST(OptionTables, TheServerTableDefaultsAreTheServersDefaults) {
  auto settings = server_settings_from(make_server_flags());
  ASSERT_TRUE(settings) << settings.error().message;
  const server::ServerConfig built;  // the structs' own defaults
  const auto& c = settings->config;
  EXPECT_EQ(c.transport.port, built.transport.port);
  EXPECT_EQ(c.transport.host, built.transport.host);
  EXPECT_EQ(c.transport.alpns, built.transport.alpns);
  EXPECT_EQ(c.transport.idle_timeout, built.transport.idle_timeout);
  EXPECT_EQ(c.transport.max_connections, built.transport.max_connections);
  EXPECT_EQ(c.chat.keepalive_timeout, built.chat.keepalive_timeout);
  EXPECT_EQ(c.chat.max_login_attempts, built.chat.max_login_attempts);
  EXPECT_EQ(c.chat.limits.max_bytes, built.chat.limits.max_bytes);
  EXPECT_DOUBLE_EQ(c.chat.message_rate.per_second, built.chat.message_rate.per_second);
  EXPECT_DOUBLE_EQ(c.chat.login_rate_per_ip.per_second, built.chat.login_rate_per_ip.per_second);
  EXPECT_DOUBLE_EQ(c.chat.login_rate_per_account.burst, built.chat.login_rate_per_account.burst);
  EXPECT_EQ(c.chat.max_text_bytes, built.chat.max_text_bytes);
  EXPECT_EQ(c.max_queued_bytes, built.max_queued_bytes);
  EXPECT_EQ(settings->log_level, log::Level::Info);
  EXPECT_FALSE(settings->metrics_listen);
}

Result<ServerSettings> server_with(std::vector<std::string> args) {
  Flags flags = make_server_flags();
  if (auto parsed = flags.parse(args); !parsed) return Unexpected{parsed.error()};
  return server_settings_from(flags);
}

TEST(OptionTables, RangeAndChoiceErrorsNameTheOption) {
  auto port = server_with({"--port", "70000"});
  ASSERT_FALSE(port);
  EXPECT_EQ(port.error().message, "--port must be between 0 and 65535");
  auto text = server_with({"--msg-rate", "fast"});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message, "--msg-rate must be an integer, got 'fast'");
  auto retry = server_with({"--retry", "sometimes"});
  ASSERT_FALSE(retry);
  EXPECT_EQ(retry.error().message, "--retry must be auto, always or never");
  auto alpn = server_with({"--alpn", ","});
  ASSERT_FALSE(alpn);
  EXPECT_EQ(alpn.error().message, "--alpn needs at least one protocol");
}

TEST(OptionTables, ServerOptionsReachTheConfiguration) {
  auto s = server_with({"--port", "0", "--msg-rate", "0", "--login-rate-per-ip", "60", "--retry",
                        "never", "--log-level", "debug", "--metrics-listen", "127.0.0.1:0",
                        "--max-pdu-bytes", "4096"});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->config.transport.port, 0);
  EXPECT_FALSE(s->config.chat.message_rate.enabled());
  EXPECT_DOUBLE_EQ(s->config.chat.login_rate_per_ip.per_second, 1.0);
  EXPECT_EQ(s->config.transport.retry, quic::RetryMode::Never);
  EXPECT_EQ(s->log_level, log::Level::Debug);
  ASSERT_TRUE(s->metrics_listen);
  EXPECT_EQ(s->metrics_listen->host, "127.0.0.1");
  EXPECT_EQ(s->config.chat.limits.max_bytes, 4096u);
}

TEST(OptionTables, TheConfigFileCannotNameTheConfigFile) {
  for (const auto& o : server_options()) {
    if (o.info.name == "config") {
      EXPECT_FALSE(o.info.in_config_file);
    }
  }
}

TEST(OptionTables, BenchDefaultsDependOnTheScenario) {
  Flags latency_flags = make_bench_flags();
  auto latency = bench_options_from(latency_flags, "latency");
  ASSERT_TRUE(latency) << latency.error().message;
  EXPECT_EQ(latency->messages, 10'000);
  EXPECT_EQ(latency->warmup, 500);

  Flags fanout_flags = make_bench_flags();
  ASSERT_TRUE(fanout_flags.parse({"--window", "1,10,100", "--messages", "7"}));
  auto fanout = bench_options_from(fanout_flags, "fanout");
  ASSERT_TRUE(fanout) << fanout.error().message;
  EXPECT_EQ(fanout->messages, 7);
  EXPECT_EQ(fanout->warmup, 10);
  EXPECT_EQ(fanout->receivers, 100);
  EXPECT_EQ(fanout->windows, (std::vector<std::uint64_t>{1, 10, 100}));

  Flags logins_flags = make_bench_flags();
  auto logins = bench_options_from(logins_flags, "logins");
  ASSERT_TRUE(logins) << logins.error().message;
  EXPECT_EQ(logins->count, 200);
  EXPECT_EQ(logins->cost, 10);
  EXPECT_EQ(logins->rate, 500);
  EXPECT_EQ(logins->in_flight, 64);
}

TEST(OptionTables, BenchTakesAClusterOfNodes) {
  Flags flags = make_bench_flags();
  ASSERT_TRUE(flags.parse({"--server", "127.0.0.1:4001,127.0.0.2:4002,c.example:4003",
                           "--server-pid", "11,12,13", "--engine-pid", "redis:21,postgres:22",
                           "--redis", "127.0.0.1:6379"}));
  auto o = bench_options_from(flags, "room");
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->target.host, "127.0.0.1");  // the sender's node
  EXPECT_EQ(o->target.port, 4001);
  ASSERT_EQ(o->target.nodes.size(), 3u);
  EXPECT_EQ(o->target.nodes[2].host, "c.example");
  EXPECT_EQ(o->target.node_of(4), 1u);
  EXPECT_EQ(o->server_pid, 11);
  EXPECT_EQ(o->node_pids, (std::vector<pid_t>{11, 12, 13}));
  ASSERT_EQ(o->engine_pids.size(), 2u);
  EXPECT_EQ(o->engine_pids[1].first, "postgres");
  EXPECT_EQ(o->engine_pids[1].second, 22);
  ASSERT_TRUE(o->redis);
  EXPECT_EQ(o->redis->port, 6379);

  Flags one = make_bench_flags();  // one address: no node list, as before
  ASSERT_TRUE(one.parse({"--server", "127.0.0.1:4433"}));
  auto single = bench_options_from(one, "room");
  ASSERT_TRUE(single) << single.error().message;
  EXPECT_TRUE(single->target.nodes.empty());

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--server-pid", "x"}, {"--engine-pid", "redis"}, {"--server", "a:1,b"}};
  for (const auto& [option, value] : bad) {
    Flags f = make_bench_flags();
    ASSERT_TRUE(f.parse({option, value})) << option;  // the option's own parser refuses it
    EXPECT_FALSE(bench_options_from(f, "room")) << option << " " << value;
  }
}

TEST(OptionTables, ClientOptionsReachTheSettings) {
  Flags flags = make_client_flags();
  ASSERT_TRUE(flags.parse({"--server", "example.org", "--port", "5000", "--reconnect", "--user",
                           "alice", "--log-level", "off"}));
  auto s = client_settings_from(flags);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->app.server_label, "example.org:5000");
  EXPECT_TRUE(s->app.reconnect);
  EXPECT_EQ(s->app.username, "alice");
  EXPECT_FALSE(s->app.password);
  EXPECT_EQ(s->log_level, log::Level::Off);
  EXPECT_EQ(s->chat.transport.keep_alive, std::chrono::milliseconds(10'000));
  EXPECT_EQ(s->chat.transport.liveness_timeout, std::chrono::milliseconds(5'000));
}

TEST(OptionTables, ClientPingAndLivenessReachTheTransport) {
  Flags flags = make_client_flags();
  ASSERT_TRUE(flags.parse({"--ping-ms", "2000", "--liveness-ms", "0"}));
  auto s = client_settings_from(flags);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->chat.transport.keep_alive, std::chrono::milliseconds(2'000));
  EXPECT_EQ(s->chat.transport.liveness_timeout, std::chrono::milliseconds(0));
}

}  // namespace
}  // namespace qc::app
