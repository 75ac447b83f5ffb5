// The client's config file: where it is looked for, the precedence command line > file >
// built-in default, paths in the file taken from its folder, --save-config, and how --server's
// port and --port settle.
#include "quicchat/client/client_config.h"

#include <gtest/gtest.h>

#include "../support/temp_dir.h"
#include "quicchat/client/client_options.h"

namespace qc::app {
namespace {

using qc::testing::read_file;
using qc::testing::TempDir;
using qc::testing::write_file;

class ClientConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }

  // The settings from `args` and the config file at `path` (the default location).
  Result<ClientSettings> settings(std::vector<std::string> args, const std::string& path) {
    Flags flags = make_client_flags();
    if (auto parsed = flags.parse(args); !parsed) return Unexpected{parsed.error()};
    auto source = apply_client_config(flags, path);
    if (!source) return Unexpected{source.error()};
    return client_settings_from(flags, *source);
  }

  std::string config(const std::string& text) {
    const std::string path = dir_.file("client.toml");
    write_file(path, text);
    return path;
  }

  TempDir dir_;
};

TEST(ClientConfigPath, XdgConfigHomeElseHomeElseNone) {
  EXPECT_EQ(client_config_path("/x", "/home/u"), "/x/quicchat/client.toml");
  EXPECT_EQ(client_config_path("", "/home/u"), "/home/u/.config/quicchat/client.toml");
  EXPECT_EQ(client_config_path("", ""), "");
}

TEST_F(ClientConfigTest, BuiltInDefaultsWithoutAFileAndTheSystemTrustStore) {
  auto s = settings({}, dir_.file("missing.toml"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->chat.transport.host, "localhost");
  EXPECT_EQ(s->chat.transport.port, 4433);
  EXPECT_EQ(s->chat.transport.ca_file, "") << "no CA named: the system trust store";
  EXPECT_FALSE(s->app.username);
}

TEST_F(ClientConfigTest, TheFileOverTheDefaultsAndTheCommandLineOverTheFile) {
  const std::string path = config(
      "server = \"chat.example.org\"\nport = 5000\nca = \"/etc/chat-ca.pem\"\nuser = \"alice\"\n"
      "reconnect = true\n");
  auto from_file = settings({}, path);
  ASSERT_TRUE(from_file) << from_file.error().message;
  EXPECT_EQ(from_file->chat.transport.host, "chat.example.org");
  EXPECT_EQ(from_file->chat.transport.port, 5000);
  EXPECT_EQ(from_file->chat.transport.ca_file, "/etc/chat-ca.pem");
  EXPECT_EQ(from_file->app.username, "alice");
  EXPECT_TRUE(from_file->app.reconnect);

  auto overridden = settings({"--port", "6000", "--user", "bob", "--ca", ""}, path);
  ASSERT_TRUE(overridden) << overridden.error().message;
  EXPECT_EQ(overridden->chat.transport.host, "chat.example.org");
  EXPECT_EQ(overridden->chat.transport.port, 6000);
  EXPECT_EQ(overridden->app.username, "bob");
  EXPECT_EQ(overridden->chat.transport.ca_file, "") << "--ca '' beats the file's ca";
}

TEST_F(ClientConfigTest, ARelativeCaIsTakenFromTheFilesFolder) {
  const std::string path = config("ca = \"certs/dev.pem\"\n");
  auto s = settings({}, path);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->chat.transport.ca_file, dir_.file("certs/dev.pem"));
  auto given = settings({"--ca", "here.pem"}, path);
  ASSERT_TRUE(given) << given.error().message;
  EXPECT_EQ(given->chat.transport.ca_file, "here.pem") << "the command line's stays as given";
}

TEST_F(ClientConfigTest, ConfigNamesAnotherFileOrNone) {
  const std::string other = dir_.file("other.toml");
  write_file(other, "user = \"cam\"\n");
  const std::string path = config("user = \"alice\"\n");
  auto s = settings({"--config", other}, path);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->app.username, "cam");
  auto none = settings({"--config", ""}, path);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->app.username);
  auto missing = settings({"--config", dir_.file("nope.toml")}, path);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            dir_.file("nope.toml") + ": cannot read: No such file or directory");
}

TEST_F(ClientConfigTest, BadFilesAreRefusedWithTheFileNamed) {
  const std::string path = dir_.file("client.toml");
  write_file(path, "colour = \"blue\"\n");
  auto unknown = settings({}, path);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, path + ":1: unknown option 'colour'");
  write_file(path, "save-config = true\n");
  auto forbidden = settings({}, path);
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().message, path + ":1: 'save-config' cannot be set in a file");
  write_file(path, "port = 99999\n");
  auto range = settings({}, path);
  ASSERT_FALSE(range);
  EXPECT_EQ(range.error().message, path + ":1: port must be between 1 and 65535");
}

TEST_F(ClientConfigTest, APortInServerAndPortSettleByLevel) {
  auto both_given = settings({"--server", "[::1]:5000", "--port", "5000"}, "");
  ASSERT_TRUE(both_given) << both_given.error().message;
  EXPECT_EQ(both_given->chat.transport.port, 5000);
  auto clash = settings({"--server", "[::1]:5000", "--port", "6000"}, "");
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().message, "--server names port 5000 but --port says 6000");

  const std::string path = config("server = \"h:5000\"\n");
  auto port_over_file = settings({"--port", "6000"}, path);
  ASSERT_TRUE(port_over_file) << port_over_file.error().message;
  EXPECT_EQ(port_over_file->chat.transport.port, 6000);
  write_file(path, "port = 6000\n");
  auto server_over_file = settings({"--server", "h:7000"}, path);
  ASSERT_TRUE(server_over_file) << server_over_file.error().message;
  EXPECT_EQ(server_over_file->chat.transport.port, 7000);
  write_file(path, "server = \"h:5000\"\nport = 6000\n");
  auto file_clash = settings({}, path);
  ASSERT_FALSE(file_clash);
  EXPECT_EQ(file_clash.error().message,
            "'server' in " + path + " names port 5000 but 'port' in " + path + " says 6000");
}

