// `quicchat server --config FILE`: every error in the file names the file and the line
// (FILE:LINE: ...), and a file that cannot be read says why (FILE: cannot read: ...).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../support/temp_dir.h"
#include "quicchat/server/server_options.h"

namespace qc::app {
namespace {

using qc::testing::TempDir;
using qc::testing::write_file;

// Reads `config` as the server would with `args` on the command line: the file first, then
// every option's checks.
Result<ServerSettings> settings_with_config(const std::string& path,
                                            std::vector<std::string> args = {}) {
  Flags flags = make_server_flags();
  args.insert(args.begin(), {"--config", path});
  if (auto parsed = flags.parse(args); !parsed) return Unexpected{parsed.error()};
  if (auto read = apply_config_file(flags); !read) return Unexpected{read.error()};
  return server_settings_from(flags);
}

class ConfigFile : public ::testing::Test {
 protected:
  // The error of a config file with `content` (empty when it was accepted).
  std::string error_of(const std::string& content, std::vector<std::string> args = {}) {
    write_file(path_, content);
    auto settings = settings_with_config(path_, std::move(args));
    return settings ? std::string() : settings.error().message;
  }
  TempDir dir_;
  std::string path_ = dir_.file("server.toml");
};

TEST_F(ConfigFile, AGoodFileSetsOptions) {
  write_file(path_, "port = 5000\nalpn = \"echo-protocol\"\n");
  auto settings = settings_with_config(path_);
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ(settings->config.transport.port, 5000);
  EXPECT_EQ(settings->config.transport.alpns, std::vector<std::string>{"echo-protocol"});
}

TEST_F(ConfigFile, AnUnknownKeyIsNamedWithItsLine) {
  EXPECT_EQ(error_of("port = 5000\n\nflavour = 3\n"), path_ + ":3: unknown option 'flavour'");
}

TEST_F(ConfigFile, AWrongTypeIsNamedWithItsLine) {
  EXPECT_EQ(error_of("# ports\nport = 4433.5\n"),
            path_ + ":2: 'port' must be a string, an integer or a boolean");
  EXPECT_EQ(error_of("host = \"::1\"\nalpn = [\"quicchat\"]\n"),
            path_ + ":2: 'alpn' must be a string, an integer or a boolean");
}

TEST_F(ConfigFile, AValueOutOfRangeIsNamedWithItsLine) {
  EXPECT_EQ(error_of("host = \"127.0.0.1\"\nport = 70000\n"),
            path_ + ":2: port must be between 0 and 65535");
  EXPECT_EQ(error_of("\n\nport = \"not a number\"\n"),
            path_ + ":3: port must be an integer, got 'not a number'");
  EXPECT_EQ(error_of("retry = \"sometimes\"\n"), path_ + ":1: retry must be auto, always or never");
  EXPECT_EQ(error_of("port = 1\nalpn = \",\"\n"), path_ + ":2: alpn needs at least one protocol");
}

TEST_F(ConfigFile, TheCommandLineWinsAndItsErrorsNameTheFlag) {
  EXPECT_EQ(error_of("port = 70000\n", {"--port", "0"}), "");
  EXPECT_EQ(error_of("port = 0\n", {"--port", "70000"}), "--port must be between 0 and 65535");
}

TEST_F(ConfigFile, BadTomlSyntaxIsNamedWithItsLine) {
  const std::string error = error_of("port = 4433\nhost = \"127.0.0.1\n");
  EXPECT_EQ(error.rfind(path_ + ":2: ", 0), 0u) << error;
}

TEST_F(ConfigFile, AKeyThatOnlyTheCommandLineTakesIsNamedWithItsLine) {
  EXPECT_EQ(error_of("port = 1\nconfig = \"other.toml\"\n"),
            path_ + ":2: 'config' cannot be set in a file");
}

TEST_F(ConfigFile, AMissingFileSaysWhyItCannotBeRead) {
  const std::string missing = dir_.file("missing.toml");
  auto settings = settings_with_config(missing);
  ASSERT_FALSE(settings);
  EXPECT_EQ(settings.error().message, missing + ": cannot read: No such file or directory");
}

TEST_F(ConfigFile, ADirectorySaysWhyItCannotBeRead) {
  auto settings = settings_with_config(dir_.path().string());
  ASSERT_FALSE(settings);
  EXPECT_EQ(settings.error().message, dir_.path().string() + ": cannot read: Is a directory");
}

}  // namespace
}  // namespace qc::app
