// The `quicchat bench` scenarios. Each sets up its server and clients, runs, and returns
// its Report (whose checks say whether the run was correct), or the error that stopped it.
#pragma once

#include <vector>

#include "bench/load/fleet.h"
#include "bench/load/fleets.h"
#include "bench/load/proc.h"
#include "bench/load/report.h"
#include "bench/load/sample_figures.h"
#include "bench/scenarios/options.h"
#include "util/result.h"

namespace qc::bench {

// One report per run; fanout makes one per window of its --window list.
Result<std::vector<Report>> run_latency(const BenchOptions& opts);
Result<std::vector<Report>> run_fanout(const BenchOptions& opts);
Result<std::vector<Report>> run_connections(const BenchOptions& opts);
Result<std::vector<Report>> run_logins(const BenchOptions& opts);
// Issue 13: a room's fan-out with history on and off next to the broadcast's, the store's
// throughput and acknowledgement latency in a 1:1 storm, and history pages.
Result<std::vector<Report>> run_room(const BenchOptions& opts);
Result<std::vector<Report>> run_store(const BenchOptions& opts);
Result<std::vector<Report>> run_history(const BenchOptions& opts);
// Issue 17: the kernel's CPU per 1,200-byte datagram sent with sendmmsg (and UDP GSO) to a
// loopback socket another thread drains; no server.
Result<std::vector<Report>> run_sendmmsg(const BenchOptions& opts);

// Shared by the scenarios: the parameters every report carries (the protocol is the version
// the fleet's sessions logged in with, else the one offered), and the server's share.
void describe_target(Report& report, const ServerUnderTest& server, const Fleet& fleet);
void describe_target(Report& report, const ServerUnderTest& server, const Fleets& fleets);
// Against a server of its own (not spawned) the fleet logs out at the end: how many of those
// logouts got no LOGOUT_ACK within the logout window (a figure, not a failed run).
void describe_logouts(Report& report, const ServerUnderTest& server, const Fleet& fleet);
void describe_logouts(Report& report, const ServerUnderTest& server, const Fleets& fleets);
// Time of one bcrypt hash at `cost` in this process (the fastest of three).
double seconds_per_hash(int cost);

}  // namespace qc::bench