TEST_F(ClientConfigTest, Ipv6LabelsAreBracketedAndTheStateFolderKeepsItsName) {
  auto s = settings({"--server", "[::1]"}, "");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->chat.transport.host, "::1");
  EXPECT_EQ(s->app.server_label, "[::1]:4433");
  EXPECT_EQ(s->app.state_key, "::1:4433") << "the folder `--server ::1` has always used";
  auto bad = settings({"--server", "[::1"}, "");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--server '[::1': missing ']'");
}

TEST_F(ClientConfigTest, AServerListKeepsEachPortAndTheFirstEntryNamesTheStateFolder) {
  auto s = settings({"--server", "[::1]:5000,b.example,c.example:6000", "--port", "7000"}, "");
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->servers.size(), 3u);
  EXPECT_EQ(s->servers[0].host, "::1");
  EXPECT_EQ(s->servers[0].port, 5000);
  EXPECT_EQ(s->servers[1].port, 7000) << "an entry without a port takes --port";
  EXPECT_EQ(s->servers[2].port, 6000);
  EXPECT_EQ(s->app.state_key, "::1:5000") << "the first entry's, wherever the client connects";
  EXPECT_EQ(s->app.server_label, "[::1]:5000, b.example:7000, c.example:6000");
  // One entry is the single server of old: its state folder and port rules do not change.
  auto one = settings({"--server", "h:5000"}, "");
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_EQ(one->servers.size(), 1u);
  EXPECT_EQ(one->servers[0].port, 5000);
  EXPECT_EQ(one->app.state_key, "h:5000");
  auto bad = settings({"--server", "a,,b"}, "");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--server 'a,,b': entry 2 is empty");
}

TEST_F(ClientConfigTest, VerificationHintNamesWhereTheCaCameFrom) {
  auto system = settings({}, "");
  ASSERT_TRUE(system) << system.error().message;
  EXPECT_NE(system->app.verify_hint.find("system trust store"), std::string::npos);
  EXPECT_NE(system->app.verify_hint.find("--ca FILE"), std::string::npos);
  const std::string path = config("ca = \"/etc/chat-ca.pem\"\n");
  auto from_file = settings({}, path);
  ASSERT_TRUE(from_file) << from_file.error().message;
  EXPECT_EQ(from_file->app.verify_hint, " (checked against /etc/chat-ca.pem, from 'ca' in " + path +
                                            "; --ca '' uses the system trust store)");
}

TEST_F(ClientConfigTest, SaveConfigWritesTheGivenOptionsOnceAndReadsBackTheSame) {
  const std::string path = dir_.file("cfg/quicchat/client.toml");
  Flags flags = make_client_flags();
  ASSERT_TRUE(flags.parse({"--save-config", "--server", "127.0.0.1", "--port", "4433", "--ca",
                           "/srv/certs/../certs/quic_certificate.pem", "--reconnect"}));
  auto saved = save_client_config(flags, path);
  ASSERT_TRUE(saved) << saved.error().message;
  EXPECT_EQ(*saved, path);
  const std::string text = read_file(path);
  EXPECT_NE(text.find("ca = '/srv/certs/quic_certificate.pem'"), std::string::npos) << text;
  EXPECT_NE(text.find("port = 4433"), std::string::npos) << text;
  EXPECT_NE(text.find("reconnect = true"), std::string::npos) << text;
  EXPECT_EQ(text.find("save-config"), std::string::npos) << text;

  auto s = settings({}, path);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->chat.transport.host, "127.0.0.1");
  EXPECT_EQ(s->chat.transport.ca_file, "/srv/certs/quic_certificate.pem");
  EXPECT_TRUE(s->app.reconnect);

  Flags again = make_client_flags();
  ASSERT_TRUE(again.parse({"--save-config", "--server", "elsewhere"}));
  auto refused = save_client_config(again, path);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "config_exists");
  EXPECT_EQ(read_file(path), text) << "an existing file is never replaced";
}

TEST_F(ClientConfigTest, SaveConfigMakesARelativeCaAbsolute) {
  Flags flags = make_client_flags();
  ASSERT_TRUE(flags.parse({"--save-config", "--ca", "certs/quic_certificate.pem"}));
  ASSERT_TRUE(save_client_config(flags, dir_.file("client.toml")));
  const std::string expected =
      (std::filesystem::current_path() / "certs/quic_certificate.pem").string();
  EXPECT_NE(read_file(dir_.file("client.toml")).find(expected), std::string::npos);
}

TEST_F(ClientConfigTest, SaveConfigNeedsSomethingToSave) {
  Flags flags = make_client_flags();
  ASSERT_TRUE(flags.parse({"--save-config"}));
  auto saved = save_client_config(flags, dir_.file("client.toml"));
  ASSERT_FALSE(saved);
  EXPECT_EQ(saved.error().code, "usage");
}

}  // namespace
}  // namespace qc::app
