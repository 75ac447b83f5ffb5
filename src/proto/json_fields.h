// Typed access to the members of a parsed JSON object, with DecodeErrors naming the field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/json_reader.h"

namespace qc::proto::detail {

Unexpected<DecodeError> decode_error(DecodeErrc code, std::string detail);

// Parses `text` and requires an object at the top; `what` names it in errors ("PDU", "msg").
Decoded<JsonValue> parse_object(std::string_view text, const DecodeLimits& limits,
                                std::string_view what);

Decoded<const JsonValue*> field(const JsonValue& object, std::string_view key);
// The string member "t" that names an object's type (v2 frames, the cluster's bus events).
Decoded<std::string> type_member(const JsonValue& object);
Decoded<std::string> string_field(const JsonValue& object, std::string_view key);
Decoded<std::int64_t> int_field(const JsonValue& object, std::string_view key);
Decoded<std::uint64_t> uint_field(const JsonValue& object, std::string_view key);

// The same checks for a value that is not an object member (e.g. an array element).
Decoded<std::int64_t> as_int(const JsonValue& value, std::string_view name);
Decoded<std::uint64_t> as_uint(const JsonValue& value, std::string_view name);

}  // namespace qc::proto::detail
