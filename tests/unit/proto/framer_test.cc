#include "proto/framer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "proto/codec.h"

namespace qc::proto {
namespace {

struct Collected {
  std::vector<std::string> pdus;
  std::vector<FrameErrc> errors;
  std::size_t max_buffered = 0;
};

// Feeds `chunks` in order, copying every PDU out of its event.
Collected feed_all(StreamFramer& framer, const std::vector<std::string>& chunks) {
  Collected c;
  for (const std::string& chunk : chunks) {
    framer.feed(chunk, [&](const FrameEvent& e) {
      if (e.kind == FrameEvent::Kind::Pdu) {
        c.pdus.emplace_back(e.pdu);
      } else {
        c.errors.push_back(e.error);
        EXPECT_FALSE(e.detail.empty());
      }
    });
    c.max_buffered = std::max(c.max_buffered, framer.buffered_bytes());
  }
  return c;
}

Collected feed_all(const std::vector<std::string>& chunks, std::size_t max = kDefaultMaxPduBytes,
                   int depth = 16) {
  StreamFramer framer(max, depth);
  return feed_all(framer, chunks);
}

std::vector<std::string> three_pdus() {
  return {
      encode(make_pdu(MsgType::Login, encode_login({"al}ce{", "p\"1\\"}))),
      encode(make_pdu(MsgType::Broadcast, encode_broadcast({"{[\"}\\\"{"}))),
      encode(make_pdu(MsgType::Alive, std::string(kAliveText))),
      R"({"a": "\\", "b": {"c": ["}"]}})",
  };
}

std::string concat(const std::vector<std::string>& parts, std::string_view sep = "") {
  std::string out;
  for (const auto& p : parts) out += std::string(p) + std::string(sep);
  return out;
}

TEST(Framer, EverySplitPointYieldsExactlyThePdus) {
  const auto pdus = three_pdus();
  const std::string stream = concat(pdus);
  for (std::size_t i = 0; i <= stream.size(); ++i) {
    const Collected c = feed_all({stream.substr(0, i), stream.substr(i)});
    EXPECT_EQ(c.pdus, pdus) << "split at " << i;
    EXPECT_TRUE(c.errors.empty()) << "split at " << i;
  }
}

TEST(Framer, EveryPairOfSplitPointsYieldsExactlyThePdus) {
  const auto pdus = three_pdus();
  const std::string stream = concat(pdus, "\n");
  for (std::size_t i = 0; i <= stream.size(); i += 3) {
    for (std::size_t j = i; j <= stream.size(); j += 5) {
      const Collected c =
          feed_all({stream.substr(0, i), stream.substr(i, j - i), stream.substr(j)});
      ASSERT_EQ(c.pdus, pdus) << "split at " << i << "," << j;
    }
  }
}

TEST(Framer, ByteByByte) {
  const auto pdus = three_pdus();
  const std::string stream = concat(pdus, " \r\n\t");
  std::vector<std::string> bytes;
  for (char ch : stream) bytes.emplace_back(1, ch);
  const Collected c = feed_all(bytes);
  EXPECT_EQ(c.pdus, pdus);
  EXPECT_TRUE(c.errors.empty());
}

TEST(Framer, CoalescedPdusInOneChunkAreZeroCopy) {
  const auto pdus = three_pdus();
  const std::string stream = concat(pdus);
  StreamFramer framer;
  std::vector<std::string_view> views;
  framer.feed(stream, [&](const FrameEvent& e) { views.push_back(e.pdu); });
  ASSERT_EQ(views.size(), pdus.size());
  for (std::size_t i = 0; i < views.size(); ++i) {
    EXPECT_EQ(views[i], pdus[i]);
    EXPECT_GE(views[i].data(), stream.data());
    EXPECT_LT(views[i].data(), stream.data() + stream.size()) << "PDU " << i << " was copied";
  }
  EXPECT_EQ(framer.buffered_bytes(), 0u);
  EXPECT_FALSE(framer.mid_object());
}

TEST(Framer, PartialObjectIsBufferedAndReported) {
  StreamFramer framer;
  Collected c = feed_all(framer, {"{\"a\": \"}"});
  EXPECT_TRUE(c.pdus.empty());
  EXPECT_TRUE(framer.mid_object());
  EXPECT_EQ(framer.buffered_bytes(), 8u);
  c = feed_all(framer, {"\"}"});
  EXPECT_EQ(c.pdus, std::vector<std::string>{"{\"a\": \"}\"}"});
  EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(Framer, GarbageBetweenObjectsIsOneEventPerRun) {
  const std::string a = R"({"x": 1})", b = R"({"y": "z"})";
  const Collected c = feed_all({"  junk here " + a + "\n]]" + b + "x", "yz  "});
  EXPECT_EQ(c.pdus, (std::vector<std::string>{a, b}));
  EXPECT_EQ(c.errors,
            (std::vector<FrameErrc>{FrameErrc::Garbage, FrameErrc::Garbage, FrameErrc::Garbage}));
}

TEST(Framer, GarbageRunSpanningChunksIsOneEvent) {
  const Collected c = feed_all({"abc", "def", "ghi{}"});
  EXPECT_EQ(c.pdus, std::vector<std::string>{"{}"});
  EXPECT_EQ(c.errors, std::vector<FrameErrc>{FrameErrc::Garbage});
}

TEST(Framer, OversizeObjectIsDiscardedWithoutBuffering) {
  constexpr std::size_t kMax = 64;
  const std::string big = R"({"msg": ")" + std::string(200, 'x') + R"(}{\"", "n": {"deep": [1]}})";
  const std::string ok = R"({"after": true})";
  const std::string stream = big + ok + big + ok;
  for (std::size_t step : {1u, 7u, 50u, 1000u}) {
    StreamFramer framer(kMax);
    std::vector<std::string> chunks;
    for (std::size_t i = 0; i < stream.size(); i += step) chunks.push_back(stream.substr(i, step));
    const Collected c = feed_all(framer, chunks);
    EXPECT_EQ(c.pdus, (std::vector<std::string>{ok, ok})) << "step " << step;
    EXPECT_EQ(c.errors, (std::vector<FrameErrc>{FrameErrc::TooLarge, FrameErrc::TooLarge}))
        << "step " << step;
    EXPECT_LE(c.max_buffered, kMax);
  }
}

