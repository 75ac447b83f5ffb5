// packaging/server.toml, the config `make install` and the package put in /etc/quicchat: it
// parses with the server's own loader, and every key it shows commented out is a real option
// shown with its default.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "quicchat/server/server_options.h"

namespace qc::app {
namespace {

const std::string kExample = QC_PACKAGING_DIR "/server.toml";

Result<ServerSettings> load(const std::string& path) {
  Flags flags = make_server_flags();
  if (auto parsed = flags.parse({"--config", path}); !parsed) return Unexpected{parsed.error()};
  if (auto applied = apply_config_file(flags); !applied) return Unexpected{applied.error()};
  return server_settings_from(flags);
}

const OptionInfo* find_server_option(std::string_view name) {
  for (const auto& o : server_options()) {
    if (o.info.name == name) return &o.info;
  }
  return nullptr;
}

struct CommentedKey {
  std::string name, value;  // value without TOML's quotes
};

std::vector<CommentedKey> commented_keys(const std::string& text) {
  static const std::regex row(R"re(^# ([a-z][a-z0-9-]*) = "?([^"]*)"?$)re");
  std::vector<CommentedKey> keys;
  std::istringstream in(text);
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, m, row)) keys.push_back({m[1], m[2]});
  }
  return keys;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ExampleConfig, ParsesWithTheServersLoader) {
  auto settings = load(kExample);
  ASSERT_TRUE(settings) << settings.error().message;
  // Where the unit's StateDirectory and RuntimeDirectory are.
  EXPECT_EQ(settings->db, "/var/lib/quicchat/quicchat.db");
  EXPECT_EQ(settings->config.transport.cert_file, "/var/lib/quicchat/certs/quic_certificate.pem");
  EXPECT_EQ(settings->config.transport.key_file, "/var/lib/quicchat/certs/quic_private_key.pem");
  EXPECT_EQ(settings->admin_socket, "/run/quicchat/admin.sock");
}

TEST(ExampleConfig, EveryCommentedKeyIsAnOptionShownWithItsDefault) {
  const auto keys = commented_keys(read_file(kExample));
  ASSERT_GE(keys.size(), 5u) << "no `# key = value` lines found in " << kExample;
  for (const auto& key : keys) {
    const OptionInfo* info = find_server_option(key.name);
    ASSERT_NE(info, nullptr) << key.name << " is not a server option";
    EXPECT_TRUE(info->in_config_file) << key.name;
    if (!info->default_value.empty()) {
      EXPECT_EQ(key.value, info->default_value) << key.name;
    }
  }
}

TEST(ExampleConfig, ParsesWithEveryCommentedKeySet) {
  std::string text = read_file(kExample);
  for (const auto& key : commented_keys(text)) {
    const std::string commented = "\n# " + key.name + " = ";
    const auto at = text.find(commented);
    ASSERT_NE(at, std::string::npos) << key.name;
    text.erase(at + 1, 2);  // "# "
  }
  const auto path = std::filesystem::temp_directory_path() /
                    ("qc-example-config-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  auto settings = load(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_TRUE(settings->metrics_listen.has_value());
}

}  // namespace
}  // namespace qc::app
