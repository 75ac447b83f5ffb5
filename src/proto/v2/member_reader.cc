#include "proto/v2/member_reader.h"

#include <limits>
#include <type_traits>
#include <unordered_set>

#include "proto/v2/codec.h"

namespace qc::proto::v2::detail {
namespace {

using proto::detail::JsonValue;
using Kind = JsonValue::Kind;

std::string kind_of(const JsonValue& value) {
  if (value.kind == Kind::Number && !value.integral) return "a number with a fraction or exponent";
  return std::string(proto::detail::json_kind_name(value.kind));
}

}  // namespace

std::string MemberReader::name(std::string_view key) const {
  return "member '" + prefix_ + std::string(key) + "'";
}

void MemberReader::fail(DecodeErrc code, std::string detail) {
  if (!error_) error_ = DecodeError{code, std::move(detail)};
}

JsonValue* MemberReader::find(std::string_view key, Need need) {
  if (error_) return nullptr;
  JsonValue* value = object_.find(key);
  if (value == nullptr && need == Need::Required)
    fail(DecodeErrc::MissingField, "missing " + name(key));
  return value;
}

void MemberReader::string(std::string_view key, std::string& out, Need need) {
  JsonValue* value = find(key, need);
  if (value == nullptr) return;
  if (value->kind != Kind::String)
    return fail(DecodeErrc::WrongType, name(key) + " must be a string, got " + kind_of(*value));
  out = std::move(value->text);
}

void MemberReader::strings(std::string_view key, std::vector<std::string>& out, Need need) {
  JsonValue* value = find(key, need);
  if (value == nullptr) return;
  if (value->kind != Kind::Array)
    return fail(DecodeErrc::WrongType,
                name(key) + " must be an array of strings, got " + kind_of(*value));
  out.clear();
  out.reserve(value->items.size());
  for (std::size_t i = 0; i < value->items.size(); ++i) {
    JsonValue& item = value->items[i];
    if (item.kind != Kind::String) {
      return fail(DecodeErrc::WrongType, name(key) + " must be an array of strings, element " +
                                             std::to_string(i) + " is " + kind_of(item));
    }
    out.push_back(std::move(item.text));
  }
}

template <class Int>
void MemberReader::number(std::string_view key, Int& out, Need need) {
  JsonValue* value = find(key, need);
  if (value == nullptr) return;
  if (value->kind != Kind::Number || !value->integral)
    return fail(DecodeErrc::WrongType, name(key) + " must be an integer, got " + kind_of(*value));
  constexpr bool kSigned = std::is_signed_v<Int>;
  std::optional<Int> parsed;
  if constexpr (kSigned) {
    parsed = proto::detail::json_to_int64(*value);
  } else {
    parsed = proto::detail::json_to_uint64(*value);
  }
  if (!parsed) {
    const char* range = kSigned ? " must be an integer from -2^63 to 2^63-1, got "
                                : " must be an integer from 0 to 2^64-1, got ";
    return fail(DecodeErrc::WrongType, name(key) + range + value->text);
  }
  out = *parsed;
}

void MemberReader::unsigned_integer(std::string_view key, std::uint64_t& out, Need need) {
  number(key, out, need);
}

void MemberReader::unsigned_integer(std::string_view key, std::optional<std::uint64_t>& out) {
  if (error_ || object_.find(key) == nullptr) return;
  std::uint64_t value = 0;
  number(key, value, Need::Required);
  if (!error_) out = value;
}

void MemberReader::unsigned_integer(std::string_view key, std::uint32_t& out, Need need) {
  JsonValue* value = find(key, need);
  if (value == nullptr) return;
  std::uint64_t wide = 0;
  number(key, wide, need);
  if (error_) return;
  if (wide > std::numeric_limits<std::uint32_t>::max())
    return fail(DecodeErrc::WrongType,
                name(key) + " must be an integer from 0 to 2^32-1, got " + value->text);
  out = static_cast<std::uint32_t>(wide);
}

void MemberReader::conv_ids(std::string_view key, std::vector<Since>& out, Need need) {
  JsonValue* value = find(key, need);
  if (value == nullptr) return;
  if (value->kind != Kind::Object)
    return fail(DecodeErrc::WrongType,
                name(key) + " must be an object of integers, got " + kind_of(*value));
  out.clear();
  MemberReader nested(*value, prefix_ + std::string(key) + ".");
  std::unordered_set<std::string_view> seen;
  for (const proto::detail::JsonMember& member : value->members) {
    if (!seen.insert(member.key).second) continue;
    Since since{member.key, 0};
    nested.unsigned_integer(member.key, since.id, Need::Required);
    if (nested.failed()) {
      error_ = nested.error();
      return;
    }
    out.push_back(std::move(since));
  }
}

void MemberReader::integer(std::string_view key, std::int64_t& out, Need need) {
  number(key, out, need);
}

void MemberReader::flag(std::string_view key, bool& out) {
  JsonValue* value = find(key, Need::Optional);
  if (value == nullptr) return;
  if (value->kind != Kind::Bool)
    return fail(DecodeErrc::WrongType,
                name(key) + " must be true or false, got " + kind_of(*value));
  out = value->boolean;
}

void MemberReader::rid(RequestId& out, Need need) {
  JsonValue* value = find("rid", need);
  if (value == nullptr) return;
  const auto parsed = proto::detail::json_to_uint64(*value);
  if (!parsed || *parsed > kMaxRequestId) {
    const std::string got = value->kind == Kind::Number ? value->text : kind_of(*value);
    return fail(DecodeErrc::WrongType,
                name("rid") + " must be an integer from 0 to 2^53-1, got " + got);
  }
  out = *parsed;
}

void MemberReader::rid(std::optional<RequestId>& out) {
  if (error_ || object_.find("rid") == nullptr) return;
  RequestId value = 0;
  rid(value, Need::Required);
  if (!error_) out = value;
}

}  // namespace qc::proto::v2::detail
