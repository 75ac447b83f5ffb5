// IRC's wire format as the peer bench reads it: lines ending in "\n" (a "\r" before it is
// dropped), each ":prefix COMMAND params :trailing". Views point into the reader's buffer and
// stay valid until the next feed().
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace qc::peers {

struct IrcLine {
  std::string_view prefix;   // without the ':'; empty when absent
  std::string_view command;  // e.g. "PRIVMSG", "001"
  std::string_view middle;   // the parameters before the trailing one, as sent
  std::string_view trailing;
  bool has_trailing = false;
};

// One line without its line ending; nullopt when there is no command.
std::optional<IrcLine> parse_irc_line(std::string_view line);

class IrcLineReader {
 public:
  explicit IrcLineReader(std::size_t max_line = 8192) : max_line_(max_line) {}

  void feed(std::string_view bytes);
  // The next whole line, without its line ending; nullopt when more bytes are needed.
  std::optional<std::string_view> next_line();
  // True once a line outgrew max_line: the stream cannot be read further.
  bool overflowed() const { return overflowed_; }
  std::size_t buffered_bytes() const { return buffer_.size() - read_; }

 private:
  std::size_t max_line_;
  std::string buffer_;
  std::size_t read_ = 0;
  bool overflowed_ = false;
};

}  // namespace qc::peers
