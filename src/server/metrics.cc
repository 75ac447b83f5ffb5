#include "server/metrics.h"

#include <chrono>

#include "proto/pdu.h"
#include "server/chat_server.h"

namespace qc::server {
namespace {

using ops::Sample;

double num(std::uint64_t v) { return static_cast<double>(v); }

void transport_metrics(ops::Exposition& e, const quic::Stats& t) {
  e.gauge("quicchat_connections_open", "QUIC connections with a completed handshake.",
          num(t.connections_open));
  e.gauge("quicchat_handshakes_in_progress", "QUIC handshakes started and not yet complete.",
          num(t.handshakes_in_progress));
  e.counter("quicchat_handshakes_refused_total",
            "New connections refused before a handshake, by reason.",
            {{{{"reason", "connection_limit"}}, num(t.refused_connection_limit)},
             {{{"reason", "per_ip_limit"}}, num(t.refused_per_ip_limit)},
             {{{"reason", "invalid_retry_token"}}, num(t.refused_invalid_token)}});
  e.counter("quicchat_retry_sent_total", "QUIC Retry packets sent (address validation).",
            num(t.retries_sent));
  e.counter("quicchat_datagrams_received_total", "UDP datagrams received.",
            num(t.datagrams_received));
  e.counter("quicchat_datagrams_sent_total", "UDP datagrams sent.", num(t.datagrams_sent));
  e.counter("quicchat_bytes_received_total", "UDP payload bytes received.", num(t.bytes_received));
  e.counter("quicchat_bytes_sent_total", "UDP payload bytes sent.", num(t.bytes_sent));
  e.counter("quicchat_recv_syscalls_total", "recvmmsg calls.", num(t.recv_syscalls));
  e.counter("quicchat_send_syscalls_total", "sendmmsg calls.", num(t.send_syscalls));
  e.counter("quicchat_connection_writes_total",
            "Connections' write loops (packets asked of ngtcp2), by whether they wrote a datagram.",
            {{{{"result", "wrote"}}, num(t.conn_writes - t.conn_writes_empty)},
             {{{"result", "empty"}}, num(t.conn_writes_empty)}});
  e.counter("quicchat_connection_timers_total", "Connections' expiry timers that fired.",
            num(t.conn_timer_fires));
}

void chat_metrics(ops::Exposition& e, const chat::CoreStats& c) {
  e.gauge("quicchat_sessions", "Chat sessions (connections), logged in or not.",
          num(c.connections));
  e.gauge("quicchat_sessions_logged_in", "Logged-in users.", num(c.active_users));
  e.gauge("quicchat_sessions_by_protocol", "Logged-in sessions by protocol version.",
          {{{{"protocol", "1"}}, num(c.sessions - c.v2_sessions)},
           {{{"protocol", "2"}}, num(c.v2_sessions)}});
  e.counter("quicchat_sessions_replaced_total",
            "v2 sessions closed for a new session of the same device or over --max-devices.",
            num(c.replaced_sessions));
  e.counter("quicchat_duplicate_sends_total",
            "v2 sends repeated with a client id already accepted (acknowledged, not redelivered).",
            num(c.duplicate_sends));
  e.counter("quicchat_logins_total", "LOGIN attempts by result.",
            {{{{"result", "ok"}}, num(c.logins)},
             {{{"result", "failed"}}, num(c.failed_logins)},
             {{{"result", "already_logged_in"}}, num(c.already_logged_in)},
             {{{"result", "throttled"}}, num(c.throttled_logins)},
             {{{"result", "busy"}}, num(c.busy_logins)},
             {{{"result", "store_unavailable"}}, num(c.store_unavailable_logins)},
             {{{"result", "interrupted"}}, num(c.interrupted_logins)}});
  e.gauge("quicchat_logins_pending", "Password checks asked for and not answered yet.",
          num(c.pending_logins));
  // The types clients send, by name; any other type a client sends counts as "other".
  using proto::MsgType;
  std::vector<Sample> by_type;
  std::uint64_t other = 0;
  for (std::size_t i = 0; i < c.pdus_received.size(); ++i) other += c.pdus_received[i];
  for (MsgType type : {MsgType::Versions, MsgType::Login, MsgType::Alive, MsgType::OneToOne,
                       MsgType::OneToMany, MsgType::Broadcast, MsgType::Logout}) {
    const std::uint64_t n = c.pdus_received[static_cast<std::size_t>(type)];
    other -= n;
    by_type.push_back({{{"type", std::string(proto::msg_type_name(type))}}, num(n)});
  }
  by_type.push_back({{{"type", "other"}}, num(other)});
  e.counter("quicchat_pdus_received_total", "Well-formed PDUs received from clients, by type.",
            by_type);
  e.counter("quicchat_deliveries_total", "Message PDUs queued to recipients.", num(c.deliveries));
  e.counter("quicchat_messages_rate_limited_total",
            "Messages refused by the per-session rate limit.", num(c.rate_limited));
  e.counter("quicchat_protocol_errors_total", "Malformed, oversized or unexpected PDUs received.",
            num(c.malformed_pdus));
}

void server_metrics(ops::Exposition& e, const MetricsSnapshot& m) {
  const ServerCounters& s = m.server;
  e.counter("quicchat_kicks_total", "Sessions closed by an operator (quicchat admin kick).",
            num(m.chat.kicks));
  e.counter("quicchat_slow_consumer_closes_total",
            "Connections closed because their outbound queue went over --max-queued-bytes.",
            num(s.slow_consumer_closes));
  const std::uint64_t outstanding = s.hash_jobs_submitted - s.hash_jobs_completed;
  const std::uint64_t queued = std::min<std::uint64_t>(m.hash_jobs_queued, outstanding);
  e.gauge("quicchat_hash_jobs_queued", "Password checks waiting for a hashing thread.",
          num(queued));
  e.gauge("quicchat_hash_jobs_in_flight", "Password checks being hashed or being handed back.",
          num(outstanding - queued));
  e.histogram("quicchat_password_check_seconds",
              "Time from queueing a password check to its result on the event loop.",
              s.hash_seconds);
}

void history_metrics(ops::Exposition& e, const MetricsSnapshot& m) {
  const chat::CoreStats& c = m.chat;
  const store::MessageWriter::Stats& w = m.writer;
  e.gauge("quicchat_rooms", "Rooms.", num(c.rooms));
  e.counter("quicchat_messages_stored_total", "Messages committed to the message store.",
            num(c.stored_messages));
  e.counter("quicchat_store_failures_total",
            "Store writes or reads refused (queue full or a database error): the sender got "
            "store_full or store_failed.",
            num(c.store_failures));
  e.counter("quicchat_history_reads_total", "History pages read (history requests and joins).",
            num(c.history_reads));
  e.counter("quicchat_offline_deliveries_total",
            "Stored messages sent in login catch-up pages (offline delivery and resume).",
            num(c.offline_deliveries));
  e.gauge("quicchat_store_queue", "Writes and reads waiting for the store's writer thread.",
          num(w.queued));
  e.counter("quicchat_store_commits_total",
            "Transactions committed by the writer (each one fsync; group commit).", num(w.commits));
  e.counter("quicchat_store_commit_seconds_total",
            "Time spent in commits, fsync included: divided by quicchat_store_commits_total, the "
            "mean store latency.",
            static_cast<double>(w.commit_ns_total) / 1e9);
  std::vector<std::pair<ops::Labels, const ops::Histogram*>> store_series;
  for (std::size_t op = 0; op < ServerCounters::kStoreOpNames.size(); ++op)
    store_series.push_back(
        {{{"op", ServerCounters::kStoreOpNames[op]}}, &m.server.store_seconds[op]});
  e.histogram("quicchat_store_seconds",
              "Store operations by kind: append (a batch of writes) and read from submission to "
              "the writer's answer, its queue included; login: the account lookup.",
              store_series);
  e.counter("quicchat_retention_deleted_total", "Stored messages deleted by retention.",
            num(m.purged_messages));
}

void process_metrics(ops::Exposition& e, const ops::ProcessStats& p) {
  e.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
            p.cpu_seconds);
  e.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", num(p.resident_bytes));
  e.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
          p.start_time_seconds);
}

