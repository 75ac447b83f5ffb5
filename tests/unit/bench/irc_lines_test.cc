#include "bench/peers/irc_lines.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qc::peers {
namespace {

TEST(IrcLine, SplitsPrefixCommandMiddleAndTrailing) {
  auto line = parse_irc_line(":pbsend!pbsend@127.0.0.1 PRIVMSG #pbfan :q=1 t=2 :with colon");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->prefix, "pbsend!pbsend@127.0.0.1");
  EXPECT_EQ(line->command, "PRIVMSG");
  EXPECT_EQ(line->middle, "#pbfan");
  EXPECT_TRUE(line->has_trailing);
  EXPECT_EQ(line->trailing, "q=1 t=2 :with colon");
}

TEST(IrcLine, NumericWithoutPrefixOrTrailing) {
  auto line = parse_irc_line("PING bench.localhost");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->prefix, "");
  EXPECT_EQ(line->command, "PING");
  EXPECT_EQ(line->middle, "bench.localhost");
  EXPECT_FALSE(line->has_trailing);
}

TEST(IrcLine, TrailingRightAfterTheCommand) {
  auto line = parse_irc_line(":a MODE :+F");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->middle, "");
  EXPECT_EQ(line->trailing, "+F");
}

TEST(IrcLine, NoCommandIsNoLine) {
  EXPECT_FALSE(parse_irc_line(""));
  EXPECT_FALSE(parse_irc_line(":prefix-only"));
  EXPECT_FALSE(parse_irc_line("   "));
}

TEST(IrcLineReader, LinesSplitAcrossFeedsAndBothLineEndings) {
  IrcLineReader reader;
  std::vector<std::string> lines;
  for (std::string_view chunk : {"PI", "NG :x\r", "\nPONG y\nPRIV", "MSG a :b\r\n"}) {
    reader.feed(chunk);
    while (auto l = reader.next_line()) lines.emplace_back(*l);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"PING :x", "PONG y", "PRIVMSG a :b"}));
  EXPECT_EQ(reader.buffered_bytes(), 0u);
}

TEST(IrcLineReader, OverlongLineStopsTheStream) {
  IrcLineReader reader(8);
  reader.feed("123456789");
  EXPECT_FALSE(reader.next_line());
  EXPECT_TRUE(reader.overflowed());
  reader.feed("\nPING\n");
  EXPECT_FALSE(reader.next_line());
}

TEST(IrcLineReader, LineOfExactlyTheLimitPasses) {
  IrcLineReader reader(8);
  reader.feed("12345678\n");
  auto line = reader.next_line();
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, "12345678");
  EXPECT_FALSE(reader.overflowed());
}

}  // namespace
}  // namespace qc::peers
