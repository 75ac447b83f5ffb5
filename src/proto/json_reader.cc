#include "proto/json_reader.h"

#include <charconv>

#include "proto/utf8.h"

namespace qc::proto::detail {
namespace {

Unexpected<DecodeError> error(DecodeErrc code, std::string detail) {
  return Unexpected<DecodeError>{DecodeError{code, std::move(detail)}};
}

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Parser {
 public:
  Parser(std::string_view text, int max_depth) : in_(text), max_depth_(max_depth) {}

  Decoded<JsonValue> document() {
    JsonValue root;
    if (auto r = value(root, 0); !r) return Unexpected<DecodeError>{r.error()};
    skip_ws();
    if (pos_ != in_.size())
      return error(DecodeErrc::Syntax, at("trailing bytes after the JSON value"));
    return root;
  }

 private:
  using Status = Result<void, DecodeError>;

  std::string at(std::string_view what) const {
    return std::string(what) + " at offset " + std::to_string(pos_);
  }
  void skip_ws() {
    while (pos_ < in_.size() && is_ws(in_[pos_])) ++pos_;
  }
  bool eof() const { return pos_ >= in_.size(); }
  char peek() const { return in_[pos_]; }

  Status value(JsonValue& out, int depth) {
    skip_ws();
    if (eof()) return error(DecodeErrc::Syntax, at("unexpected end of input"));
    switch (peek()) {
      case '{':
        return container(out, depth, JsonValue::Kind::Object);
      case '[':
        return container(out, depth, JsonValue::Kind::Array);
      case '"':
        out.kind = JsonValue::Kind::String;
        return string(out.text);
      case 't':
        return literal(out, "true", JsonValue::Kind::Bool, true);
      case 'f':
        return literal(out, "false", JsonValue::Kind::Bool, false);
      case 'n':
        return literal(out, "null", JsonValue::Kind::Null, false);
      default:
        break;
    }
    if (peek() == '-' || is_digit(peek())) return number(out);
    return error(DecodeErrc::Syntax, at("unexpected character"));
  }

  Status literal(JsonValue& out, std::string_view word, JsonValue::Kind kind, bool b) {
    if (in_.substr(pos_, word.size()) != word)
      return error(DecodeErrc::Syntax, at("invalid literal"));
    pos_ += word.size();
    out.kind = kind;
    out.boolean = b;
    return {};
  }

  std::size_t digits() {
    const std::size_t start = pos_;
    while (!eof() && is_digit(peek())) ++pos_;
    return pos_ - start;
  }

  Status number(JsonValue& out) {
    const std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (!eof() && peek() == '0') {
      ++pos_;
    } else if (digits() == 0) {
      return error(DecodeErrc::Syntax, at("invalid number"));
    }
    bool integral = true;
    if (!eof() && peek() == '.') {
      ++pos_;
      integral = false;
      if (digits() == 0) return error(DecodeErrc::Syntax, at("invalid number fraction"));
    }
    if (!eof() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      integral = false;
      if (!eof() && (peek() == '+' || peek() == '-')) ++pos_;
      if (digits() == 0) return error(DecodeErrc::Syntax, at("invalid number exponent"));
    }
    out.kind = JsonValue::Kind::Number;
    out.integral = integral;
    out.text.assign(in_, start, pos_ - start);
    return {};
  }

  Status container(JsonValue& out, int depth, JsonValue::Kind kind) {
    if (depth + 1 > max_depth_) {
      return error(DecodeErrc::TooDeep, at("nesting deeper than " + std::to_string(max_depth_)));
    }
    const char close = kind == JsonValue::Kind::Object ? '}' : ']';
    out.kind = kind;
    ++pos_;
    skip_ws();
    if (!eof() && peek() == close) {
      ++pos_;
      return {};
    }
    for (;;) {
      Status s = kind == JsonValue::Kind::Object ? member(out, depth + 1) : element(out, depth + 1);
      if (!s) return s;
      skip_ws();
      if (eof()) return error(DecodeErrc::Syntax, at("unexpected end of input"));
      if (peek() == close) {
        ++pos_;
        return {};
      }
      if (peek() != ',') return error(DecodeErrc::Syntax, at("expected ',' or closing bracket"));
      ++pos_;
    }
  }

  Status element(JsonValue& array, int depth) {
    array.items.emplace_back();
    return value(array.items.back(), depth);
  }

  Status member(JsonValue& object, int depth) {
    skip_ws();
    if (eof() || peek() != '"') return error(DecodeErrc::Syntax, at("expected a string key"));
    JsonMember m;
    if (auto s = string(m.key); !s) return s;
    skip_ws();
    if (eof() || peek() != ':') return error(DecodeErrc::Syntax, at("expected ':'"));
    ++pos_;
    if (auto s = value(m.value, depth); !s) return s;
    object.members.push_back(std::move(m));
    return {};
  }

  // Reads 4 hex digits after "\u".
  Result<char32_t, DecodeError> hex4() {
    if (pos_ + 4 > in_.size()) return error(DecodeErrc::Syntax, at("truncated \\u escape"));
    char32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = hex_value(in_[pos_++]);
      if (h < 0) return error(DecodeErrc::Syntax, at("invalid hex digit in \\u escape"));
      v = (v << 4) | static_cast<char32_t>(h);
    }
    return v;
  }

