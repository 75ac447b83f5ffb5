#include "ops/http_response.h"

namespace qc::ops {

std::string_view status_text(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

std::string serialize(const HttpResponse& r) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " +
                    std::string(status_text(r.status)) + "\r\nContent-Type: " + r.content_type +
                    "\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\n";
  if (!r.allow.empty()) out += "Allow: " + r.allow + "\r\n";
  out += "Cache-Control: no-store\r\nConnection: close\r\n\r\n";
  if (!r.head_only) out += r.body;
  return out;
}

HttpResponse error_response(int status, std::string_view detail) {
  HttpResponse r;
  r.status = status;
  r.body = std::to_string(status) + " " + std::string(status_text(status));
  if (!detail.empty()) r.body += ": " + std::string(detail);
  r.body += '\n';
  return r;
}

HttpResponse serve_resource(const HttpRequest& request, std::string_view path,
                            const std::function<HttpResponse()>& get) {
  if (request.path != path) return error_response(404);
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = error_response(405);
    r.allow = "GET, HEAD";
    return r;
  }
  HttpResponse r = get();
  r.head_only = request.method == "HEAD";
  return r;
}

}  // namespace qc::ops
