#include "cluster/node_record.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace qc::cluster {
namespace {

constexpr std::size_t kMaxRecordBytes = 512;

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

Unexpected<Error> bad_record(std::string why) { return fail("node_record", std::move(why)); }

// One key=value word into the record; false when a known key's value is wrong.
bool apply_word(std::string_view key, std::string_view value, NodeRecord& r) {
  if (key == "addr") {
    r.address = std::string(value);
    return true;
  }
  if (key == "up") return parse_number(value, r.up_since_ms);
  if (key == "at") return parse_number(value, r.at_ms);
  if (key == "sessions") return parse_number(value, r.sessions);
  if (key == "rtt_us") return parse_number(value, r.bus_rtt_us);
  if (key == "store_us") return parse_number(value, r.store_us);
  if (key == "store") {
    r.store_ok = value == "ok";
    return value == "ok" || value == "failed";
  }
  return true;  // a newer node's key
}

// now - then in ms, 0 when then is later (another node's clock ahead), never overflowing.
std::int64_t age_ms(std::int64_t now, std::int64_t then) {
  std::int64_t age = 0;
  if (__builtin_sub_overflow(now, then, &age)) return now > then ? INT64_MAX : 0;
  return age < 0 ? 0 : age;
}

std::string age_text(std::int64_t ms) {
  if (ms < 10'000) return std::to_string(ms / 100 / 10) + "." + std::to_string(ms / 100 % 10) + "s";
  if (ms < 3'600'000) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms / 3'600'000) + "h" + std::to_string(ms / 60'000 % 60) + "m";
}

std::string ms_text(std::uint64_t us) {
  return std::to_string(us / 1000) + "." + std::to_string(us / 100 % 10) + "ms";
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

}  // namespace

std::string encode_node_record(const NodeRecord& r) {
  return "v=1 addr=" + r.address + " up=" + std::to_string(r.up_since_ms) +
         " at=" + std::to_string(r.at_ms) + " sessions=" + std::to_string(r.sessions) +
         " rtt_us=" + std::to_string(r.bus_rtt_us) + " store=" + (r.store_ok ? "ok" : "failed") +
         " store_us=" + std::to_string(r.store_us);
}

Result<NodeRecord> decode_node_record(std::string_view text) {
  if (text.size() > kMaxRecordBytes) return bad_record("over 512 bytes");
  NodeRecord record;
  bool versioned = false, timed = false;
  while (!text.empty()) {
    const std::size_t space = std::min(text.find(' '), text.size());
    const std::string_view word = text.substr(0, space);
    text.remove_prefix(std::min(space + 1, text.size()));
    if (word.empty()) continue;
    const std::size_t eq = word.find('=');
    if (eq == std::string_view::npos) return bad_record("a word without '='");
    const std::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
    if (key == "v") {
      if (value != "1") return bad_record("version is not 1");
      versioned = true;
    } else if (!apply_word(key, value, record)) {
      return bad_record("bad value for " + std::string(key));
    }
    timed = timed || key == "at";
  }
  if (!versioned || !timed) return bad_record("v=1 and at= are required");
  return record;
}

std::string format_nodes(const std::vector<ClusterNode>& nodes, std::int64_t now_ms) {
  std::vector<std::vector<std::string>> rows = {{"NODE", "STATE", "ADDRESS", "UP SINCE",
                                                 "HEARTBEAT", "ACCOUNTS", "SESSIONS", "BUS RTT",
                                                 "STORE", "STORE TIME"}};
  std::size_t up = 0, accounts = 0;
  for (const ClusterNode& n : nodes) {
    up += n.alive ? 1 : 0;
    accounts += n.accounts.size();
    if (!n.record) {
      rows.push_back({n.id, n.alive ? "up" : "down", "?", "?", "?",
                      std::to_string(n.accounts.size()), "?", "?", "?", "?"});
      continue;
    }
    const NodeRecord& r = *n.record;
    rows.push_back({n.id, n.alive ? "up" : "down", r.address,
                    age_text(age_ms(now_ms, r.up_since_ms)) + " ago",
                    age_text(age_ms(now_ms, r.at_ms)) + " ago", std::to_string(n.accounts.size()),
                    std::to_string(r.sessions), ms_text(r.bus_rtt_us), r.store_ok ? "ok" : "failed",
                    ms_text(r.store_us)});
  }
  std::vector<std::size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  std::string text;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i)
      line += i + 1 < row.size() ? pad(row[i], widths[i] + 2) : row[i];
    text += line + "\n";
  }
  text += std::to_string(nodes.size()) + " nodes, " + std::to_string(up) + " up, " +
          std::to_string(accounts) + " accounts online\n";
  return text;
}

std::string format_cluster_who(const std::vector<ClusterNode>& nodes) {
  std::size_t width = 4, total = 0;
  for (const ClusterNode& n : nodes) width = std::max(width, n.id.size());
  std::string text = pad("NODE", width + 2) + "ACCOUNT\n";
  for (const ClusterNode& n : nodes) {
    for (const std::string& account : n.accounts) text += pad(n.id, width + 2) + account + "\n";
    total += n.accounts.size();
  }
  return text + std::to_string(total) + " online on " + std::to_string(nodes.size()) + " nodes\n";
}

}  // namespace qc::cluster
