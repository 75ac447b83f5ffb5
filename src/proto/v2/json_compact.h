// Compact JSON output for v2 frames: no spaces, members in the order they are written, strings
// escaping only '"', '\' and control characters (everything else raw UTF-8).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/v2/frames.h"

namespace qc::proto::v2::detail {

// Appends `utf8` as a JSON string literal. Bytes that are not UTF-8 (which a decoded frame never
// holds) are written as U+FFFD so that the output stays valid.
void append_compact_string(std::string& out, std::string_view utf8);

// Writes one JSON object member by member: {"t":"send","rid":2}.
class CompactObject {
 public:
  explicit CompactObject(std::string& out) : out_(out) { out_ += '{'; }
  // Starts a frame body: {"t":"<type>"
  CompactObject(std::string& out, std::string_view type);

  CompactObject& string(std::string_view key, std::string_view value);
  CompactObject& string_if_set(std::string_view key, std::string_view value);  // skips ""
  CompactObject& integer(std::string_view key, std::int64_t value);
  CompactObject& unsigned_integer(std::string_view key, std::uint64_t value);
  CompactObject& true_if_set(std::string_view key, bool value);  // writes only `true`
  CompactObject& strings(std::string_view key, const std::vector<std::string>& values);
  CompactObject& strings_if_set(std::string_view key, const std::vector<std::string>& values);
  CompactObject& one_string_array_if_set(std::string_view key, std::string_view value);  // ["v"]
  // {"#team":40,"d:1:2":17} in the order given (the conversation names are escaped); skips [].
  CompactObject& conv_ids_if_set(std::string_view key, const std::vector<Since>& values);
  CompactObject& unsigned_if_set(std::string_view key, std::uint64_t value);  // skips 0
  // Writes the key, then [write(out, item) for each item, comma separated].
  template <class Item, class Write>
  CompactObject& array(std::string_view key, const std::vector<Item>& items, Write write) {
    this->key(key);
    out_ += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i != 0) out_ += ',';
      write(out_, items[i]);
    }
    out_ += ']';
    return *this;
  }
  void close() { out_ += '}'; }

 private:
  void key(std::string_view name);
  std::string& out_;
  bool first_ = true;
};

}  // namespace qc::proto::v2::detail
