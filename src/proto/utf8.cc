#include "proto/utf8.h"

#include <string>

namespace qc::proto::detail {
namespace {

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

struct LeadInfo {
  std::size_t length;
  char32_t initial_bits;
  char32_t min_code_point;  // below this the sequence is overlong
};

// Returns length 0 for a byte that cannot start a multi-byte sequence.
LeadInfo lead_info(unsigned char b) {
  if ((b & 0xE0) == 0xC0) return {2, b & 0x1Fu, 0x80};
  if ((b & 0xF0) == 0xE0) return {3, b & 0x0Fu, 0x800};
  if ((b & 0xF8) == 0xF0) return {4, b & 0x07u, 0x10000};
  return {0, 0, 0};
}

}  // namespace

Utf8Char decode_utf8_at(std::string_view text, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) return {lead, 1, true};
  const LeadInfo info = lead_info(lead);
  if (info.length == 0 || pos + info.length > text.size()) return {};
  char32_t cp = info.initial_bits;
  for (std::size_t i = 1; i < info.length; ++i) {
    const auto b = static_cast<unsigned char>(text[pos + i]);
    if (!is_continuation(b)) return {};
    cp = (cp << 6) | (b & 0x3Fu);
  }
  const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
  if (cp < info.min_code_point || cp > 0x10FFFF || surrogate) return {};
  return {cp, info.length, true};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace qc::proto::detail
