// `quicchat version`: each line against what the libraries themselves say at run time.
#include <gnutls/gnutls.h>
#include <gtest/gtest.h>
#include <ngtcp2/ngtcp2.h>
#include <sqlite3.h>

#include <regex>
#include <sstream>

#include "quicchat/version/version.h"

namespace qc::app {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Version, NamesQuicchatAndTheLibrariesItRunsWith) {
  const auto lines = lines_of(version_text());
  ASSERT_EQ(lines.size(), 6u) << version_text();
  EXPECT_EQ(lines[0], "quicchat " QC_VERSION);
  EXPECT_EQ(lines[1], std::string("ngtcp2 ") + ngtcp2_version(0)->version_str);
  EXPECT_EQ(lines[2], std::string("GnuTLS ") + gnutls_check_version(nullptr));
  EXPECT_EQ(lines[3], std::string("SQLite ") + sqlite3_libversion());
  const std::regex name_and_version(R"(^[A-Za-z0-9]+ \d+\.\d+\.\d+$)");
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(std::regex_match(lines[i], name_and_version)) << lines[i];
}

TEST(Version, NamesTheProtocolVersionsWithTheirAlpns) {
  const auto lines = lines_of(version_text());
  ASSERT_EQ(lines.size(), 6u) << version_text();
  EXPECT_EQ(lines[4], "protocol 1 over ALPN quicchat, echo-protocol");
  EXPECT_EQ(lines[5], "protocol 2 over ALPN quicchat");  // never offered on the seed's ALPN
}

}  // namespace
}  // namespace qc::app
