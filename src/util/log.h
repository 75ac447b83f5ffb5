// Structured log lines: "2026-11-24T02:10:00.123Z INFO login session=3 user=alice
// peer=127.0.0.1:5555". One line per event; values with spaces are quoted. Never log a password.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace qc::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3, Off = 4 };

struct Field {
  std::string_view key;
  std::string value;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(std::to_string(v)) {}
};

void set_level(Level level);
Level level();
bool parse_level(std::string_view text, Level& out);
bool enabled(Level level);

// Writes one line to stderr (thread-safe).
void write(Level level, std::string_view event, std::initializer_list<Field> fields = {});
void write(Level level, std::string_view event,
           std::span<const Field> fields);  // built at run time

// Formats a line without writing it (tests, and callers that collect lines).
std::string format_line(Level level, std::string_view event, std::initializer_list<Field> fields);
std::string format_line(Level level, std::string_view event, std::span<const Field> fields);

inline void debug(std::string_view e, std::initializer_list<Field> f = {}) {
  if (enabled(Level::Debug)) write(Level::Debug, e, f);
}
inline void info(std::string_view e, std::initializer_list<Field> f = {}) {
  if (enabled(Level::Info)) write(Level::Info, e, f);
}
inline void warn(std::string_view e, std::initializer_list<Field> f = {}) {
  if (enabled(Level::Warn)) write(Level::Warn, e, f);
}
inline void error(std::string_view e, std::initializer_list<Field> f = {}) {
  if (enabled(Level::Error)) write(Level::Error, e, f);
}

}  // namespace qc::log
