// libFuzzer: a client session that offered v2 and holds its login, fed hostile server bytes (a
// VERSIONS reply, then v1 PDUs or v2 frames). The first two bytes choose a split point; the
// events (as --json lines) must not depend on the chunking, so the switch from v1 to v2 framing
// mid-chunk is exact. Every event also goes through the v1 and v2 display and the JSON lines:
// display lines never carry a control character, JSON lines never a raw newline.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "chunkings.h"
#include "client/format.h"
#include "client/format_v2.h"
#include "client/json_events.h"
#include "client/session.h"

namespace {

using namespace qc::client;

constexpr std::int64_t kNow = 1764650000000;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_display(const std::string& line) {
  for (unsigned char c : line) check(c >= 0x20 && c != 0x7f);
}

std::string run(const std::vector<std::string_view>& chunks) {
  ClientSession s(SessionConfig{1 << 16, 2, "t", 1});
  s.on_open("quicchat", "127.0.0.1:4433");
  (void)s.start();
  (void)s.login("alice", "p1", "dev");
  s.take_events();  // Connected: the same for every chunking
  std::string out;
  for (std::string_view chunk : chunks) {
    s.on_bytes(chunk);
    check(s.version() == 1 || s.version() == 2);
    for (const Event& e : s.take_events()) {
      for (const auto& line : event_json(e, kNow)) {
        check(line.find('\n') == std::string::npos);
        out += line + "\n";
      }
      for (const auto& line : format_v2_lines(e, kNow)) check_display(line);
      if (auto line = format_event(e)) check_display(*line);
    }
  }
  out += "version " + std::to_string(s.version()) + (s.logged_in() ? " logged in" : "");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  qc::fuzz::check_chunkings(data, size, run);
  return 0;
}
