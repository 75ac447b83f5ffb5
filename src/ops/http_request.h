// The head of an HTTP/1.x request (request line and headers), parsed from the bytes received so
// far. Pure: the metrics responder feeds it its buffer; the fuzz target feeds it anything.
// Only what a metrics endpoint needs: the method, the path and the header count; bodies are not
// read (every response closes the connection).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace qc::ops {

inline constexpr std::size_t kMaxRequestHeadBytes = 8 * 1024;
inline constexpr std::size_t kMaxRequestHeaders = 64;

struct HttpRequest {
  std::string method;     // "GET"
  std::string path;       // "/metrics" (the target without its query)
  std::string query;      // after '?', without it; may be empty
  int minor_version = 1;  // HTTP/1.<minor>
  std::size_t headers = 0;
  std::size_t head_bytes = 0;  // request line + headers + the blank line
};

enum class HeadStatus {
  NeedMore,  // no blank line yet, and under the size limit
  Complete,  // `request` is set
  Bad,       // malformed (or over the limits): answer 400 and close; `error` says why
};

struct HeadResult {
  HeadStatus status = HeadStatus::NeedMore;
  HttpRequest request;
  std::string error;
};

// Lines end in CRLF (a bare LF is tolerated, as RFC 9112 allows). HTTP/1.1 requires Host.
HeadResult parse_request_head(std::string_view received,
                              std::size_t max_head_bytes = kMaxRequestHeadBytes);

}  // namespace qc::ops
