#include "proto/v2/json_compact.h"

#include "proto/json_writer.h"
#include "proto/utf8.h"

namespace qc::proto::v2::detail {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

bool is_plain_ascii(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

void append_escaped_ascii(std::string& out, unsigned char c) {
  out += '\\';
  if (const char s = proto::detail::json_short_escape(c)) {
    out += s;
    return;
  }
  const char esc[5] = {'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
  out.append(esc, sizeof esc);
}

}  // namespace

void append_compact_string(std::string& out, std::string_view utf8) {
  out += '"';
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    std::size_t run = pos;
    while (run < utf8.size() && is_plain_ascii(static_cast<unsigned char>(utf8[run]))) ++run;
    out.append(utf8, pos, run - pos);
    pos = run;
    if (pos == utf8.size()) break;
    const auto c = static_cast<unsigned char>(utf8[pos]);
    if (c < 0x80) {
      append_escaped_ascii(out, c);
      ++pos;
      continue;
    }
    const proto::detail::Utf8Char ch = proto::detail::decode_utf8_at(utf8, pos);
    if (ch.valid) {
      out.append(utf8, pos, ch.length);
    } else {
      out += kReplacementChar;
    }
    pos += ch.length;
  }
  out += '"';
}

CompactObject::CompactObject(std::string& out, std::string_view type) : out_(out) {
  out_ += "{\"t\":";
  append_compact_string(out_, type);
  first_ = false;
}

void CompactObject::key(std::string_view name) {
  if (!first_) out_ += ',';
  first_ = false;
  out_ += '"';
  out_ += name;  // keys are the protocol's own ASCII names
  out_ += "\":";
}

CompactObject& CompactObject::string(std::string_view name, std::string_view value) {
  key(name);
  append_compact_string(out_, value);
  return *this;
}

CompactObject& CompactObject::string_if_set(std::string_view name, std::string_view value) {
  return value.empty() ? *this : string(name, value);
}

CompactObject& CompactObject::integer(std::string_view name, std::int64_t value) {
  key(name);
  proto::detail::append_int(out_, value);
  return *this;
}

CompactObject& CompactObject::unsigned_integer(std::string_view name, std::uint64_t value) {
  key(name);
  proto::detail::append_uint(out_, value);
  return *this;
}

CompactObject& CompactObject::true_if_set(std::string_view name, bool value) {
  if (!value) return *this;
  key(name);
  out_ += "true";
  return *this;
}

CompactObject& CompactObject::strings(std::string_view name,
                                      const std::vector<std::string>& values) {
  return array(name, values, [](std::string& out, const std::string& value) {
    append_compact_string(out, value);
  });
}

CompactObject& CompactObject::strings_if_set(std::string_view name,
                                             const std::vector<std::string>& values) {
  return values.empty() ? *this : strings(name, values);
}

CompactObject& CompactObject::one_string_array_if_set(std::string_view name,
                                                      std::string_view value) {
  if (value.empty()) return *this;
  key(name);
  out_ += '[';
  append_compact_string(out_, value);
  out_ += ']';
  return *this;
}

CompactObject& CompactObject::conv_ids_if_set(std::string_view name,
                                              const std::vector<Since>& values) {
  if (values.empty()) return *this;
  key(name);
  out_ += '{';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out_ += ',';
    append_compact_string(out_, values[i].conv);
    out_ += ':';
    proto::detail::append_uint(out_, values[i].id);
  }
  out_ += '}';
  return *this;
}

CompactObject& CompactObject::unsigned_if_set(std::string_view name, std::uint64_t value) {
  return value == 0 ? *this : unsigned_integer(name, value);
}

}  // namespace qc::proto::v2::detail
