// UTF-8 scanning shared by the JSON reader and writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace qc::proto::detail {

struct Utf8Char {
  char32_t code_point = 0;
  std::size_t length = 1;  // bytes consumed (1 for an invalid byte)
  bool valid = false;
};

// Decodes the code point starting at text[pos] (pos < text.size()). Rejects overlong forms,
// encoded surrogates (U+D800..U+DFFF), code points above U+10FFFF and truncated sequences.
Utf8Char decode_utf8_at(std::string_view text, std::size_t pos);

// Appends the UTF-8 encoding of a valid code point.
void append_utf8(std::string& out, char32_t code_point);

}  // namespace qc::proto::detail
