// What a reload applies: the options whose value changed, split by the table's reload column;
// and when a certificate's expiry deserves a warning.
#include "quicchat/server/server_reload.h"

#include <gtest/gtest.h>

#include "../support/temp_dir.h"

namespace qc::app {
namespace {

const std::vector<OptionInfo>& infos() {
  static const std::vector<OptionInfo> table = option_infos(server_options());
  return table;
}

// The values the server options take from a command line and a config file.
OptionValues values_from(const Args& args, const std::string& config_text = "") {
  qc::testing::TempDir dir;
  Args all = args;
  if (!config_text.empty()) {
    qc::testing::write_file(dir.file("server.toml"), config_text);
    all.insert(all.end(), {"--config", dir.file("server.toml")});
  }
  Flags flags = make_server_flags();
  EXPECT_TRUE(flags.parse(all));
  EXPECT_TRUE(apply_config_file(flags));
  return option_values(flags, infos());
}

TEST(ReloadPlan, NothingChangedNothingToDo) {
  const OptionValues running = values_from({}, "port = 5000\n");
  EXPECT_EQ(plan_reload(infos(), running, values_from({}, "port = 5000\n")), ReloadPlan{});
}

TEST(ReloadPlan, LiveOptionsAreAppliedAndRestartOnesNamedInTableOrder) {
  const OptionValues running = values_from({}, "log-level = \"info\"\nport = 5000\n");
  const OptionValues next = values_from(
      {}, "port = 5001\nmax-text-bytes = 100\nlog-level = \"debug\"\nhistory = \"off\"\n"
          "cert = \"other.pem\"\n");
  const ReloadPlan plan = plan_reload(infos(), running, next);
  EXPECT_EQ(plan.applied, (std::vector<std::string>{"cert", "log-level", "max-text-bytes"}));
  EXPECT_EQ(plan.needs_restart, (std::vector<std::string>{"port", "history"}));
}

TEST(ReloadPlan, AKeyRemovedFromTheFileGoesBackToItsDefault) {
  const OptionValues running = values_from({}, "msg-rate = 5\n");
  const ReloadPlan plan = plan_reload(infos(), running, values_from({}));
  EXPECT_EQ(plan.applied, std::vector<std::string>{"msg-rate"});
  EXPECT_TRUE(plan.needs_restart.empty());
}

TEST(ReloadPlan, TheCommandLineStillWins) {
  const OptionValues running = values_from({"--port", "7000", "--msg-rate", "3"}, "port = 1\n");
  const OptionValues next =
      values_from({"--port", "7000", "--msg-rate", "3"}, "port = 2\nmsg-rate = 9\n");
  EXPECT_EQ(running.at("port"), "7000");
  EXPECT_EQ(plan_reload(infos(), running, next), ReloadPlan{});
}

TEST(ReloadPlan, OptionsAFileCannotSetAreNotCompared) {
  const OptionValues values = values_from({});
  EXPECT_EQ(values.count("config"), 0u);
  EXPECT_EQ(values.count("options-markdown"), 0u);
  EXPECT_EQ(values.at("max-text-bytes"), "32768");
}

TEST(ReloadPlan, SaysNoneForAnEmptyList) {
  EXPECT_EQ(names_or_none({}), "none");
  EXPECT_EQ(names_or_none({"port", "history"}), "port,history");
}

TEST(CertificateExpiry, WholeDaysLeftAndTheWarningFrom14Days) {
  constexpr std::int64_t kDay = 86'400, now = 1'800'000'000;
  EXPECT_EQ(days_left(now + 30 * kDay, now), 30);
  EXPECT_EQ(days_left(now + 15 * kDay - 1, now), 14);
  EXPECT_EQ(days_left(now + 10, now), 0);
  EXPECT_EQ(days_left(now - 10, now), -1);
  EXPECT_EQ(days_left(now - kDay, now), -1);
  EXPECT_EQ(days_left(now - kDay - 1, now), -2);
  EXPECT_FALSE(expires_soon(15));
  EXPECT_TRUE(expires_soon(14));
  EXPECT_TRUE(expires_soon(0));
  EXPECT_TRUE(expires_soon(-3));
}

}  // namespace
}  // namespace qc::app
