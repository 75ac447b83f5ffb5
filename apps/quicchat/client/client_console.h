// Where the terminal client reads lines and writes output. Two implementations: readline on
// a terminal (prompts, hidden password input, history, output that never garbles the line
// being typed) and plain lines on a pipe or file (scripted use). Both read through the event
// loop, so the network is never blocked by input, and both hand out exactly one line per
// request_line(): the client decides when it is ready for the next one.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "io/event_loop.h"
#include "util/result.h"

namespace qc::app {

class Console {
 public:
  using LineFn = std::function<void(std::optional<std::string>)>;  // nullopt = end of input

  virtual ~Console() = default;
  virtual void set_line_handler(LineFn on_line) = 0;
  // Asks for one line; the handler is called once with it (later, from the loop).
  virtual void request_line(std::string_view prompt, bool hidden) = 0;
  // The same for a command line (the terminal keeps it in its history); the prompt names the
  // current conversation, if any.
  virtual void request_command_line(std::string_view prompt) { request_line(prompt, false); }
  virtual void print(std::string_view line) = 0;
  // The reason the client gives up (stderr when scripted, the screen when interactive).
  virtual void print_fatal(std::string_view line) = 0;
  virtual bool interactive() const = 0;
  virtual void resized() {}  // SIGWINCH
};

std::unique_ptr<Console> make_terminal_console(io::EventLoop& loop);  // readline on fd 0
std::unique_ptr<Console> make_script_console(io::EventLoop& loop);    // lines from fd 0

}  // namespace qc::app
