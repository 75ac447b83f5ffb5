// quicchat client: the terminal chat client (interactive on a terminal, scripted otherwise).
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>

#include "quicchat/client/client_app.h"
#include "quicchat/client/client_options.h"
#include "quicchat/common/commands.h"
#include "quicchat/common/host_port.h"
#include "util/log.h"

namespace qc::app {
namespace {

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

int run_client(const ClientSettings& setup) {
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
    ClientAppOptions app_options = setup.app;
    app_options.servers = expand_candidates(setup.servers, resolve_host_addresses);
    ClientApp app(**loop, **endpoint, mux, setup.chat, *console, std::move(app_options));
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

// --save-config [--if-missing]: the command line's options, checked, become the config file.
int save_config(const Flags& flags) {
  if (auto checked = client_settings_from(flags); !checked) {
    std::fprintf(stderr, "quicchat client: %s\n", checked.error().message.c_str());
    return 2;
  }
  auto saved = save_client_config(flags, default_client_config_path());
  if (!saved && saved.error().code == "config_exists" && flags.on("if-missing")) return 0;
  if (!saved) {
    std::fprintf(stderr, "quicchat client: %s\n", saved.error().message.c_str());
    return saved.error().code == "usage" ? 2 : 1;
  }
  std::printf("wrote %s\n", saved->c_str());
  return 0;
}

}  // namespace

int cmd_client(const Args& args) {
  Flags flags = make_client_flags();
  if (auto parsed = flags.parse(args); !parsed) {
    std::fprintf(stderr, "quicchat client: %s\n", parsed.error().message.c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("%s", flags.help_text().c_str());
    return 0;
  }
  if (flags.on("options-markdown")) {
    std::fputs(client_options_markdown().c_str(), stdout);
    return 0;
  }
  if (flags.on("save-config")) return save_config(flags);
  if (flags.on("if-missing")) {
    std::fprintf(stderr, "quicchat client: --if-missing goes with --save-config\n");
    return 2;
  }
  auto source = apply_client_config(flags, default_client_config_path());
  if (!source) {
    std::fprintf(stderr, "quicchat client: %s\n", source.error().message.c_str());
    return 2;
  }
  auto settings = client_settings_from(flags, *source);
  if (!settings) {
    std::fprintf(stderr, "quicchat client: %s\n", settings.error().message.c_str());
    return 2;
  }
  log::set_level(settings->log_level);
  return run_client(*settings);
}

}  // namespace qc::app
