// quicchat client: the terminal chat client (interactive on a terminal, scripted otherwise).
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "client_app.h"
#include "commands.h"
#include "flags.h"
#include "util/log.h"

namespace qc::app {
namespace {

Flags client_flags() {
  return Flags(
      "usage: quicchat client [options]\n\n"
      "Interactive on a terminal. Scripted otherwise: the first lines of stdin are the username\n"
      "and the password (each skipped when given by --user / --password-file), then one command\n"
      "per line; at the end of input the client logs out and exits 0.",
      {
          {"server", "localhost", "server host name or address"},
          {"port", "4433", "server UDP port"},
          {"ca", "certs/quic_certificate.pem", "CA/certificate file to verify the server with"},
          {"user", "", "username (skips the prompt)"},
          {"password-file", "", "file whose first line is the password (skips the prompt)"},
          {"alpn", "quicchat,echo-protocol", "ALPNs to offer, comma-separated"},
          {"reconnect", "", "reconnect and log in again after a lost connection", true},
          {"keepalive-ms", "30000", "interval between ALIVE messages (0 = none)"},
          {"log-level", "warn", "debug, info, warn, error or off (to stderr)"},
      });
}

Result<std::string> read_password_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail("password_file", "cannot read " + path);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

struct Setup {
  client::ChatClientOptions chat;
  ClientAppOptions app;
};

Result<Setup> setup_from_flags(const Flags& flags) {
  Setup s;
  auto port = flags.get_int("port", 1, 65535);
  if (!port) return Unexpected<Error>{port.error()};
  auto keepalive = flags.get_int("keepalive-ms", 0, 24LL * 3600 * 1000);
  if (!keepalive) return Unexpected<Error>{keepalive.error()};
  s.chat.transport.host = flags.get("server");
  s.chat.transport.port = static_cast<std::uint16_t>(*port);
  s.chat.transport.ca_file = flags.get("ca");
  s.chat.transport.alpns = app::split_list(flags.get("alpn"));
  if (s.chat.transport.alpns.empty()) return fail("usage", "--alpn needs at least one protocol");
  s.chat.keepalive = std::chrono::milliseconds(*keepalive);
  if (flags.given("user")) s.app.username = flags.get("user");
  if (flags.given("password-file")) {
    auto password = read_password_file(flags.get("password-file"));
    if (!password) return Unexpected<Error>{password.error()};
    s.app.password = *password;
  }
  s.app.reconnect = flags.on("reconnect");
  s.app.server_label = s.chat.transport.host + ":" + std::to_string(*port);
  return s;
}

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGWINCH);
  return set;
}

// SIGINT/SIGTERM (log out) and SIGWINCH (redraw) arrive through a signalfd watched by the
// loop. They are blocked before any thread exists, so no thread takes them the default way.
int watch_signals(io::EventLoop& loop, ClientApp& app, Console& console) {
  sigset_t set = handled_signals();
  int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return -1;
  (void)loop.watch_readable(fd, [fd, &app, &console] {
    signalfd_siginfo info;
    while (::read(fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      if (info.ssi_signo == SIGWINCH) {
        console.resized();
      } else {
        app.interrupt();
      }
    }
  });
  return fd;
}

int run_client(const Setup& setup) {
  sigset_t signals = handled_signals();
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  auto loop = io::EventLoop::create();
  if (!loop) {
    std::fprintf(stderr, "quicchat client: %s\n", loop.error().message.c_str());
    return 1;
  }
  client::ClientMux mux;
  auto endpoint = quic::ClientEndpoint::create(**loop, mux);
  if (!endpoint) {
    std::fprintf(stderr, "quicchat client: %s\n", endpoint.error().message.c_str());
    return 1;
  }
  std::unique_ptr<Console> console =
      isatty(0) ? make_terminal_console(**loop) : make_script_console(**loop);
  int exit_code = 1;
  {
    ClientApp app(**loop, **endpoint, mux, setup.chat, *console, setup.app);
    int signal_fd = watch_signals(**loop, app, *console);
    if (auto started = app.start(); !started) {
      console->print_fatal("[Err] Cannot connect to " + setup.app.server_label + ": " +
                           started.error().message);
    } else if (auto ran = (*loop)->run(); !ran) {
      console->print_fatal("[Err] " + ran.error().message);
    } else {
      exit_code = app.exit_code();
    }
    if (signal_fd >= 0) {
      (*loop)->unwatch(signal_fd);
      ::close(signal_fd);
    }
  }
  console.reset();  // restores the terminal before the endpoint goes
  return exit_code;
}

}  // namespace

int cmd_client(const Args& args) {
  Flags flags = client_flags();
  if (auto parsed = flags.parse(args); !parsed) {
    std::fprintf(stderr, "quicchat client: %s\n", parsed.error().message.c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("%s", flags.help_text().c_str());
    return 0;
  }
  log::Level level = log::Level::Warn;
  if (!log::parse_level(flags.get("log-level"), level)) {
    std::fprintf(stderr, "quicchat client: bad --log-level\n");
    return 2;
  }
  log::set_level(level);
  auto setup = setup_from_flags(flags);
  if (!setup) {
    std::fprintf(stderr, "quicchat client: %s\n", setup.error().message.c_str());
    return 2;
  }
  return run_client(*setup);
}

}  // namespace qc::app
