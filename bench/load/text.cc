#include "bench/load/text.h"

#include <charconv>
#include <cstdio>

namespace qc::bench {

std::string make_text(Stamp stamp, std::size_t size) {
  char buf[64];
  const int n =
      std::snprintf(buf, sizeof buf, "q=%llu t=%lld ", static_cast<unsigned long long>(stamp.seq),
                    static_cast<long long>(stamp.sent_ns));
  std::string text(buf, static_cast<std::size_t>(n));
  if (text.size() < size) text.resize(size, '.');
  return text;
}

namespace {
template <class Int>
bool read_field(std::string_view& text, std::string_view prefix, Int& out) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc()) return false;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return true;
}
}  // namespace

std::optional<Stamp> parse_text(std::string_view text) {
  Stamp s;
  if (!read_field(text, "q=", s.seq) || !read_field(text, " t=", s.sent_ns)) return std::nullopt;
  return s;
}

}  // namespace qc::bench
