// `quicchat server`: options and config, account store, event loop, signals; the rest is
// server::ChatServer.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>

#include "cluster/redis_bus.h"
#include "io/fd_limit.h"
#include "quic/quic_lb.h"
#include "quicchat/common/commands.h"
#include "quicchat/common/host_port.h"
#include "quicchat/server/server_options.h"
#include "quicchat/server/server_reload.h"
#include "server/admin.h"
#include "server/metrics.h"
#include "server/secret_file.h"
#include "store/open_store.h"
#include "util/log.h"

namespace qc::app {
namespace {

// SIGINT/SIGTERM (stop) and SIGHUP (reload) arrive as readable events on a signalfd, handled on
// the loop thread.
int block_handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int report(const Error& e) {
  std::fprintf(stderr, "quicchat server: %s\n", e.message.c_str());
  return e.code == "usage" ? 2 : 1;
}

// The metrics endpoint when --metrics-listen is set (nullptr when not), and the line that says
// where it listens (with port 0, which port).
Result<std::unique_ptr<ops::HttpServer>> start_metrics(io::EventLoop& loop,
                                                       const server::ChatServer& server,
                                                       const std::optional<ops::HostPort>& at) {
  if (!at) return std::unique_ptr<ops::HttpServer>();
  auto http = server::serve_metrics(loop, server, *at);
  if (!http) return http;
  const bool v6 = at->host.find(':') != std::string::npos;
  const std::string address =
      (v6 ? "[" + at->host + "]" : at->host) + ":" + std::to_string((*http)->port());
  log::info("metrics_listen", {{"address", address}});
  if (ops::reachable_from_other_machines(at->host)) {
    log::warn("metrics_exposed",
              {{"address", address},
               {"why",
                "the metrics endpoint has no authentication and is exposed beyond this "
                "machine: bind it to loopback or to a monitoring-only address"}});
  }
  std::fprintf(stderr, "metrics on http://%s/metrics\n", address.c_str());
  return http;
}

// Reads or creates the secret file into the transport's options and says which file it is
// (never the secret).
Result<void> load_secret(ServerSettings& settings) {
  auto file = server::load_or_create_secret(settings.secret_file);
  if (!file) return Unexpected{file.error()};
  settings.config.transport.static_secret = std::move(file->secret);
  log::info("secret_file",
            {{"path", settings.secret_file}, {"state", file->created ? "created" : "loaded"}});
  return {};
}

// The cluster's bus when --cluster is set (nullptr when not): it connects once the loop runs,
// and goes on without Redis (Down, reconnecting) rather than refuse to start.
Result<std::unique_ptr<cluster::Bus>> start_cluster_bus(io::EventLoop& loop,
                                                        const ServerSettings& settings) {
  if (!settings.cluster) return std::unique_ptr<cluster::Bus>();
  cluster::RedisConfig config = *settings.cluster;
  if (!settings.cluster_password_file.empty()) {
    auto password = cluster::read_password_file(settings.cluster_password_file);
    if (!password) return Unexpected{password.error()};
    config.password = std::move(*password);
  }
  log::info("cluster", {{"redis", cluster::redis_address(config)},
                        {"user", config.user.empty() ? "default" : config.user},
                        {"password_file", settings.cluster_password_file},
                        {"node", config.node_id}});
  return std::unique_ptr<cluster::Bus>(cluster::RedisBus::create(loop, std::move(config)));
}

// The certificate's names and expiry at start, then once a day: a renewal that did not happen
// shows up in the log (WARN certificate_expires_soon) before clients refuse the certificate.
void check_certificate_daily(io::EventLoop& loop, const Reloader& reloader) {
  constexpr auto kDay = std::chrono::hours(24);
  loop.add_timer(loop.now() + kDay, [&loop, &reloader] {
    log_certificate(reloader.running().config.transport.cert_file);
    check_certificate_daily(loop, reloader);
  });
}

}  // namespace

int cmd_server(const Args& args) {
  Flags flags = make_server_flags();
  if (auto r = flags.parse(args); !r) return report(r.error());
  if (flags.help_requested()) {
    std::fputs(flags.help_text().c_str(), stdout);
    return 0;
  }
  if (flags.on("options-markdown")) {
    std::fputs(server_options_markdown().c_str(), stdout);
    return 0;
  }
  if (!flags.positional().empty()) {
    return report({"usage", "unexpected argument '" + flags.positional()[0] + "'"});
  }
  if (auto r = apply_config_file(flags); !r) return report(r.error());
  auto settings = server_settings_from(flags);
  if (!settings) return report(settings.error());
  log::set_level(settings->log_level);
  const io::FdLimit fds = io::raise_open_files_limit();
  log::info("fd_limit", {{"soft", fds.soft}, {"hard", fds.hard}});
  const server::ServerConfig& config = settings->config;
  if (!config.transport.keylog_file.empty()) {
    log::warn("tls_key_log", {{"path", config.transport.keylog_file},
                              {"why",
                               "SSLKEYLOGFILE is set: the secrets of every TLS session are "
                               "written there and decrypt all traffic; never in production"}});
  }

  // Before any thread exists, so that every thread inherits the blocked mask.
  int sig_fd = block_handled_signals();
  if (sig_fd < 0) return report({"signal", "cannot create signalfd"});

  // --db: an SQLite file, or a postgresql:// URL (a cluster's shared store).
  auto store = store::open_account_store(settings->db, {.create_if_missing = true});
  if (!store) return report(store.error());
  // Names are case-insensitive: accounts that differ only in case are never merged silently.
  if (auto r = store::check_no_case_conflicts(**store); !r) return report(r.error());
  if (auto loaded = load_secret(*settings); !loaded) return report(loaded.error());

  auto messages = store::open_message_store(settings->db);
  if (!messages) return report(messages.error());

  auto loop = io::EventLoop::create();
  if (!loop) return report(loop.error());
  // Declared before the server: destroyed after it (the server holds a pointer to it).
  auto bus = start_cluster_bus(**loop, *settings);
  if (!bus) return report(bus.error());
  auto server =
      server::ChatServer::start(**loop, **store, std::move(*messages), config, bus->get());
  if (!server) return report(server.error());

  log_certificate(config.transport.cert_file);
  Reloader reloader(args, *settings, flags, **server);
  check_certificate_daily(**loop, reloader);

  bool shutting_down = false;
  auto watched = (*loop)->watch_readable(sig_fd, [&] {
    signalfd_siginfo info{};
    if (read(sig_fd, &info, sizeof info) != sizeof info || shutting_down) return;
    if (info.ssi_signo == SIGHUP) {
      (void)reloader.reload();  // it logs what it did, or why it refused
      return;
    }
    shutting_down = true;
    (*server)->shutdown("server shutting down");  // one reason for SIGINT and SIGTERM
  });
  if (!watched) return report(watched.error());
  auto metrics = start_metrics(**loop, **server, settings->metrics_listen);
  if (!metrics) return report(metrics.error());
  std::unique_ptr<server::AdminSocket> admin;
  if (!settings->admin_socket.empty()) {
    auto started = server::AdminSocket::start(**loop, **server, settings->admin_socket);
    if (!started) return report(started.error());
    admin = std::move(*started);
    admin->on_reload([&reloader] { return reloader.reload(); });
    log::info("admin_socket", {{"path", settings->admin_socket}});
  }

  const std::string address = host_port_text(config.transport.host, (*server)->port());
  log::info("listening", {{"address", address},
                          {"node", config.node_id},
                          {"cid_server_id", config.transport.cid_server_id.empty()
                                                ? std::string("none")
                                                : quic::hex_of(config.transport.cid_server_id)},
                          {"db", store::shown_db(settings->db)},
                          {"history", config.chat.store_messages ? "on" : "off"},
                          {"alpn", flags.get("alpn")}});
  // The one line scripts wait for before they connect.
  if (config.node_id.empty())
    std::fprintf(stderr, "listening on %s\n", address.c_str());
  else
    std::fprintf(stderr, "listening on %s (node %s)\n", address.c_str(), config.node_id.c_str());
  std::fflush(stderr);

  auto ran = (*loop)->run();
  close(sig_fd);
  if (!ran) return report(ran.error());
  log::info("stopped", {});
  return 0;
}

}  // namespace qc::app
