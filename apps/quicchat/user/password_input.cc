#include "quicchat/user/password_input.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace qc::app {
namespace {

constexpr std::size_t kMaxLine = 4096;
constexpr int kRestoreSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Signal handlers can only reach globals; both are set before any handler is installed.
termios g_saved_termios;
volatile sig_atomic_t g_echo_is_off = 0;

void restore_echo_and_die(int sig) {
  if (g_echo_is_off) tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
  const char newline = '\n';
  (void)!write(STDERR_FILENO, &newline, 1);
  signal(sig, SIG_DFL);
  raise(sig);
}

// Turns terminal echo off for its lifetime.
class EchoOff {
 public:
  EchoOff() {
    if (tcgetattr(STDIN_FILENO, &g_saved_termios) != 0) return;
    struct sigaction sa {};
    sa.sa_handler = restore_echo_and_die;
    sigemptyset(&sa.sa_mask);
    for (std::size_t i = 0; i < std::size(kRestoreSignals); ++i) {
      sigaction(kRestoreSignals[i], &sa, &previous_[i]);
    }
    termios quiet = g_saved_termios;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    g_echo_is_off = 1;
    active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
    g_echo_is_off = 0;
    for (std::size_t i = 0; i < std::size(kRestoreSignals); ++i) {
      sigaction(kRestoreSignals[i], &previous_[i], nullptr);
    }
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  struct sigaction previous_[std::size(kRestoreSignals)]{};
  bool active_ = false;
};

// Byte by byte from fd 0, so nothing past the newline is consumed.
Result<std::string> read_line_fd0() {
  std::string line;
  for (;;) {
    char c = 0;
    const ssize_t n = read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("io", "cannot read stdin");
    if (n == 0) {
      if (line.empty()) return fail("no_password", "no password given (end of input)");
      break;
    }
    if (c == '\n') break;
    if (line.size() >= kMaxLine) return fail("bad_password", "password line too long");
    line.push_back(c);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

Result<std::string> read_hidden_line(const char* prompt) {
  Result<std::string> line = fail("io", "unreachable");
  {
    EchoOff quiet;  // before the prompt: nothing typed after the prompt is ever echoed
    std::fputs(prompt, stderr);
    std::fflush(stderr);
    line = read_line_fd0();
  }
  std::fputc('\n', stderr);  // the user's Enter was not echoed
  return line;
}

Result<std::string> read_stdin_line() { return read_line_fd0(); }

Result<std::string> read_new_password(bool from_stdin) {
  Result<std::string> password = fail("io", "unreachable");
  if (from_stdin) {
    password = read_stdin_line();
  } else if (!isatty(STDIN_FILENO)) {
    return fail("usage",
                "stdin is not a terminal: pass --password-stdin to read the password "
                "from stdin");
  } else {
    password = read_hidden_line("Password: ");
    if (!password) return password;
    auto again = read_hidden_line("Repeat password: ");
    if (!again) return again;
    if (*again != *password) return fail("bad_password", "passwords do not match");
  }
  if (password && password->empty()) return fail("bad_password", "empty password");
  return password;
}

}  // namespace qc::app
