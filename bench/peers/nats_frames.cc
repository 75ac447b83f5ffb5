#include "bench/peers/nats_frames.h"

#include <charconv>
#include <vector>

namespace qc::peers {

namespace {

constexpr std::string_view kEol = "\r\n";

// The operation's name is case-insensitive on the wire.
bool is_op(std::string_view word, std::string_view op) {
  if (word.size() != op.size()) return false;
  for (std::size_t i = 0; i < op.size(); ++i) {
    char c = word[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != op[i]) return false;
  }
  return true;
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t at = 0;
  while (at < s.size()) {
    const auto start = s.find_first_not_of(" \t", at);
    if (start == std::string_view::npos) break;
    const auto end = std::min(s.find_first_of(" \t", start), s.size());
    words.push_back(s.substr(start, end - start));
    at = end;
  }
  return words;
}

}  // namespace

void NatsFrameReader::feed(std::string_view bytes) {
  if (read_ > 0) {
    buffer_.erase(0, read_);
    read_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<NatsFrame> NatsFrameReader::broken(std::string why) {
  error_ = std::move(why);
  return std::nullopt;
}

std::optional<NatsFrame> NatsFrameReader::next() {
  if (!error_.empty()) return std::nullopt;
  const std::string_view pending = std::string_view(buffer_).substr(read_);
  const auto eol = pending.find(kEol);
  if (eol == std::string_view::npos) {
    // One byte of slack: a "\r" may be waiting for its "\n".
    if (pending.size() > max_control_ + 1) return broken("control line over the limit");
    return std::nullopt;
  }
  if (eol > max_control_) return broken("control line over the limit");
  return control(pending.substr(0, eol), eol + kEol.size());
}

std::optional<NatsFrame> NatsFrameReader::control(std::string_view line, std::size_t line_end) {
  const auto space = line.find_first_of(" \t");
  const std::string_view op = line.substr(0, space);
  const std::string_view rest =
      space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
  if (is_op(op, "MSG")) return message(rest, line_end);
  NatsFrame frame;
  if (is_op(op, "PING")) {
    frame.kind = NatsKind::Ping;
  } else if (is_op(op, "PONG")) {
    frame.kind = NatsKind::Pong;
  } else if (is_op(op, "+OK")) {
    frame.kind = NatsKind::Ok;
  } else if (is_op(op, "INFO")) {
    frame.kind = NatsKind::Info;
    frame.payload = rest;
  } else if (is_op(op, "-ERR")) {
    frame.kind = NatsKind::Err;
    frame.payload = rest;
  } else {
    return broken("unknown operation '" + std::string(op.substr(0, 32)) + "'");
  }
  read_ += line_end;
  return frame;
}

// "MSG <subject> <sid> [reply-to] <#bytes>", then the payload and "\r\n".
std::optional<NatsFrame> NatsFrameReader::message(std::string_view args, std::size_t line_end) {
  const auto words = split_words(args);
  if (words.size() < 3 || words.size() > 4) return broken("MSG wants 3 or 4 arguments");
  std::size_t size = 0;
  const std::string_view count = words.back();
  const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), size);
  if (ec != std::errc{} || end != count.data() + count.size()) return broken("MSG: bad size");
  if (size > max_payload_) return broken("MSG: payload over the limit");
  const std::string_view pending = std::string_view(buffer_).substr(read_);
  if (pending.size() < line_end + size + kEol.size()) return std::nullopt;
  if (pending.substr(line_end + size, kEol.size()) != kEol)
    return broken("MSG: payload not ended by CRLF");
  NatsFrame frame;
  frame.kind = NatsKind::Msg;
  frame.subject = words[0];
  frame.sid = words[1];
  frame.payload = pending.substr(line_end, size);
  read_ += line_end + size + kEol.size();
  return frame;
}

}  // namespace qc::peers
