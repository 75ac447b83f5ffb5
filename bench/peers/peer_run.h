// What every scenario of qc-peerbench shares: the loop, the TLS settings, the server's pid, the
// users it creates, and the waits between the phases of a run.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/load/report.h"
#include "bench/load/sample_figures.h"
#include "bench/peers/peer_client.h"

namespace qc::peers {

struct PeerBenchOptions {
  PeerSettings peer;
  std::string label;  // e.g. "ngircd-tls": the target's name in the report
  std::string ca_file;
  std::size_t tls_record_max = 16384;
  std::optional<pid_t> server_pid;
  std::chrono::milliseconds phase_timeout{120'000};
  bool json = false;
  std::int64_t messages = 0;
  std::int64_t warmup = 0;
  std::int64_t receivers = 0;
  std::int64_t window = 0;
  std::int64_t count = 0;
  std::int64_t in_flight = 8;
};

class PeerRun {
 public:
  PeerRun(const PeerBenchOptions& opts, std::unique_ptr<TlsClientConfig> tls);

  PeerClient& add_client(const std::string& name);
  std::vector<std::unique_ptr<PeerClient>>& clients() { return clients_; }

  // Connects clients [first, end) with at most `in_flight` set-ups pending; true when all are
  // registered.
  bool connect(std::size_t first, std::size_t end, std::size_t in_flight);
  // Runs the loop until done() or the phase timeout; false (and the reason kept) on a timeout
  // or a closed connection.
  bool wait(const std::string& phase, const std::function<bool()>& done,
            const std::function<void()>& after = {});
  // Runs the loop until nothing has arrived for `quiet` (IRC's JOIN notices, late PINGs).
  void settle(std::chrono::milliseconds quiet);

  bench::ProcSample sample() const { return bench::sample_process(opts_.server_pid); }
  const PeerBenchOptions& options() const { return opts_; }
  const std::string& failure() const { return failure_; }
  void fail(std::string why);
  EventLoop& loop() { return loop_; }

  // The parameters every report starts with, and its closing checks.
  bench::Report start_report(const std::string& scenario) const;
  void finish_report(bench::Report& report) const;

 private:
  const PeerBenchOptions& opts_;
  std::unique_ptr<TlsClientConfig> tls_;
  EventLoop loop_;
  std::vector<std::unique_ptr<PeerClient>> clients_;
  std::string failure_;
};

bench::Report run_latency(PeerRun& run);
bench::Report run_fanout(PeerRun& run);
bench::Report run_connections(PeerRun& run);

}  // namespace qc::peers
