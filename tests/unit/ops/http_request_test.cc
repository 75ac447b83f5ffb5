#include "ops/http_request.h"

#include <gtest/gtest.h>

#include <string>

namespace qc::ops {
namespace {

TEST(HttpRequestHead, ParsesAPrometheusScrape) {
  const std::string head =
      "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9100\r\nUser-Agent: Prometheus/2.45\r\n"
      "Accept: text/plain;version=0.0.4;q=1,*/*;q=0.1\r\n\r\n";
  HeadResult r = parse_request_head(head);
  ASSERT_EQ(r.status, HeadStatus::Complete) << r.error;
  EXPECT_EQ(r.request.method, "GET");
  EXPECT_EQ(r.request.path, "/metrics");
  EXPECT_EQ(r.request.query, "");
  EXPECT_EQ(r.request.minor_version, 1);
  EXPECT_EQ(r.request.headers, 3u);
  EXPECT_EQ(r.request.head_bytes, head.size());
}

TEST(HttpRequestHead, SplitsTheQueryAndToleratesBareLineFeeds) {
  HeadResult r = parse_request_head("HEAD /metrics?name=x HTTP/1.0\n\n");
  ASSERT_EQ(r.status, HeadStatus::Complete) << r.error;
  EXPECT_EQ(r.request.method, "HEAD");
  EXPECT_EQ(r.request.path, "/metrics");
  EXPECT_EQ(r.request.query, "name=x");
  EXPECT_EQ(r.request.minor_version, 0);
}

TEST(HttpRequestHead, BytesAfterTheHeadAreNotPartOfIt) {
  const std::string head = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  HeadResult r = parse_request_head(head + "body bytes");
  ASSERT_EQ(r.status, HeadStatus::Complete);
  EXPECT_EQ(r.request.head_bytes, head.size());
}

TEST(HttpRequestHead, NeedsMoreUntilTheBlankLine) {
  const std::string head = "GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n";
  for (std::size_t n = 0; n < head.size(); ++n) {
    EXPECT_EQ(parse_request_head(head.substr(0, n)).status, HeadStatus::NeedMore) << n;
  }
  EXPECT_EQ(parse_request_head(head).status, HeadStatus::Complete);
}

TEST(HttpRequestHead, AHeadOverTheLimitIsBadWhetherOrNotItEnded) {
  std::string endless = "GET /metrics HTTP/1.1\r\nX: " + std::string(200, 'a');
  EXPECT_EQ(parse_request_head(endless, 100).status, HeadStatus::Bad);
  EXPECT_EQ(parse_request_head(endless, 1000).status, HeadStatus::NeedMore);
  HeadResult ended = parse_request_head(endless + "\r\nHost: h\r\n\r\n", 100);
  EXPECT_EQ(ended.status, HeadStatus::Bad);
  EXPECT_NE(ended.error.find("over 100 bytes"), std::string::npos) << ended.error;
}

TEST(HttpRequestHead, MalformedHeadsAreBadWithAReason) {
  const char* bad[] = {
      "\r\n\r\n",                                          // empty request line
      "GET /metrics\r\nHost: h\r\n\r\n",                   // no version
      "GET  /metrics HTTP/1.1\r\nHost: h\r\n\r\n",         // two spaces
      "GET /metrics HTTP/1.1 x\r\nHost: h\r\n\r\n",        // extra field
      "G(T /metrics HTTP/1.1\r\nHost: h\r\n\r\n",          // method not a token
      "GET metrics HTTP/1.1\r\nHost: h\r\n\r\n",           // not origin-form
      "GET http://h/metrics HTTP/1.1\r\nHost: h\r\n\r\n",  // absolute-form
      "GET /met\x01rics HTTP/1.1\r\nHost: h\r\n\r\n",      // control character in the target
      "GET /metrics HTTP/2.0\r\nHost: h\r\n\r\n",          // version
      "GET /metrics HTTP/1.1\r\n\r\n",                     // 1.1 without Host
      "GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET /metrics HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
      "GET /metrics HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n",
      "GET /metrics HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
      "GET /metrics HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n",
      "GET /metrics HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n",  // bare CR
  };
  for (const char* text : bad) {
    HeadResult r = parse_request_head(text);
    EXPECT_EQ(r.status, HeadStatus::Bad) << text;
    EXPECT_FALSE(r.error.empty()) << text;
  }
}

TEST(HttpRequestHead, TooManyHeaderLinesAreBad) {
  std::string head = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (std::size_t i = 0; i < kMaxRequestHeaders; ++i) head += "X: y\r\n";
  HeadResult r = parse_request_head(head + "\r\n");
  EXPECT_EQ(r.status, HeadStatus::Bad);
  EXPECT_NE(r.error.find("header lines"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace qc::ops
