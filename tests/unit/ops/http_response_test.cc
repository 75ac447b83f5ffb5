#include "ops/http_response.h"

#include <gtest/gtest.h>

#include "ops/http_server.h"

namespace qc::ops {
namespace {

HttpRequest request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

HttpResponse ok_body() {
  HttpResponse r;
  r.body = "up 1\n";
  return r;
}

TEST(HttpResponse, SerializesWithLengthAndClose) {
  HttpResponse r = ok_body();
  EXPECT_EQ(serialize(r),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\nup 1\n");
  r.head_only = true;
  EXPECT_EQ(serialize(r).find("up 1"), std::string::npos);
  EXPECT_NE(serialize(r).find("Content-Length: 5\r\n"), std::string::npos);
}

TEST(HttpResponse, RoutesOneResource) {
  EXPECT_EQ(serve_resource(request("GET", "/metrics"), "/metrics", ok_body).body, "up 1\n");
  HttpResponse head = serve_resource(request("HEAD", "/metrics"), "/metrics", ok_body);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.head_only);
  EXPECT_EQ(serve_resource(request("GET", "/"), "/metrics", ok_body).status, 404);
  EXPECT_EQ(serve_resource(request("POST", "/other"), "/metrics", ok_body).status, 404);
  HttpResponse post = serve_resource(request("POST", "/metrics"), "/metrics", ok_body);
  EXPECT_EQ(post.status, 405);
  EXPECT_NE(serialize(post).find("Allow: GET, HEAD\r\n"), std::string::npos);
}

TEST(HttpResponse, ErrorsSayWhy) {
  EXPECT_EQ(error_response(400, "bad method").body, "400 Bad Request: bad method\n");
  EXPECT_EQ(error_response(404).body, "404 Not Found\n");
}

TEST(HostPort, ParsesNamesAndAddresses) {
  auto v4 = parse_host_port("127.0.0.1:9100");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 9100);
  auto v6 = parse_host_port("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_TRUE(parse_host_port("localhost:80"));
  for (const char* bad : {"", "9100", ":9100", "host:", "host:x", "host:65536", "::1:9100",
                          "[::1:9100", "[]:9100", "host:-1"}) {
    EXPECT_FALSE(parse_host_port(bad)) << bad;
  }
}

}  // namespace
}  // namespace qc::ops
