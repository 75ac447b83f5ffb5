#include "bench/load/report.h"

#include <gtest/gtest.h>

namespace qc::bench {
namespace {

TEST(BenchReport, JsonLineHoldsParamsFiguresAndChecksInOrder) {
  Report r("fanout");
  r.param("receivers", 100);
  r.param("server", "spawned");
  r.figure("p50_us", 12.5, "us");
  r.check("no loss", true, "100/100");
  EXPECT_EQ(r.json_line(),
            "{\"scenario\": \"fanout\", \"ok\": true, \"receivers\": 100, \"server\": \"spawned\", "
            "\"p50_us\": 12.500, \"checks\": {\"no loss\": true}}");
}

TEST(BenchReport, AFailedCheckFailsTheRun) {
  Report r("latency");
  r.check("a", true, "");
  EXPECT_TRUE(r.passed());
  r.check("b", false, "3/4 messages");
  EXPECT_FALSE(r.passed());
  EXPECT_NE(r.json_line().find("\"ok\": false"), std::string::npos);
  EXPECT_NE(r.table().find("FAIL b: 3/4 messages"), std::string::npos);
}

TEST(BenchReport, TableListsParamsOnTheTitleLine) {
  Report r("connections");
  r.param("count", 50);
  r.figure("rss_per_session_kib", 93.5, "KiB");
  const std::string table = r.table();
  EXPECT_EQ(table.substr(0, table.find('\n')), "quicchat bench connections  count=50");
  EXPECT_NE(table.find("rss_per_session_kib"), std::string::npos);
  EXPECT_NE(table.find("93.500 KiB"), std::string::npos);
}

TEST(BenchReport, JsonQuoteEscapes) {
  EXPECT_EQ(json_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
}

TEST(BenchReport, NumbersWithoutNeedlessDecimalsAndNonFiniteAsNull) {
  EXPECT_EQ(format_number(3.0), "3");
  EXPECT_EQ(format_number(0.25), "0.250");
  EXPECT_EQ(format_number(1.0 / 0.0), "null");
}

}  // namespace
}  // namespace qc::bench