TEST(Framer, ObjectOfExactlyTheLimitPasses) {
  const std::string pdu = R"({"k": "abcdef"})";
  EXPECT_EQ(feed_all({pdu}, pdu.size()).pdus, std::vector<std::string>{pdu});
  const Collected over = feed_all({pdu}, pdu.size() - 1);
  EXPECT_TRUE(over.pdus.empty());
  EXPECT_EQ(over.errors, std::vector<FrameErrc>{FrameErrc::TooLarge});
}

TEST(Framer, DeepNestingIsDiscarded) {
  const std::string deep = std::string(10, '{') + std::string(10, '}');
  const std::string shallow = R"({"a": [{"b": 1}]})";
  const Collected c = feed_all({deep + shallow, deep.substr(0, 4), deep.substr(4) + shallow},
                               kDefaultMaxPduBytes, 4);
  EXPECT_EQ(c.pdus, (std::vector<std::string>{shallow, shallow}));
  EXPECT_EQ(c.errors, (std::vector<FrameErrc>{FrameErrc::TooDeep, FrameErrc::TooDeep}));
}

TEST(Framer, DepthCountsArraysAndIgnoresBracketsInStrings) {
  const std::string at_limit = R"({"a": [["{{{{"]]})";
  EXPECT_EQ(feed_all({at_limit}, kDefaultMaxPduBytes, 3).pdus, std::vector<std::string>{at_limit});
  EXPECT_EQ(feed_all({at_limit}, kDefaultMaxPduBytes, 2).errors,
            std::vector<FrameErrc>{FrameErrc::TooDeep});
}

TEST(Framer, ReassembledViewStaysValidUntilNextFeed) {
  StreamFramer framer;
  std::string_view kept;
  framer.feed("{\"a\":", [](const FrameEvent&) {});
  framer.feed(" 1}{\"b\"", [&](const FrameEvent& e) { kept = e.pdu; });
  EXPECT_EQ(kept, "{\"a\": 1}");
  EXPECT_EQ(framer.buffered_bytes(), 4u);
}

TEST(Framer, OnlyABraceClosesTheTopLevelObject) {
  const std::string odd = R"({"a": 1]]"b": [2]})";
  const Collected c = feed_all({odd + "{}"});
  EXPECT_EQ(c.pdus, (std::vector<std::string>{odd, "{}"}));
  EXPECT_TRUE(c.errors.empty());
}

TEST(Framer, ErrcNames) {
  EXPECT_EQ(frame_errc_name(FrameErrc::Garbage), "garbage");
  EXPECT_EQ(frame_errc_name(FrameErrc::TooLarge), "too_large");
  EXPECT_EQ(frame_errc_name(FrameErrc::TooDeep), "too_deep");
}

}  // namespace
}  // namespace qc::proto
