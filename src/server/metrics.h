// The server's numbers for operators: one snapshot of the chat core's, the transport's and the
// glue's counters plus the process figures, rendered as Prometheus text and served on
// `--metrics-listen` (docs/OPERATIONS.md "Metrics" lists every metric).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "chat/core.h"
#include "cluster/bus.h"
#include "ops/http_server.h"
#include "ops/process_stats.h"
#include "quic/endpoint.h"
#include "server/server_counters.h"

#include "store/message_store.h"

namespace qc::server {

class ChatServer;

struct MetricsSnapshot {
  chat::CoreStats chat;
  quic::Stats transport;
  ServerCounters server;
  std::size_t hash_jobs_queued = 0;
  std::optional<ops::ProcessStats> process;  // nullopt without /proc
  store::MessageWriter::Stats writer;       // the message store's writer thread
  std::uint64_t purged_messages = 0;        // deleted by retention
  std::optional<cluster::BusStats> bus;     // a cluster's bus (nullopt: a server on its own)
};

MetricsSnapshot snapshot(const ChatServer& server);

// Pure: the Prometheus text exposition of a snapshot.
std::string render_metrics(const MetricsSnapshot& m);
// Pure: the same numbers for a person (`quicchat admin stats`): one "name value" per line,
// aligned, without the HELP/TYPE lines and the histogram buckets.
std::string render_stats_text(const MetricsSnapshot& m);

// Serves GET /metrics on `listen` from the loop; the server must outlive the responder.
Result<std::unique_ptr<ops::HttpServer>> serve_metrics(io::EventLoop& loop,
                                                       const ChatServer& server,
                                                       const ops::HostPort& listen);

}  // namespace qc::server