// Only in a cluster: a server on its own has no bus.
void cluster_metrics(ops::Exposition& e, const MetricsSnapshot& m, const cluster::BusStats& b) {
  e.gauge("quicchat_cluster_bus_up", "1 while the cluster's bus is subscribed (Up), else 0.",
          b.state == cluster::BusState::Up ? 1 : 0);
  e.gauge("quicchat_cluster_nodes_alive", "Nodes whose heartbeat is live, this one included.",
          num(b.nodes_alive));
  e.gauge("quicchat_cluster_bus_round_trip_seconds",
          "The last heartbeat's Redis command round trip (bus lag).",
          std::chrono::duration<double>(b.last_round_trip).count());
  e.counter("quicchat_cluster_bus_events_total", "Bus events, by direction.",
            {{{{"direction", "published"}}, num(b.published)},
             {{{"direction", "received"}}, num(b.received)},
             {{{"direction", "dropped"}}, num(b.dropped_while_down)},
             {{{"direction", "undecodable"}}, num(m.server.bus_bad_payloads)}});
  e.counter("quicchat_cluster_bus_reconnects_total", "Times the bus connected again.",
            num(b.reconnects));
  e.counter("quicchat_cluster_gaps_repaired_total",
            "Store reads that delivered messages the bus lost.", num(m.chat.bus_gaps_repaired));
  e.counter("quicchat_cluster_gaps_skipped_total",
            "Holes in a conversation the store no longer had (retention): passed over.",
            num(m.chat.bus_gaps_skipped));
  e.counter("quicchat_cluster_duplicates_total",
            "Messages that reached this node again (bus and store both): dropped.",
            num(m.chat.bus_duplicates));
  e.gauge("quicchat_cluster_remote_online", "Accounts online on other nodes only.",
          num(m.chat.remote_online));
}

}  // namespace

