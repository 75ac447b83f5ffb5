// Reading a password without it ever touching argv: a no-echo terminal prompt, or one line
// of stdin for scripts.
#pragma once

#include <string>

#include "util/result.h"

namespace qc::app {

// Prints `prompt` to stderr and reads one line from the terminal on stdin with echo off.
// Echo comes back on every path out, including SIGINT, SIGTERM, SIGHUP and SIGQUIT.
Result<std::string> read_hidden_line(const char* prompt);

// Reads one line from stdin, without its "\n" or "\r\n". Fails on an immediate end of input.
Result<std::string> read_stdin_line();

// A new password: one line of stdin when `from_stdin`, otherwise asked twice on the terminal
// ("Password: ", "Repeat password: "). Refuses an empty password and a non-terminal stdin
// without `from_stdin`.
Result<std::string> read_new_password(bool from_stdin);

}  // namespace qc::app
