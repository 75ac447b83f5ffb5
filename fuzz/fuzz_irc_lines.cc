// libFuzzer: the peer bench's IRC line reader and line parser. The first two bytes choose a
// split point for the rest; the lines must not depend on the split, no line is longer than the
// limit or holds a line end, and a parsed line's parts lie inside it.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bench/peers/irc_lines.h"
#include "chunkings.h"

namespace {

constexpr std::size_t kMaxLine = 512;

void check(bool ok) {
  if (!ok) std::abort();
}

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

std::vector<std::string> run(const std::vector<std::string_view>& chunks) {
  qc::peers::IrcLineReader reader(kMaxLine);
  std::vector<std::string> events;
  for (std::string_view chunk : chunks) {
    reader.feed(chunk);
    while (auto line = reader.next_line()) {
      check(line->size() <= kMaxLine && line->find('\n') == std::string_view::npos);
      events.emplace_back(*line);
      if (auto parsed = qc::peers::parse_irc_line(*line)) {
        check(!parsed->command.empty() && inside(parsed->command, *line));
        check(inside(parsed->prefix, *line) && inside(parsed->middle, *line) &&
              inside(parsed->trailing, *line));
        events.back() += "|" + std::string(parsed->command) + "|" + std::string(parsed->trailing);
      }
    }
    if (reader.overflowed()) {
      events.emplace_back("overflow");
      break;
    }
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  qc::fuzz::check_chunkings(data, size, run);
  return 0;
}
