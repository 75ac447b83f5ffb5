// HTTP/1.1 responses of the metrics endpoint, and the routing of its one resource. Pure.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "ops/http_request.h"

namespace qc::ops {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string allow;       // the Allow header of a 405
  bool head_only = false;  // HEAD: Content-Length of the body, but no body
};

std::string_view status_text(int status);

// Status line, Content-Type, Content-Length, Connection: close (every response ends its
// connection), then the body.
std::string serialize(const HttpResponse& response);

// A plain-text error: "400 Bad Request: <detail>\n".
HttpResponse error_response(int status, std::string_view detail = {});

// One resource at `path` answering GET and HEAD with `get()`; another method there is 405,
// another path 404.
HttpResponse serve_resource(const HttpRequest& request, std::string_view path,
                            const std::function<HttpResponse()>& get);

}  // namespace qc::ops
