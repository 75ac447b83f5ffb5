// Writes JSON exactly as Python's json.dumps does with default arguments.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace qc::proto::detail {

// The letter of a two-character escape (\n -> 'n', '"' -> '"'), 0 for a byte that has none
// (other control characters are written \u00XX).
char json_short_escape(unsigned char c);

void append_int(std::string& out, std::int64_t value);
void append_uint(std::string& out, std::uint64_t value);

// Appends one JSON object member by member: {"a": 1, "b": "x"}.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ObjectWriter& string(std::string_view key, std::string_view value);
  ObjectWriter& integer(std::string_view key, std::int64_t value);
  ObjectWriter& unsigned_integer(std::string_view key, std::uint64_t value);
  ObjectWriter& raw(std::string_view key, std::string_view json);  // value already JSON text
  void close() { out_ += '}'; }

 private:
  void key(std::string_view name);
  std::string& out_;
  bool first_ = true;
};

}  // namespace qc::proto::detail
