#include "ops/http_request.h"

#include <algorithm>
#include <cctype>

namespace qc::ops {
namespace {

bool is_tchar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c)) != 0) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

bool is_visible(char c) { return c > 0x20 && c < 0x7f; }

bool is_field_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return c == '\t' || (u >= 0x20 && u != 0x7f);  // obs-text (>= 0x80) is allowed in values
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

HeadResult bad(std::string error) { return {HeadStatus::Bad, {}, std::move(error)}; }

// Splits the next line off `rest` (without its LF and an optional CR before it). False when no
// LF is left, or the line holds a CR that does not end it.
bool next_line(std::string_view& rest, std::string_view& line, bool& bare_cr) {
  std::size_t lf = rest.find('\n');
  if (lf == std::string_view::npos) return false;
  line = rest.substr(0, lf);
  rest.remove_prefix(lf + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  bare_cr = line.find('\r') != std::string_view::npos;
  return true;
}

// Where the head ends (just past its blank line), or npos while it is incomplete.
std::size_t head_length(std::string_view received) {
  std::string_view rest = received;
  std::string_view line;
  bool bare_cr = false;
  while (next_line(rest, line, bare_cr)) {
    if (line.empty()) return received.size() - rest.size();  // (first line empty: Bad later)
  }
  return std::string_view::npos;
}

bool parse_request_line(std::string_view line, HttpRequest& req, std::string& error) {
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    error = "request line is not METHOD TARGET VERSION";
    return false;
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method) || method.size() > 32) {
    error = "bad method";
    return false;
  }
  if (target.empty() || target.front() != '/' ||
      !std::all_of(target.begin(), target.end(), is_visible)) {
    error = "bad request target (only origin-form paths are served)";
    return false;
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    error = "unsupported HTTP version";
    return false;
  }
  req.method = std::string(method);
  std::size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
  req.minor_version = version.back() - '0';
  return true;
}

bool parse_header(std::string_view line, std::string_view& name, std::string& error) {
  if (line.front() == ' ' || line.front() == '\t') {
    error = "obsolete header line folding";
    return false;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
    error = "bad header line";
    return false;
  }
  name = line.substr(0, colon);
  std::string_view value = line.substr(colon + 1);
  if (!std::all_of(value.begin(), value.end(), is_field_char)) {
    error = "control character in a header value";
    return false;
  }
  return true;
}

}  // namespace

HeadResult parse_request_head(std::string_view received, std::size_t max_head_bytes) {
  const std::size_t length = head_length(received);
  if (length == std::string_view::npos) {
    if (received.size() > max_head_bytes) {
      return bad("request head over " + std::to_string(max_head_bytes) + " bytes");
    }
    return {};
  }
  if (length > max_head_bytes) {
    return bad("request head over " + std::to_string(max_head_bytes) + " bytes");
  }
  HeadResult result{HeadStatus::Complete, {}, {}};
  HttpRequest& req = result.request;
  req.head_bytes = length;
  std::string_view rest = received.substr(0, length);
  std::string_view line;
  bool bare_cr = false;
  next_line(rest, line, bare_cr);
  if (line.empty()) return bad("empty request line");
  if (bare_cr) return bad("bare CR in the request line");
  if (!parse_request_line(line, req, result.error)) return bad(std::move(result.error));
  std::size_t hosts = 0;
  while (next_line(rest, line, bare_cr) && !line.empty()) {
    if (bare_cr) return bad("bare CR in a header line");
    std::string_view name;
    if (!parse_header(line, name, result.error)) return bad(std::move(result.error));
    if (++req.headers > kMaxRequestHeaders) {
      return bad("more than " + std::to_string(kMaxRequestHeaders) + " header lines");
    }
    if (iequals(name, "host")) ++hosts;
  }
  if (hosts > 1) return bad("more than one Host header");
  if (req.minor_version == 1 && hosts == 0) return bad("HTTP/1.1 request without Host");
  return result;
}

}  // namespace qc::ops
