// Typed reads of the members of one parsed JSON object into a v2 frame's fields. The first
// problem is kept (a DecodeError whose detail names the member) and later reads do nothing, so a
// frame's decoder is a plain list of reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/json_reader.h"
#include "proto/v2/frames.h"

namespace qc::proto::v2::detail {

enum class Need { Required, Optional };  // an optional member that is absent keeps its default

class MemberReader {
 public:
  // `prefix` names a nested object in errors: "sent[1]." gives "member 'sent[1].conv'".
  explicit MemberReader(proto::detail::JsonValue& object, std::string prefix = {})
      : object_(object), prefix_(std::move(prefix)) {}

  void string(std::string_view key, std::string& out, Need need);
  void strings(std::string_view key, std::vector<std::string>& out, Need need);
  void unsigned_integer(std::string_view key, std::uint64_t& out, Need need);
  void unsigned_integer(std::string_view key, std::optional<std::uint64_t>& out);  // optional
  void unsigned_integer(std::string_view key, std::uint32_t& out, Need need);      // 0..2^32-1
  void integer(std::string_view key, std::int64_t& out, Need need);
  // An object of conversation -> unsigned integer ({"#team":40}), in the order written; a name
  // given twice keeps its first place and its last value (as the object lookups do).
  void conv_ids(std::string_view key, std::vector<Since>& out, Need need);
  void flag(std::string_view key, bool& out);  // optional true/false
  void rid(RequestId& out, Need need);         // 0..2^53-1; absent = 0
  void rid(std::optional<RequestId>& out);     // optional
  // An array of objects, each read by read(MemberReader&, Item&).
  template <class Item, class Read>
  void objects(std::string_view key, std::vector<Item>& out, Need need, Read read);

  bool failed() const { return error_.has_value(); }
  const DecodeError& error() const { return *error_; }

 private:
  proto::detail::JsonValue* find(std::string_view key, Need need);
  template <class Int>
  void number(std::string_view key, Int& out, Need need);
  void fail(DecodeErrc code, std::string detail);
  std::string name(std::string_view key) const;

  proto::detail::JsonValue& object_;
  std::string prefix_;
  std::optional<DecodeError> error_;
};

template <class Item, class Read>
void MemberReader::objects(std::string_view key, std::vector<Item>& out, Need need, Read read) {
  using Kind = proto::detail::JsonValue::Kind;
  proto::detail::JsonValue* array = find(key, need);
  if (array == nullptr) return;
  if (array->kind != Kind::Array)
    return fail(DecodeErrc::WrongType, name(key) + " must be an array of objects");
  out.resize(array->items.size());
  for (std::size_t i = 0; i < array->items.size(); ++i) {
    proto::detail::JsonValue& item = array->items[i];
    if (item.kind != Kind::Object)
      return fail(DecodeErrc::WrongType, name(key) + " must be an array of objects");
    MemberReader nested(item, prefix_ + std::string(key) + "[" + std::to_string(i) + "].");
    read(nested, out[i]);
    if (nested.failed()) {
      error_ = nested.error();
      return;
    }
  }
}

}  // namespace qc::proto::v2::detail
