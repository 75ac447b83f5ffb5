// The server's secret file: created 0600 on first use, the same bytes on every later start, and
// refused when it has the wrong size, is not hex, or group or others may read it.
#include "server/secret_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace qc::server {
namespace {

namespace fs = std::filesystem;

class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "quicchat-secret-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
    path = dir + "/server.secret";
  }
  void TearDown() override { fs::remove_all(dir); }

  void write_file(const std::string& text, mode_t mode) {
    std::ofstream(path) << text;
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
  }
  mode_t mode_of(const std::string& file) {
    struct stat st {};
    EXPECT_EQ(stat(file.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  std::string error_of(const Result<SecretFile>& r) { return r.ok() ? "" : r.error().message; }

  std::string dir;
  std::string path;
};

TEST_F(SecretFileTest, FirstUseCreatesA0600FileOf32RandomBytesInHex) {
  auto created = load_or_create_secret(path);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(created->created);
  ASSERT_EQ(created->secret.size(), 32u);
  EXPECT_NE(created->secret, std::vector<std::uint8_t>(32, 0));
  EXPECT_EQ(mode_of(path), 0600u);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.size(), 65u);
  EXPECT_EQ(text.find_first_not_of("0123456789abcdef"), 64u);
  EXPECT_EQ(text.back(), '\n');
  // Only the file itself is left: the temp file it was written to has been renamed.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST_F(SecretFileTest, LaterStartsLoadTheSameBytes) {
  auto created = load_or_create_secret(path);
  ASSERT_TRUE(created.ok());
  auto loaded = load_or_create_secret(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_FALSE(loaded->created);
  EXPECT_EQ(loaded->secret, created->secret);
}

TEST_F(SecretFileTest, TwoCreatedFilesDiffer) {
  auto first = load_or_create_secret(path);
  auto second = load_or_create_secret(dir + "/other.secret");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->secret, second->secret);
}

TEST_F(SecretFileTest, ReadsHexWrittenByAnOperator) {
  write_file(std::string(64, 'A'), 0400);  // upper case, no newline
  auto loaded = load_or_create_secret(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->secret, std::vector<std::uint8_t>(32, 0xaa));
}

TEST_F(SecretFileTest, AFileOfTheWrongSizeIsRefused) {
  write_file(std::string(62, 'a') + "\n", 0600);
  auto loaded = load_or_create_secret(path);
  EXPECT_NE(error_of(loaded).find("must hold 64 hex digits"), std::string::npos)
      << error_of(loaded);
  write_file(std::string(66, 'a') + "\n", 0600);
  EXPECT_FALSE(load_or_create_secret(path).ok());
  write_file("", 0600);
  EXPECT_FALSE(load_or_create_secret(path).ok()) << "an empty file is not a fresh start";
}

TEST_F(SecretFileTest, AFileThatIsNotHexIsRefused) {
  write_file(std::string(64, 'z') + "\n", 0600);
  auto loaded = load_or_create_secret(path);
  EXPECT_NE(error_of(loaded).find("other than hex digits"), std::string::npos) << error_of(loaded);
}

TEST_F(SecretFileTest, AFileGroupOrOthersMayReadIsRefusedAndLeftAlone) {
  for (mode_t mode : {0644u, 0640u, 0604u, 0660u}) {
    write_file(std::string(64, 'b') + "\n", mode);
    auto loaded = load_or_create_secret(path);
    const std::string error = error_of(loaded);
    EXPECT_NE(error.find("chmod 600 " + path), std::string::npos) << error;
    EXPECT_EQ(mode_of(path), mode) << "the server does not change the operator's file";
  }
}

TEST_F(SecretFileTest, AFolderThatDoesNotExistIsNamed) {
  const std::string missing = dir + "/no-such-folder/server.secret";
  auto r = load_or_create_secret(missing);
  EXPECT_NE(error_of(r).find(missing), std::string::npos) << error_of(r);
}

TEST(SecretFilePath, DefaultIsBesideTheDatabase) {
  EXPECT_EQ(default_secret_path("data/quicchat.db"), "data/server.secret");
  EXPECT_EQ(default_secret_path("/var/lib/quicchat/accounts.db"),
            "/var/lib/quicchat/server.secret");
  EXPECT_EQ(default_secret_path("quicchat.db"), "server.secret");
}

}  // namespace
}  // namespace qc::server
