// libFuzzer: the terminal client's input line parser. Any line yields a command or a non-empty
// error line; message commands carry their text and at least one target.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <variant>

#include "client/command.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

std::optional<std::uint64_t> resolve(std::string_view name) {
  if (name == "alice") return 1;
  if (name == "bob") return 2;
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = qc::client::parse_command(line, resolve);
  if (!parsed) {
    check(!parsed.error().empty());
    return 0;
  }
  if (const auto* many = std::get_if<qc::client::ManyCmd>(&*parsed)) {
    check(!many->targets.empty());
  }
  return 0;
}