  Status unicode_escape(std::string& out) {
    auto first = hex4();
    if (!first) return Unexpected<DecodeError>{first.error()};
    char32_t cp = *first;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
      return error(DecodeErrc::InvalidUtf8, at("lone low surrogate escape"));
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (in_.substr(pos_, 2) != "\\u")
        return error(DecodeErrc::InvalidUtf8, at("lone high surrogate escape"));
      pos_ += 2;
      auto second = hex4();
      if (!second) return Unexpected<DecodeError>{second.error()};
      if (*second < 0xDC00 || *second > 0xDFFF) {
        return error(DecodeErrc::InvalidUtf8,
                     at("high surrogate escape not followed by a low one"));
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (*second - 0xDC00);
    }
    append_utf8(out, cp);
    return {};
  }

  Status escape(std::string& out) {
    if (eof()) return error(DecodeErrc::Syntax, at("unterminated string"));
    const char c = in_[pos_++];
    switch (c) {
      case '"':
        out += '"';
        return {};
      case '\\':
        out += '\\';
        return {};
      case '/':
        out += '/';
        return {};
      case 'b':
        out += '\b';
        return {};
      case 'f':
        out += '\f';
        return {};
      case 'n':
        out += '\n';
        return {};
      case 'r':
        out += '\r';
        return {};
      case 't':
        out += '\t';
        return {};
      case 'u':
        return unicode_escape(out);
      default:
        return error(DecodeErrc::Syntax, at("invalid escape"));
    }
  }

  Status string(std::string& out) {
    ++pos_;  // opening quote
    for (;;) {
      const std::size_t run = pos_;
      while (!eof() && static_cast<unsigned char>(peek()) >= 0x20 && peek() != '"' &&
             peek() != '\\' && static_cast<unsigned char>(peek()) < 0x80) {
        ++pos_;
      }
      out.append(in_, run, pos_ - run);
      if (eof()) return error(DecodeErrc::Syntax, at("unterminated string"));
      const auto c = static_cast<unsigned char>(peek());
      if (c == '"') {
        ++pos_;
        return {};
      }
      if (c == '\\') {
        ++pos_;
        if (auto s = escape(out); !s) return s;
      } else if (c < 0x20) {
        return error(DecodeErrc::Syntax, at("unescaped control character in string"));
      } else {
        const Utf8Char ch = decode_utf8_at(in_, pos_);
        if (!ch.valid) return error(DecodeErrc::InvalidUtf8, at("invalid UTF-8 in string"));
        out.append(in_, pos_, ch.length);
        pos_ += ch.length;
      }
    }
  }

  std::string_view in_;
  int max_depth_;
  std::size_t pos_ = 0;
};

template <class Int>
std::optional<Int> to_integer(const JsonValue& v) {
  if (v.kind != JsonValue::Kind::Number || !v.integral) return std::nullopt;
  Int out{};
  const char* end = v.text.data() + v.text.size();
  auto res = std::from_chars(v.text.data(), end, out);
  if (res.ec != std::errc{} || res.ptr != end) return std::nullopt;
  return out;
}

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
  for (auto it = members.rbegin(); it != members.rend(); ++it) {
    if (it->key == key) return &it->value;
  }
  return nullptr;
}

JsonValue* JsonValue::find(std::string_view key) {
  return const_cast<JsonValue*>(static_cast<const JsonValue&>(*this).find(key));
}

std::string_view json_kind_name(JsonValue::Kind kind) {
  switch (kind) {
    case JsonValue::Kind::Null:
      return "null";
    case JsonValue::Kind::Bool:
      return "a boolean";
    case JsonValue::Kind::Number:
      return "a number";
    case JsonValue::Kind::String:
      return "a string";
    case JsonValue::Kind::Array:
      return "an array";
    case JsonValue::Kind::Object:
      return "an object";
  }
  return "unknown";
}

Decoded<JsonValue> parse_json(std::string_view text, const DecodeLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return error(DecodeErrc::TooLarge, "input of " + std::to_string(text.size()) +
                                           " bytes exceeds the limit of " +
                                           std::to_string(limits.max_bytes));
  }
  return Parser(text, limits.max_depth).document();
}

std::optional<std::int64_t> json_to_int64(const JsonValue& v) {
  return to_integer<std::int64_t>(v);
}

std::optional<std::uint64_t> json_to_uint64(const JsonValue& v) {
  // from_chars for unsigned rejects '-', which is what we want ("-0" included).
  return to_integer<std::uint64_t>(v);
}

}  // namespace qc::proto::detail
