// docs/PROTOCOL.md shows every v2 golden vector as "<prefix hex, spaced>  <body>" on one line.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "proto/v2/codec.h"
#include "v2_golden.h"

namespace qc::proto::v2 {
namespace {

std::string read_protocol_doc() {
  std::ifstream in(std::string(QC_DOCS_DIR) + "/PROTOCOL.md", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// "00 00 00 4b  {...}" with DEL shown as U+2421 (the doc says so).
std::string doc_line(std::string_view frame) {
  std::string line;
  char buf[4];
  for (std::size_t i = 0; i < kLengthPrefixBytes; ++i) {
    std::snprintf(buf, sizeof buf, i == 0 ? "%02x" : " %02x", static_cast<unsigned char>(frame[i]));
    line += buf;
  }
  line += "  ";
  for (char c : frame.substr(kLengthPrefixBytes)) {
    if (c == '\x7f') {
      line += "\xE2\x90\xA1";
    } else {
      line += c;
    }
  }
  return "\n" + line + "\n";
}

TEST(V2Docs, ProtocolMdShowsEveryGoldenVectorExactly) {
  const std::string doc = read_protocol_doc();
  ASSERT_FALSE(doc.empty());
  for (const auto& v : golden::vectors()) {
    EXPECT_NE(doc.find(doc_line(encode_frame(v.frame))), std::string::npos)
        << v.name << " is not in docs/PROTOCOL.md as" << doc_line(encode_frame(v.frame));
  }
}

}  // namespace
}  // namespace qc::proto::v2
