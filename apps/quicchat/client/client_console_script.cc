// Console for scripted use: one line per request from a pipe or file on stdin, output lines
// on stdout (flushed each time, so a driving process sees them at once), fatal lines on stderr.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <deque>

#include "quicchat/client/client_console.h"

namespace qc::app {
namespace {

class ScriptConsole final : public Console {
 public:
  explicit ScriptConsole(io::EventLoop& loop) : loop_(loop) {}
  ~ScriptConsole() override { stop_watching(); }

  void set_line_handler(LineFn on_line) override { on_line_ = std::move(on_line); }

  void request_line(std::string_view, bool) override {
    requested_ = true;
    if (!lines_.empty() || eof_) {
      schedule_delivery();
    } else if (!start_watching()) {
      read_blocking();  // regular files and /dev/null cannot be polled; they never block
      schedule_delivery();
    }
  }

  void print(std::string_view line) override { write_line(stdout, line); }
  void print_fatal(std::string_view line) override { write_line(stderr, line); }
  bool interactive() const override { return false; }

 private:
  static void write_line(FILE* f, std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), f);
    std::fputc('\n', f);
    std::fflush(f);
  }

  bool start_watching() {
    if (watching_) return true;
    watching_ = loop_.watch_readable(0, [this] { on_readable(); }).ok();
    return watching_;
  }
  void stop_watching() {
    if (watching_) loop_.unwatch(0);
    watching_ = false;
  }

  // Reads what is there; returns false at end of input or on error.
  bool read_chunk() {
    char buf[16 * 1024];
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
      eof_ = true;
      if (!partial_.empty()) lines_.push_back(std::exchange(partial_, {}));
      return false;
    }
    partial_.append(buf, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = partial_.find('\n')) != std::string::npos;) {
      std::string line = partial_.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines_.push_back(std::move(line));
      partial_.erase(0, nl + 1);
    }
    return true;
  }

  void read_blocking() {
    while (lines_.empty() && !eof_) read_chunk();
  }

  void on_readable() {
    read_chunk();
    // Stop polling while lines wait (the fd stays readable: level-triggered) or at the end.
    if (!lines_.empty() || eof_) stop_watching();
    if (requested_ && (!lines_.empty() || eof_)) schedule_delivery();
  }

  // Delivered from a timer, not from inside request_line, so network events interleave
  // between lines and a handler that requests again does not recurse.
  void schedule_delivery() {
    if (delivery_scheduled_) return;
    delivery_scheduled_ = true;
    loop_.add_timer(loop_.now(), [this] { deliver(); });
  }

  void deliver() {
    delivery_scheduled_ = false;
    if (!requested_) return;
    requested_ = false;
    std::optional<std::string> line;
    if (!lines_.empty()) {
      line = std::move(lines_.front());
      lines_.pop_front();
    }
    if (on_line_) on_line_(std::move(line));
  }

  io::EventLoop& loop_;
  LineFn on_line_;
  std::deque<std::string> lines_;
  std::string partial_;
  bool eof_ = false;
  bool requested_ = false;
  bool watching_ = false;
  bool delivery_scheduled_ = false;
};

}  // namespace

std::unique_ptr<Console> make_script_console(io::EventLoop& loop) {
  return std::make_unique<ScriptConsole>(loop);
}

}  // namespace qc::app
