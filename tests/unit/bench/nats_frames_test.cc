#include "bench/peers/nats_frames.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qc::peers {
namespace {

std::vector<std::string> frames_of(NatsFrameReader& reader) {
  std::vector<std::string> out;
  while (auto f = reader.next()) {
    switch (f->kind) {
      case NatsKind::Msg:
        out.push_back("MSG " + std::string(f->subject) + " " + std::string(f->sid) + " [" +
                      std::string(f->payload) + "]");
        break;
      case NatsKind::Info:
        out.push_back("INFO " + std::string(f->payload));
        break;
      case NatsKind::Err:
        out.push_back("ERR " + std::string(f->payload));
        break;
      case NatsKind::Ping:
        out.push_back("PING");
        break;
      case NatsKind::Pong:
        out.push_back("PONG");
        break;
      case NatsKind::Ok:
        out.push_back("OK");
        break;
    }
  }
  return out;
}

TEST(NatsFrameReader, ControlLinesAndMessages) {
  NatsFrameReader reader;
  reader.feed(
      "INFO {\"a\":1}\r\nPING\r\n+OK\r\nMSG pb.fan 1 5\r\nhe\r\nl\r\nMSG pb.u.b 7 reply "
      "0\r\n\r\npong\r\n");
  EXPECT_EQ(frames_of(reader),
            (std::vector<std::string>{"INFO {\"a\":1}", "PING", "OK", "MSG pb.fan 1 [he\r\nl]",
                                      "MSG pb.u.b 7 []", "PONG"}));
  EXPECT_TRUE(reader.failed().empty());
}

TEST(NatsFrameReader, WaitsForTheWholePayload) {
  NatsFrameReader reader;
  reader.feed("MSG s 1 4\r\nab");
  EXPECT_TRUE(frames_of(reader).empty());
  reader.feed("cd\r");
  EXPECT_TRUE(frames_of(reader).empty());
  reader.feed("\n");
  EXPECT_EQ(frames_of(reader), (std::vector<std::string>{"MSG s 1 [abcd]"}));
  EXPECT_EQ(reader.buffered_bytes(), 0u);
}

TEST(NatsFrameReader, ErrIsAFrame) {
  NatsFrameReader reader;
  reader.feed("-ERR 'Authorization Violation'\r\n");
  EXPECT_EQ(frames_of(reader), (std::vector<std::string>{"ERR 'Authorization Violation'"}));
}

TEST(NatsFrameReader, BrokenStreams) {
  for (std::string bad :
       {"HELLO\r\n", "MSG s 1\r\n", "MSG s 1 x\r\n", "MSG s 1 2\r\nabXY", "MSG a b c d 1\r\n"}) {
    NatsFrameReader reader;
    reader.feed(bad);
    EXPECT_TRUE(frames_of(reader).empty()) << bad;
    EXPECT_FALSE(reader.failed().empty()) << bad;
  }
}

TEST(NatsFrameReader, LimitsOnLineAndPayload) {
  NatsFrameReader line_limit(8, 16);
  line_limit.feed("0123456789");
  EXPECT_TRUE(frames_of(line_limit).empty());
  EXPECT_FALSE(line_limit.failed().empty());
  NatsFrameReader payload_limit(64, 16);
  payload_limit.feed("MSG s 1 17\r\n");
  EXPECT_TRUE(frames_of(payload_limit).empty());
  EXPECT_FALSE(payload_limit.failed().empty());
}

}  // namespace
}  // namespace qc::peers
