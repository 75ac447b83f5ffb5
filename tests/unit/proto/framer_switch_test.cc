// StreamFramer::feed_until: stopping v1 framing after a PDU so that the rest of the stream, even
// the rest of the same chunk, goes to v2's FrameReader (the switch after a VERSIONS reply).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/codec.h"
#include "proto/framer.h"
#include "proto/v2/codec.h"
#include "proto/v2/framer.h"

namespace qc::proto {
namespace {

std::string versions_reply() {
  return encode(make_pdu(MsgType::Versions, encode_versions_reply({2, std::nullopt})));
}

std::string alive() { return encode(make_pdu(MsgType::Alive, std::string(kAliveText))); }

// A reader that frames v1 until a VERSIONS PDU, then v2; events as "v1:<pdu>" / "v2:<body>".
class SwitchingReader {
 public:
  void feed(std::string_view chunk) {
    if (!switched_) {
      const std::size_t consumed = v1_.feed_until(chunk, [&](const FrameEvent& e) {
        events.push_back("v1:" + std::string(e.pdu));
        auto pdu = decode(e.pdu);
        switched_ = pdu.ok() && pdu->type == MsgType::Versions;
        return !switched_;
      });
      if (switched_) {
        EXPECT_FALSE(v1_.mid_object());
        EXPECT_EQ(v1_.buffered_bytes(), 0u);
      } else {
        EXPECT_EQ(consumed, chunk.size());
      }
      chunk.remove_prefix(consumed);
    }
    if (switched_) {
      v2_.feed(chunk, [&](const FrameEvent& e) {
        events.push_back("v2:" + std::string(e.pdu));
        return true;
      });
    }
  }
  std::vector<std::string> events;

 private:
  StreamFramer v1_;
  v2::FrameReader v2_;
  bool switched_ = false;
};

// v1 PDUs, the VERSIONS reply, then v2 frames whose bytes include '{' and '}' and zero bytes.
std::string switching_stream() {
  return alive() + versions_reply() + v2::encode_frame(v2::Ping{1}) +
         v2::encode_frame(v2::Send{2, {}, "all", "}{", ""});
}

const std::vector<std::string>& switching_events() {
  static const std::vector<std::string> events = {
      "v1:" + alive(), "v1:" + versions_reply(), R"(v2:{"t":"ping","rid":1})",
      R"(v2:{"t":"send","rid":2,"conv":"all","text":"}{"})"};
  return events;
}

TEST(FramerSwitch, StopsRightAfterThePduAndLeavesTheRestOfTheChunk) {
  const std::string stream = switching_stream();
  StreamFramer framer;
  int pdus = 0;
  const std::size_t consumed = framer.feed_until(stream, [&](const FrameEvent&) {
    return ++pdus < 2;  // stop after the second PDU (the VERSIONS reply)
  });
  EXPECT_EQ(consumed, alive().size() + versions_reply().size());
  EXPECT_FALSE(framer.mid_object());
}

TEST(FramerSwitch, EverySplitPointSwitchesAtTheSameByte) {
  const std::string stream = switching_stream();
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    SwitchingReader reader;
    reader.feed(std::string_view(stream).substr(0, split));
    reader.feed(std::string_view(stream).substr(split));
    EXPECT_EQ(reader.events, switching_events()) << "split at " << split;
  }
}

TEST(FramerSwitch, ByteByByte) {
  const std::string stream = switching_stream();
  SwitchingReader reader;
  for (char c : stream) reader.feed(std::string_view(&c, 1));
  EXPECT_EQ(reader.events, switching_events());
}

TEST(FramerSwitch, FeedUntilThatNeverStopsIsFeed) {
  const std::string stream = alive() + "x" + alive() + "{\"partial";
  StreamFramer a, b;
  std::vector<std::string> by_feed, by_feed_until;
  a.feed(stream, [&](const FrameEvent& e) {
    by_feed.push_back(e.kind == FrameEvent::Kind::Pdu ? std::string(e.pdu) : e.detail);
  });
  EXPECT_EQ(b.feed_until(stream,
                         [&](const FrameEvent& e) {
                           by_feed_until.push_back(
                               e.kind == FrameEvent::Kind::Pdu ? std::string(e.pdu) : e.detail);
                           return true;
                         }),
            stream.size());
  EXPECT_EQ(by_feed, by_feed_until);
  EXPECT_EQ(by_feed.size(), 3u);  // two PDUs and one garbage run
  EXPECT_EQ(a.buffered_bytes(), b.buffered_bytes());
  EXPECT_TRUE(b.mid_object());
}

TEST(FramerSwitch, StoppedFramerResumesWithTheRest) {
  const std::string stream = alive() + alive() + alive();
  StreamFramer framer;
  std::string_view rest = stream;
  int pdus = 0;
  while (!rest.empty()) {
    const std::size_t consumed = framer.feed_until(rest, [&](const FrameEvent&) {
      ++pdus;
      return false;
    });
    EXPECT_EQ(consumed, alive().size());
    rest.remove_prefix(consumed);
  }
  EXPECT_EQ(pdus, 3);
}

}  // namespace
}  // namespace qc::proto
