#include "ops/exposition.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace qc::ops {
namespace {

// HELP text escapes backslash and newline; label values also escape the double quote.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quote && c == '"')
      out += "\\\"";
    else
      out += c;
  }
}

bool name_char(char c, bool first, bool allow_colon) {
  if (c == '_' || (allow_colon && c == ':')) return true;
  if (std::isalpha(static_cast<unsigned char>(c)) != 0) return true;
  return !first && std::isdigit(static_cast<unsigned char>(c)) != 0;
}

bool valid_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, allow_colon)) return false;
  }
  return true;
}

// A programming error, not input: names are literals in the server.
void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {
  require(std::is_sorted(bounds_.begin(), bounds_.end()));
}

void Histogram::observe(double value) {
  std::size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += value;
  ++count_;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::to_chars_result r;
  if (value == std::trunc(value) && std::fabs(value) < 9.007199254740992e15) {
    r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(value));
  } else {
    r = std::to_chars(buf, buf + sizeof buf, value);
  }
  return std::string(buf, r.ptr);
}

bool valid_metric_name(std::string_view name) { return valid_name(name, true); }

void Exposition::family(std::string_view name, std::string_view help, std::string_view type) {
  require(valid_metric_name(name));
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_escaped(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void Exposition::sample(std::string_view name, const Labels& labels, double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      require(valid_name(labels[i].first, false));
      if (i > 0) out_ += ',';
      out_ += labels[i].first;
      out_ += "=\"";
      append_escaped(out_, labels[i].second, true);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += format_value(value);
  out_ += '\n';
}

void Exposition::counter(std::string_view name, std::string_view help, double value) {
  counter(name, help, std::vector<Sample>{{{}, value}});
}

void Exposition::counter(std::string_view name, std::string_view help,
                         const std::vector<Sample>& samples) {
  require(name.ends_with("_total"));
  family(name, help, "counter");
  for (const Sample& s : samples) sample(name, s.labels, s.value);
}

void Exposition::gauge(std::string_view name, std::string_view help, double value) {
  gauge(name, help, std::vector<Sample>{{{}, value}});
}

void Exposition::gauge(std::string_view name, std::string_view help,
                       const std::vector<Sample>& samples) {
  family(name, help, "gauge");
  for (const Sample& s : samples) sample(name, s.labels, s.value);
}

void Exposition::histogram(std::string_view name, std::string_view help, const Histogram& h) {
  family(name, help, "histogram");
  histogram_samples(name, {}, h);
}

void Exposition::histogram(std::string_view name, std::string_view help,
                           const std::vector<std::pair<Labels, const Histogram*>>& series) {
  family(name, help, "histogram");
  for (const auto& [labels, h] : series) histogram_samples(name, labels, *h);
}

void Exposition::histogram_samples(std::string_view name, const Labels& labels,
                                   const Histogram& h) {
  const std::string bucket = std::string(name) + "_bucket";
  Labels with_le = labels;
  with_le.emplace_back("le", "");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.bounds().size(); ++i) {
    cumulative += h.counts()[i];
    with_le.back().second = format_value(h.bounds()[i]);
    sample(bucket, with_le, static_cast<double>(cumulative));
  }
  with_le.back().second = "+Inf";
  sample(bucket, with_le, static_cast<double>(h.count()));
  sample(std::string(name) + "_sum", labels, h.sum());
  sample(std::string(name) + "_count", labels, static_cast<double>(h.count()));
}

}  // namespace qc::ops
