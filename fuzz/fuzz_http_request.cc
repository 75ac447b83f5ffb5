// libFuzzer: the metrics endpoint's HTTP request-head parser. Any bytes give NeedMore, Bad with
// a reason, or a complete head inside the input and the limit, with an origin-form path.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ops/http_request.h"
#include "ops/http_response.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (std::size_t limit : {qc::ops::kMaxRequestHeadBytes, std::size_t{64}}) {
    const qc::ops::HeadResult r = qc::ops::parse_request_head(bytes, limit);
    switch (r.status) {
      case qc::ops::HeadStatus::NeedMore:
        check(size <= limit && r.error.empty());
        break;
      case qc::ops::HeadStatus::Bad:
        check(!r.error.empty());
        break;
      case qc::ops::HeadStatus::Complete: {
        const qc::ops::HttpRequest& q = r.request;
        check(q.head_bytes <= size && q.head_bytes <= limit);
        check(!q.method.empty() && !q.path.empty() && q.path[0] == '/');
        check(q.minor_version == 0 || q.minor_version == 1);
        check(q.headers <= qc::ops::kMaxRequestHeaders);
        const auto response =
            qc::ops::serve_resource(q, "/metrics", [] { return qc::ops::HttpResponse{}; });
        check(response.status == 200 || response.status == 404 || response.status == 405);
        break;
      }
    }
  }
  return 0;
}