MetricsSnapshot snapshot(const ChatServer& server) {
  return MetricsSnapshot{server.chat_stats(),       server.transport_stats(),
                         server.counters(),         server.hash_jobs_queued(),
                         ops::read_process_stats(), server.writer_stats(),
                         server.purged_messages(),  server.bus_stats()};
}

std::string render_metrics(const MetricsSnapshot& m) {
  ops::Exposition e;
  transport_metrics(e, m.transport);
  chat_metrics(e, m.chat);
  server_metrics(e, m);
  history_metrics(e, m);
  if (m.bus) cluster_metrics(e, m, *m.bus);
  if (m.process) process_metrics(e, *m.process);
  return e.text();
}

std::string render_stats_text(const MetricsSnapshot& m) {
  const std::string exposition = render_metrics(m);
  std::vector<std::pair<std::string_view, std::string_view>> rows;
  std::size_t width = 0;
  std::string_view rest = exposition;
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find('\n'), rest.size());
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    if (line.empty() || line[0] == '#' || line.find("_bucket{") != std::string_view::npos) {
      continue;
    }
    const std::size_t space = line.rfind(' ');
    rows.emplace_back(line.substr(0, space), line.substr(space + 1));
    width = std::max(width, space);
  }
  std::string text;
  for (const auto& [name, value] : rows) {
    text.append(name).append(width + 2 - name.size(), ' ').append(value).append("\n");
  }
  return text;
}

Result<std::unique_ptr<ops::HttpServer>> serve_metrics(io::EventLoop& loop,
                                                       const ChatServer& server,
                                                       const ops::HostPort& listen) {
  ops::HttpServerOptions options;
  options.listen = listen;
  return ops::HttpServer::start(loop, options, [&server](const ops::HttpRequest& request) {
    return ops::serve_resource(request, "/metrics", [&server] {
      ops::HttpResponse r;
      r.content_type = std::string(ops::kExpositionContentType);
      r.body = render_metrics(snapshot(server));
      return r;
    });
  });
}

}  // namespace qc::server
