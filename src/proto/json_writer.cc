#include "proto/json_writer.h"

#include <charconv>

#include "proto/codec.h"
#include "proto/utf8.h"

namespace qc::proto {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_u_escape(std::string& out, unsigned value) {
  const char esc[6] = {'\\',
                       'u',
                       kHex[(value >> 12) & 0xF],
                       kHex[(value >> 8) & 0xF],
                       kHex[(value >> 4) & 0xF],
                       kHex[value & 0xF]};
  out.append(esc, sizeof esc);
}

// Python escapes everything outside printable ASCII (0x20..0x7e), DEL included.
bool needs_escape(unsigned char c) { return c < 0x20 || c >= 0x7f || c == '"' || c == '\\'; }

void append_escaped_char(std::string& out, std::string_view text, std::size_t& pos) {
  const auto c = static_cast<unsigned char>(text[pos]);
  if (c < 0x80) {
    if (char s = detail::json_short_escape(c)) {
      out += '\\';
      out += s;
    } else {
      append_u_escape(out, c);
    }
    ++pos;
    return;
  }
  const detail::Utf8Char ch = detail::decode_utf8_at(text, pos);
  pos += ch.length;
  // Invalid bytes cannot come from a decoded PDU; write U+FFFD so the output stays valid.
  const char32_t cp = ch.valid ? ch.code_point : 0xFFFD;
  if (cp < 0x10000) {
    append_u_escape(out, cp);
    return;
  }
  const char32_t v = cp - 0x10000;
  append_u_escape(out, 0xD800 + (v >> 10));
  append_u_escape(out, 0xDC00 + (v & 0x3FF));
}

}  // namespace

void append_json_string(std::string& out, std::string_view utf8) {
  out += '"';
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    std::size_t run = pos;
    while (run < utf8.size() && !needs_escape(static_cast<unsigned char>(utf8[run]))) ++run;
    out.append(utf8, pos, run - pos);
    pos = run;
    if (pos < utf8.size()) append_escaped_char(out, utf8, pos);
  }
  out += '"';
}

std::size_t char_count(std::string_view utf8) {
  std::size_t count = 0;
  for (std::size_t pos = 0; pos < utf8.size(); ++count) {
    const auto c = static_cast<unsigned char>(utf8[pos]);
    pos += c < 0x80 ? 1 : detail::decode_utf8_at(utf8, pos).length;
  }
  return count;
}

namespace detail {

char json_short_escape(unsigned char c) {
  switch (c) {
    case '"':
      return '"';
    case '\\':
      return '\\';
    case '\n':
      return 'n';
    case '\r':
      return 'r';
    case '\t':
      return 't';
    case '\b':
      return 'b';
    case '\f':
      return 'f';
    default:
      return 0;
  }
}

void append_int(std::string& out, std::int64_t value) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}

void append_uint(std::string& out, std::uint64_t value) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}

void ObjectWriter::key(std::string_view name) {
  if (!first_) out_ += ", ";
  first_ = false;
  append_json_string(out_, name);
  out_ += ": ";
}

ObjectWriter& ObjectWriter::string(std::string_view name, std::string_view value) {
  key(name);
  append_json_string(out_, value);
  return *this;
}

ObjectWriter& ObjectWriter::integer(std::string_view name, std::int64_t value) {
  key(name);
  append_int(out_, value);
  return *this;
}

ObjectWriter& ObjectWriter::unsigned_integer(std::string_view name, std::uint64_t value) {
  key(name);
  append_uint(out_, value);
  return *this;
}

ObjectWriter& ObjectWriter::raw(std::string_view name, std::string_view json) {
  key(name);
  out_ += json;
  return *this;
}

}  // namespace detail
}  // namespace qc::proto
