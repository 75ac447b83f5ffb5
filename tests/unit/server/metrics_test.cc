#include "server/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

namespace qc::server {
namespace {

MetricsSnapshot sample_snapshot() {
  MetricsSnapshot m;
  m.transport.connections_open = 2;
  m.transport.refused_per_ip_limit = 4;
  m.transport.bytes_sent = 1234;
  m.chat.active_users = 2;
  m.chat.logins = 5;
  m.chat.failed_logins = 1;
  m.chat.already_logged_in = 4;
  m.chat.pdus_received[static_cast<std::size_t>(proto::MsgType::Broadcast)] = 7;
  m.chat.pdus_received[static_cast<std::size_t>(proto::MsgType::LoginAck)] = 1;
  m.chat.pdus_received[static_cast<std::size_t>(proto::MsgType::LogoutAck)] = 2;
  m.server.slow_consumer_closes = 3;
  m.server.hash_jobs_submitted = 6;
  m.server.hash_jobs_completed = 2;
  m.server.hash_completed(std::chrono::milliseconds(30));
  m.server.store_done(ServerCounters::StoreOp::Append, std::chrono::microseconds(800), true);
  m.server.store_done(ServerCounters::StoreOp::Append, std::chrono::milliseconds(20), true);
  m.server.store_done(ServerCounters::StoreOp::Login, std::chrono::milliseconds(3), false);
  m.hash_jobs_queued = 1;
  m.process = ops::ProcessStats{1.5, 4096, 1700000000};
  return m;
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(Metrics, RendersTheSnapshotsNumbers) {
  const std::string text = render_metrics(sample_snapshot());
  for (const char* line : {
           "quicchat_connections_open 2",
           "quicchat_handshakes_refused_total{reason=\"per_ip_limit\"} 4",
           "quicchat_handshakes_refused_total{reason=\"connection_limit\"} 0",
           "quicchat_bytes_sent_total 1234",
           "quicchat_sessions_logged_in 2",
           "quicchat_logins_total{result=\"ok\"} 5",
           "quicchat_logins_total{result=\"failed\"} 1",
           "quicchat_logins_total{result=\"already_logged_in\"} 4",
           "quicchat_logins_total{result=\"throttled\"} 0",
           "quicchat_pdus_received_total{type=\"BROADCAST\"} 7",
           "quicchat_pdus_received_total{type=\"LOGIN\"} 0",
           "quicchat_pdus_received_total{type=\"other\"} 3",
           "quicchat_slow_consumer_closes_total 3",
           "quicchat_hash_jobs_queued 1",
           "quicchat_hash_jobs_in_flight 2",  // 6 submitted - 3 completed - 1 queued
           "quicchat_password_check_seconds_bucket{le=\"0.025\"} 0",
           "quicchat_password_check_seconds_bucket{le=\"0.05\"} 1",
           "quicchat_password_check_seconds_count 1",
           "process_cpu_seconds_total 1.5",
           "process_resident_memory_bytes 4096",
           "process_start_time_seconds 1700000000",
       }) {
    EXPECT_TRUE(has_line(text, line)) << line << "\n" << text;
  }
}

// One histogram family, one series per kind of store operation, each counting its own.
TEST(Metrics, StoreSecondsCountsEachKindOfOperation) {
  const MetricsSnapshot m = sample_snapshot();
  const std::string text = render_metrics(m);
  for (const char* line : {
           "# TYPE quicchat_store_seconds histogram",
           "quicchat_store_seconds_bucket{op=\"append\",le=\"0.001\"} 1",
           "quicchat_store_seconds_bucket{op=\"append\",le=\"0.025\"} 2",
           "quicchat_store_seconds_bucket{op=\"append\",le=\"+Inf\"} 2",
           "quicchat_store_seconds_count{op=\"append\"} 2",
           "quicchat_store_seconds_count{op=\"read\"} 0",
           "quicchat_store_seconds_bucket{op=\"login\",le=\"0.0025\"} 0",
           "quicchat_store_seconds_bucket{op=\"login\",le=\"0.005\"} 1",
           "quicchat_store_seconds_count{op=\"login\"} 1",
       }) {
    EXPECT_TRUE(has_line(text, line)) << line << "\n" << text;
  }
  // The last operation is what the cluster's heartbeat record reports.
  EXPECT_FALSE(m.server.last_store_ok);
  EXPECT_EQ(m.server.last_store_time, std::chrono::milliseconds(3));
}

// Every sample belongs to a family announced just before it with HELP and TYPE, each family
// appears once, and counters end in _total.
TEST(Metrics, EveryFamilyHasHelpAndTypeOnce) {
  std::istringstream in(render_metrics(sample_snapshot()));
  std::string line, family, type;
  std::set<std::string> seen;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(seen.insert(family).second) << family;
      ASSERT_TRUE(std::getline(in, line));
      ASSERT_EQ(line.rfind("# TYPE " + family + " ", 0), 0u) << line;
      type = line.substr(8 + family.size());
      if (type == "counter") {
        EXPECT_TRUE(family.ends_with("_total")) << family;
      }
      continue;
    }
    const std::string name = line.substr(0, line.find_first_of("{ "));
    EXPECT_EQ(name.rfind(family, 0), 0u) << line << " outside its family " << family;
    if (type != "histogram") {
      EXPECT_EQ(name, family) << line;
    }
  }
  EXPECT_EQ(seen.size(), 41u) << "a family was added or removed: update docs/OPERATIONS.md";
}

// The rows of docs/OPERATIONS.md's "Every metric" table.
std::vector<std::string> documented_metric_rows() {
  std::ifstream in(std::string(QC_DOCS_DIR) + "/OPERATIONS.md");
  std::string line;
  std::vector<std::string> rows;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line.rfind("### ", 0) == 0) in_section = line == "### Every metric";
    if (in_section && line.rfind("| `", 0) == 0) rows.push_back(line);
  }
  return rows;
}

