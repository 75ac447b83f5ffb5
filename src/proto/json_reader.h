// A small strict JSON reader (RFC 8259) built for untrusted input: a size limit checked before
// parsing, a depth limit, UTF-8 validation of string bytes, no lone surrogate escapes, and a
// typed error naming the problem. Produces a tiny DOM; objects keep every member in order and
// lookups take the last duplicate (as Python's json.loads does).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/codec.h"

namespace qc::proto::detail {

struct JsonMember;

struct JsonValue {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  bool integral = false;  // Number without fraction or exponent
  std::string text;       // String: decoded UTF-8; Number: the literal as written
  std::vector<JsonValue> items;
  std::vector<JsonMember> members;

  const JsonValue* find(std::string_view key) const;  // last duplicate wins
  JsonValue* find(std::string_view key);
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

std::string_view json_kind_name(JsonValue::Kind kind);  // "a string", "an object", ...

// Parses exactly one JSON value filling all of `text` (whitespace around it allowed).
Decoded<JsonValue> parse_json(std::string_view text, const DecodeLimits& limits);

// Integer conversion of a Number literal: nullopt for fractions, exponents or out of range.
std::optional<std::int64_t> json_to_int64(const JsonValue& v);
std::optional<std::uint64_t> json_to_uint64(const JsonValue& v);

}  // namespace qc::proto::detail
