#include "bench/peers/irc_lines.h"

namespace qc::peers {

namespace {

std::string_view skip_spaces(std::string_view s) {
  const auto first = s.find_first_not_of(' ');
  return first == std::string_view::npos ? std::string_view{} : s.substr(first);
}

// Splits off the word before the next space.
std::string_view take_word(std::string_view& s) {
  const auto space = s.find(' ');
  const std::string_view word = s.substr(0, space);
  s = space == std::string_view::npos ? std::string_view{} : skip_spaces(s.substr(space));
  return word;
}

}  // namespace

std::optional<IrcLine> parse_irc_line(std::string_view line) {
  IrcLine out;
  std::string_view rest = skip_spaces(line);
  if (!rest.empty() && rest.front() == ':') {
    rest.remove_prefix(1);
    out.prefix = take_word(rest);
  }
  out.command = take_word(rest);
  if (out.command.empty()) return std::nullopt;
  if (rest.empty()) return out;
  const auto trailing_at = rest.front() == ':' ? 0 : rest.find(" :");
  if (trailing_at == std::string_view::npos) {
    out.middle = rest;
    return out;
  }
  out.middle = rest.substr(0, trailing_at);
  out.trailing = rest.substr(trailing_at + (trailing_at == 0 ? 1 : 2));
  out.has_trailing = true;
  return out;
}

void IrcLineReader::feed(std::string_view bytes) {
  if (read_ > 0) {
    buffer_.erase(0, read_);
    read_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<std::string_view> IrcLineReader::next_line() {
  if (overflowed_) return std::nullopt;
  const std::string_view pending = std::string_view(buffer_).substr(read_);
  const auto newline = pending.find('\n');
  if (newline == std::string_view::npos) {
    overflowed_ = pending.size() > max_line_;
    return std::nullopt;
  }
  if (newline > max_line_) {
    overflowed_ = true;
    return std::nullopt;
  }
  std::string_view line = pending.substr(0, newline);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  read_ += newline + 1;
  return line;
}

}  // namespace qc::peers