// Every family the server renders has a row (its name in backquotes), and every label value it
// renders (histogram buckets aside) is named in that row.
TEST(Metrics, EveryFamilyAndLabelValueIsDocumented) {
  const std::vector<std::string> rows = documented_metric_rows();
  ASSERT_FALSE(rows.empty());
  auto row_of = [&rows](const std::string& family) -> const std::string* {
    for (const std::string& row : rows) {
      if (row.find("`" + family + "`") != std::string::npos ||
          row.find("`" + family + "{") != std::string::npos) {
        return &row;
      }
    }
    return nullptr;
  };
  std::istringstream in(render_metrics(sample_snapshot()));
  std::string line, family;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_NE(row_of(family), nullptr) << family << " is not in docs/OPERATIONS.md";
      continue;
    }
    const std::size_t open = line.find('{');
    if (line.rfind("#", 0) == 0 || open == std::string::npos) continue;  // no label
    if (line.compare(open + 1, 3, "le=") == 0) continue;                 // a histogram bucket
    const std::size_t quote = line.find('"', open);
    const std::string value = line.substr(quote + 1, line.find('"', quote + 1) - quote - 1);
    const std::string* row = row_of(family);
    ASSERT_NE(row, nullptr) << family;
    EXPECT_NE(row->find("`" + value + "`"), std::string::npos)
        << family << ": label value " << value << " is not in docs/OPERATIONS.md";
  }
}

TEST(Metrics, StatsTextHasTheSameNumbersAligned) {
  const std::string text = render_stats_text(sample_snapshot());
  EXPECT_EQ(text.find('#'), std::string::npos);
  EXPECT_EQ(text.find("_bucket"), std::string::npos);
  const std::string open = "quicchat_connections_open ";
  ASSERT_EQ(text.rfind(open, 0), 0u) << text;
  const std::size_t column = text.find_first_not_of(' ', open.size());
  EXPECT_EQ(text.substr(column, 2), "2\n");
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_GT(line.size(), column) << line;
    EXPECT_EQ(line[column - 1], ' ') << "values start in one column: " << line;
    EXPECT_NE(line[column], ' ') << line;
  }
  EXPECT_NE(text.find("quicchat_password_check_seconds_count"), std::string::npos);
}

TEST(Metrics, ProcessFiguresAreLeftOutWithoutProc) {
  MetricsSnapshot m = sample_snapshot();
  m.process.reset();
  EXPECT_EQ(render_metrics(m).find("process_"), std::string::npos);
}

// The cluster's families: only with a bus, each documented.
TEST(Metrics, ClusterFamiliesAreRenderedInAClusterOnlyAndDocumented) {
  MetricsSnapshot m = sample_snapshot();
  EXPECT_EQ(render_metrics(m).find("quicchat_cluster_"), std::string::npos);
  m.bus = cluster::BusStats{cluster::BusState::Up, 5, 7, 1, 2, std::chrono::microseconds{1500}, 3};
  m.server.bus_bad_payloads = 6;
  m.chat.bus_gaps_repaired = 4;
  m.chat.bus_duplicates = 8;
  const std::string text = render_metrics(m);
  for (const char* line :
       {"quicchat_cluster_bus_up 1", "quicchat_cluster_nodes_alive 3",
        "quicchat_cluster_bus_round_trip_seconds 0.0015",
        R"(quicchat_cluster_bus_events_total{direction="dropped"} 1)",
        R"(quicchat_cluster_bus_events_total{direction="undecodable"} 6)",
        "quicchat_cluster_gaps_repaired_total 4", "quicchat_cluster_duplicates_total 8"})
    EXPECT_TRUE(has_line(text, line)) << line << "\n" << text;
  const std::vector<std::string> rows = documented_metric_rows();
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP quicchat_cluster_", 0) != 0) continue;
    const std::string family = line.substr(7, line.find(' ', 7) - 7);
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(),
                            [&](const std::string& row) {
                              return row.find("`" + family + "`") != std::string::npos ||
                                     row.find("`" + family + "{") != std::string::npos;
                            }))
        << family << " is not in docs/OPERATIONS.md";
  }
}

}  // namespace
}  // namespace qc::server
