// NATS's client protocol as the peer bench reads it: control lines ending in "\r\n" (INFO, MSG,
// PING, PONG, +OK, -ERR), a MSG line followed by its payload and "\r\n". Views point into the
// reader's buffer and stay valid until the next feed().
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace qc::peers {

enum class NatsKind { Info, Msg, Ping, Pong, Ok, Err };

struct NatsFrame {
  NatsKind kind = NatsKind::Ping;
  std::string_view subject;  // MSG
  std::string_view sid;      // MSG
  std::string_view payload;  // MSG: the payload; INFO and -ERR: the rest of the line
};

class NatsFrameReader {
 public:
  explicit NatsFrameReader(std::size_t max_control = 4096, std::size_t max_payload = 1 << 20)
      : max_control_(max_control), max_payload_(max_payload) {}

  void feed(std::string_view bytes);
  // The next whole frame; nullopt when more bytes are needed or the stream is broken (failed()).
  std::optional<NatsFrame> next();
  // Why the stream cannot be read further (an unknown operation, a bad MSG line, a frame over
  // the limits); empty while it can.
  const std::string& failed() const { return error_; }
  std::size_t buffered_bytes() const { return buffer_.size() - read_; }

 private:
  std::optional<NatsFrame> control(std::string_view line, std::size_t line_end);
  std::optional<NatsFrame> message(std::string_view args, std::size_t line_end);
  std::optional<NatsFrame> broken(std::string why);

  std::size_t max_control_;
  std::size_t max_payload_;
  std::string buffer_;
  std::size_t read_ = 0;
  std::string error_;
};

}  // namespace qc::peers
