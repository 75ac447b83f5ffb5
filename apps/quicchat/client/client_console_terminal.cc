// Console on a terminal: GNU readline's callback interface driven by the event loop, so
// incoming messages keep arriving while the user types. An incoming line is printed above the
// line being edited: clear the visible input, print, then let readline redraw prompt + input.
// Passwords are read with a redisplay function that shows only the prompt (never the input)
// and are kept out of the history.
#include <readline/history.h>
#include <readline/readline.h>

#include <cstdio>
#include <string>

#include "quicchat/client/client_console.h"

namespace qc::app {
namespace {

// readline's callbacks are plain functions; only one terminal console exists per process.
std::optional<std::optional<std::string>> g_received;

void on_readline_line(char* line) {
  // Removed here, readline does not print the prompt again for a next line: the client asks for
  // one when it is ready, and with a prompt (`#team> `) its output would follow a stray prompt.
  rl_callback_handler_remove();
  if (line == nullptr) {
    g_received.emplace(std::nullopt);
    return;
  }
  g_received.emplace(std::string(line));
  std::free(line);
}

void hidden_redisplay() {
  std::fprintf(rl_outstream, "\r\x1b[K%s", rl_prompt ? rl_prompt : "");
  std::fflush(rl_outstream);
}

class TerminalConsole final : public Console {
 public:
  explicit TerminalConsole(io::EventLoop& loop) : loop_(loop) {
    // Signals reach the client through the loop (signalfd): SIGINT logs out, SIGWINCH resizes.
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    using_history();
  }
  ~TerminalConsole() override { stop(); }

  void set_line_handler(LineFn on_line) override { on_line_ = std::move(on_line); }

  void request_command_line(std::string_view prompt) override {
    request_line(prompt, false);
    command_ = true;
  }

  void request_line(std::string_view prompt, bool hidden) override {
    stop();
    hidden_ = hidden;
    command_ = false;
    prompt_ = std::string(prompt);
    rl_redisplay_function = hidden ? hidden_redisplay : rl_redisplay;
    rl_callback_handler_install(prompt_.c_str(), on_readline_line);
    installed_ = true;
    if (!loop_.watch_readable(0, [this] { on_readable(); })) {
      on_line_(std::nullopt);  // cannot read the terminal: treat as end of input
    }
  }

  void print(std::string_view line) override {
    if (!installed_) {
      write_line(line);
      return;
    }
    if (hidden_) {
      std::fputs("\r\x1b[K", stdout);
      write_line(line);
      hidden_redisplay();
      return;
    }
    rl_clear_visible_line();
    write_line(line);
    rl_on_new_line();
    rl_redisplay();
  }

  void print_fatal(std::string_view line) override { print(line); }
  bool interactive() const override { return true; }
  void resized() override {
    if (installed_) rl_resize_terminal();
  }

 private:
  static void write_line(std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputs("\r\n", stdout);
    std::fflush(stdout);
  }

  void stop() {
    if (!installed_) return;
    loop_.unwatch(0);
    rl_callback_handler_remove();
    rl_redisplay_function = rl_redisplay;
    installed_ = false;
  }

  // The line is handed over only after rl_callback_read_char returns: the handler may
  // request the next line, which reinstalls readline, and must not do so from inside it.
  void on_readable() {
    rl_callback_read_char();
    if (!g_received) return;
    std::optional<std::string> line = std::move(*g_received);
    g_received.reset();
    if (hidden_) std::fputs("\r\n", stdout);
    stop();
    // Commands only: never an answer to a login prompt.
    if (line && !line->empty() && command_) add_history(line->c_str());
    on_line_(std::move(line));
  }

  io::EventLoop& loop_;
  LineFn on_line_;
  std::string prompt_;
  bool hidden_ = false;
  bool command_ = false;  // the line asked for is a command (kept in the history)
  bool installed_ = false;
};

}  // namespace

std::unique_ptr<Console> make_terminal_console(io::EventLoop& loop) {
  return std::make_unique<TerminalConsole>(loop);
}

}  // namespace qc::app
