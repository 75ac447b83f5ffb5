#include "bench/load/report.h"

#include <cmath>
#include <cstdio>

namespace qc::bench {

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string format_number(double value) {
  if (!std::isfinite(value)) return "null";
  char buf[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.3f", value);
  }
  return buf;
}

void Report::param(std::string_view key, double value) {
  entries_.push_back({std::string(key), format_number(value), "", true});
}

void Report::param(std::string_view key, std::string_view value) {
  entries_.push_back({std::string(key), json_quote(value), "", true});
}

void Report::figure(std::string_view key, double value, std::string_view unit) {
  entries_.push_back({std::string(key), format_number(value), std::string(unit), false});
}

void Report::check(std::string_view what, bool passed, std::string detail) {
  checks_.push_back({std::string(what), passed, std::move(detail)});
}

void Report::note(std::string text) { notes_.push_back(std::move(text)); }

bool Report::passed() const {
  for (const auto& c : checks_) {
    if (!c.passed) return false;
  }
  return true;
}

std::string Report::json_line() const {
  std::string out =
      "{\"scenario\": " + json_quote(scenario_) + ", \"ok\": " + (passed() ? "true" : "false");
  for (const auto& e : entries_) out += ", " + json_quote(e.key) + ": " + e.text;
  out += ", \"checks\": {";
  for (std::size_t i = 0; i < checks_.size(); ++i) {
    if (i > 0) out += ", ";
    out += json_quote(checks_[i].what) + ": " + (checks_[i].passed ? "true" : "false");
  }
  return out + "}}";
}

std::string Report::table() const {
  std::string out = "quicchat bench " + scenario_;
  for (const auto& e : entries_) {
    if (!e.is_param) continue;
    std::string value = e.text;
    if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
    out += "  " + e.key + "=" + value;
  }
  out += "\n";
  char line[256];
  for (const auto& e : entries_) {
    if (e.is_param) continue;
    std::snprintf(line, sizeof line, "  %-34s %14s %s\n", e.key.c_str(), e.text.c_str(),
                  e.unit.c_str());
    out += line;
  }
  for (const auto& c : checks_) {
    out += std::string("  ") + (c.passed ? "PASS " : "FAIL ") + c.what + ": " + c.detail + "\n";
  }
  for (const auto& n : notes_) out += "  note: " + n + "\n";
  return out;
}

}  // namespace qc::bench
