// libFuzzer: the terminal client's input line parsers. Any line yields a command or a non-empty
// error line; message commands carry their text and at least one target. A line held across a
// reconnect parses as a fresh one does, except that a refusal repeats the line. The v2 parser
// never yields a command addressed by id, and its names are never empty; room commands name
// valid rooms, also with a current conversation open.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
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

void check_held(std::string_view line, const qc::Result<qc::client::Command, std::string>& fresh) {
  auto held = qc::client::parse_held_command(line, resolve);
  if (!fresh) {
    check(!held && held.error() == fresh.error());
    return;
  }
  if (held) {
    check(held->index() == fresh->index());
    return;
  }
  check(held.error().find(line) != std::string::npos);
}

// Room commands name a valid room; history asks for a sane count.
void check_rooms(const qc::client::Command& command) {
  using namespace qc::client;
  if (const auto* r = std::get_if<RoomSendCmd>(&command)) {
    check(valid_room_name(r->room) && !r->text.empty());
  }
  if (const auto* j = std::get_if<JoinCmd>(&command)) check(valid_room_name(j->room));
  if (const auto* l = std::get_if<LeaveCmd>(&command)) check(valid_room_name(l->room));
  if (const auto* m = std::get_if<MembersCmd>(&command)) check(valid_room_name(m->room));
  if (const auto* r = std::get_if<RemoveCmd>(&command)) {
    check(valid_room_name(r->room) && !r->user.empty());
  }
  if (const auto* h = std::get_if<HistoryCmd>(&command)) check(h->limit <= 100'000);
}

void check_v2(std::string_view line,
              const std::optional<qc::client::Conversation>& current = std::nullopt) {
  auto parsed = qc::client::parse_command_v2(line, current);
  if (!parsed) {
    check(!parsed.error().empty());
    return;
  }
  check(!std::holds_alternative<qc::client::DirectCmd>(*parsed) &&
        !std::holds_alternative<qc::client::ManyCmd>(*parsed));
  if (const auto* named = std::get_if<qc::client::NamesCmd>(&*parsed)) {
    check(!named->names.empty() && !named->text.empty());
    for (const auto& name : named->names) check(!name.empty());
  }
  check_rooms(*parsed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  check_v2(line);
  check_v2(line, qc::client::Conversation{qc::client::Conversation::Kind::Room, "#team"});
  auto parsed = qc::client::parse_command(line, resolve);
  check_held(line, parsed);
  if (!parsed) {
    check(!parsed.error().empty());
    return 0;
  }
  if (const auto* many = std::get_if<qc::client::ManyCmd>(&*parsed)) {
    check(!many->targets.empty());
  }
  return 0;
}
