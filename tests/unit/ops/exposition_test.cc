#include "ops/exposition.h"

#include <gtest/gtest.h>

#include <cmath>

namespace qc::ops {
namespace {

TEST(Exposition, WritesHelpTypeAndSamples) {
  Exposition e;
  e.counter("app_logins_total", "Logins.", 3);
  e.gauge("app_users", "Users.\nSecond line with a \\ backslash.", 2.5);
  EXPECT_EQ(e.text(),
            "# HELP app_logins_total Logins.\n# TYPE app_logins_total counter\n"
            "app_logins_total 3\n"
            "# HELP app_users Users.\\nSecond line with a \\\\ backslash.\n"
            "# TYPE app_users gauge\napp_users 2.5\n");
}

TEST(Exposition, EscapesLabelValues) {
  Exposition e;
  e.counter("app_pdus_total", "PDUs.",
            {{{{"type", "LOGIN"}}, 1}, {{{"type", "a\"b\\c\nd"}, {"x", "y"}}, 2}});
  EXPECT_EQ(e.text(),
            "# HELP app_pdus_total PDUs.\n# TYPE app_pdus_total counter\n"
            "app_pdus_total{type=\"LOGIN\"} 1\n"
            "app_pdus_total{type=\"a\\\"b\\\\c\\nd\",x=\"y\"} 2\n");
}

TEST(Exposition, FormatsValuesAsPrometheusReadsThem) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(1234567890123.0), "1234567890123");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(-3), "-3");
  EXPECT_EQ(format_value(1e300), "1e+300");
  EXPECT_EQ(format_value(INFINITY), "+Inf");
  EXPECT_EQ(format_value(-INFINITY), "-Inf");
  EXPECT_EQ(format_value(NAN), "NaN");
}

TEST(Exposition, HistogramBucketsAreCumulative) {
  Histogram h({0.125, 1});
  h.observe(0.0625);
  h.observe(0.125);  // on a bound: that bucket (le is "less or equal")
  h.observe(0.5);
  h.observe(7);
  Exposition e;
  e.histogram("app_wait_seconds", "Wait.", h);
  EXPECT_EQ(e.text(),
            "# HELP app_wait_seconds Wait.\n# TYPE app_wait_seconds histogram\n"
            "app_wait_seconds_bucket{le=\"0.125\"} 2\n"
            "app_wait_seconds_bucket{le=\"1\"} 3\n"
            "app_wait_seconds_bucket{le=\"+Inf\"} 4\n"
            "app_wait_seconds_sum 7.6875\n"
            "app_wait_seconds_count 4\n");
}

TEST(Exposition, MetricNames) {
  EXPECT_TRUE(valid_metric_name("quicchat_logins_total"));
  EXPECT_TRUE(valid_metric_name("a:b_c9"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_FALSE(valid_metric_name("9a"));
  EXPECT_FALSE(valid_metric_name("a-b"));
}

TEST(ExpositionDeathTest, ACounterMustEndInTotal) {
  Exposition e;
  EXPECT_DEATH(e.counter("app_logins", "Logins.", 1), "");
}

}  // namespace
}  // namespace qc::ops
