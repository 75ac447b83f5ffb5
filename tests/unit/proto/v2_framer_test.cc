#include "proto/v2/framer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "proto/v2/codec.h"

namespace qc::proto::v2 {
namespace {

// What a reader yields: each body, or "error:<name>".
struct Collected {
  std::vector<std::string> events;
  std::size_t max_buffered = 0;
};

void collect(const FrameEvent& e, Collected& c) {
  if (e.kind == FrameEvent::Kind::Pdu) {
    c.events.emplace_back(e.pdu);
  } else {
    EXPECT_FALSE(e.detail.empty());
    c.events.push_back("error:" + std::string(frame_errc_name(e.error)));
  }
}

Collected feed_all(const std::vector<std::string_view>& chunks, std::size_t max = 64) {
  FrameReader reader(max);
  Collected c;
  for (std::string_view chunk : chunks) {
    const std::size_t consumed = reader.feed(chunk, [&](const FrameEvent& e) {
      collect(e, c);
      return true;
    });
    EXPECT_EQ(consumed, chunk.size());
    c.max_buffered = std::max(c.max_buffered, reader.buffered_bytes());
  }
  EXPECT_FALSE(reader.mid_frame());
  return c;
}

std::string prefixed(std::string_view body) {
  const auto n = static_cast<std::uint32_t>(body.size());
  std::string out{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                  static_cast<char>(n)};
  return out.append(body);
}

// Three frames, an empty one and one over the 64-byte limit in between.
std::string mixed_stream() {
  return encode_frame(Ping{1}) + prefixed("") + encode_frame(Send{2, {"bob"}, "", "hi", "c"}) +
         prefixed(std::string(100, '{')) + encode_frame(Logout{3});
}

const std::vector<std::string> kMixedEvents = {
    R"({"t":"ping","rid":1})", "error:empty",
    R"({"t":"send","rid":2,"to":["bob"],"text":"hi","cid":"c"})", "error:too_large",
    R"({"t":"logout","rid":3})"};

TEST(V2Framer, WholeStreamInOneChunk) {
  EXPECT_EQ(feed_all({mixed_stream()}).events, kMixedEvents);
}

TEST(V2Framer, EverySplitPointYieldsTheSameEvents) {
  const std::string stream = mixed_stream();
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    const std::string_view s = stream;
    EXPECT_EQ(feed_all({s.substr(0, split), s.substr(split)}).events, kMixedEvents) << split;
  }
}

TEST(V2Framer, ByteByByteNeverBuffersMoreThanAFrame) {
  const std::string stream = mixed_stream();
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < stream.size(); ++i)
    bytes.push_back(std::string_view(stream).substr(i, 1));
  const Collected c = feed_all(bytes);
  EXPECT_EQ(c.events, kMixedEvents);
  EXPECT_LE(c.max_buffered, 64u);
}

TEST(V2Framer, ZeroCopyWhenTheFrameIsInTheChunk) {
  const std::string stream = encode_frame(Ping{1}) + encode_frame(Ping{2});
  FrameReader reader;
  std::vector<const char*> where;
  reader.feed(stream, [&](const FrameEvent& e) {
    where.push_back(e.pdu.data());
    return true;
  });
  ASSERT_EQ(where.size(), 2u);
  EXPECT_EQ(where[0], stream.data() + kLengthPrefixBytes);
  EXPECT_EQ(where[1], stream.data() + stream.size() / 2 + kLengthPrefixBytes);
}

TEST(V2Framer, TooLargeIsReportedOnceAndSkippedWithoutBuffering) {
  // A 4 GiB frame announced, its first megabyte sent in small chunks, then nothing else of it.
  FrameReader reader(kMaxClientFrameBytes);
  int errors = 0;
  const auto on_event = [&](const FrameEvent& e) {
    EXPECT_EQ(e.kind, FrameEvent::Kind::Error);
    EXPECT_EQ(e.error, FrameErrc::TooLarge);
    EXPECT_NE(e.detail.find("4294967295 bytes is over the limit of 65536"), std::string::npos)
        << e.detail;
    ++errors;
    return true;
  };
  reader.feed(std::string("\xff\xff\xff\xff", 4), on_event);
  const std::string block(1000, 'x');
  for (int i = 0; i < 1000; ++i) {
    reader.feed(block, on_event);
    EXPECT_EQ(reader.buffered_bytes(), 0u);
    EXPECT_TRUE(reader.mid_frame());
  }
  EXPECT_EQ(errors, 1);
}

TEST(V2Framer, ResynchronisesAfterATooLargeFrame) {
  const std::string stream = prefixed(std::string(65, 'x')) + encode_frame(Ping{7});
  EXPECT_EQ(feed_all({stream}).events,
            (std::vector<std::string>{"error:too_large", R"({"t":"ping","rid":7})"}));
  // Exactly at the limit is accepted.
  EXPECT_EQ(feed_all({prefixed(std::string(64, 'x'))}).events,
            std::vector<std::string>{std::string(64, 'x')});
}

TEST(V2Framer, AClientTakesLargerFramesThanAServer) {
  const Msg big{"all", 1, 1, 0, "alice", {}, std::string(100 * 1024, 'x'), ""};
  const std::string frame = encode_frame(big);
  for (const std::size_t limit : {kMaxClientFrameBytes, kMaxServerFrameBytes}) {
    FrameReader reader(limit);
    std::vector<FrameEvent> events;
    reader.feed(frame, [&](const FrameEvent& e) {
      events.push_back(e);
      return true;
    });
    ASSERT_EQ(events.size(), 1u);
    if (limit == kMaxClientFrameBytes) {
      EXPECT_EQ(events[0].error, FrameErrc::TooLarge);
      continue;
    }
    ASSERT_EQ(events[0].kind, FrameEvent::Kind::Pdu);
    auto decoded = decode_body(events[0].pdu, DecodeLimits{kMaxServerFrameBytes, 16});
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, Frame(big));
  }
}

TEST(V2Framer, EmptyFramesAreReportedAndSkipped) {
  EXPECT_EQ(feed_all({prefixed("") + prefixed("") + prefixed("{}")}).events,
            (std::vector<std::string>{"error:empty", "error:empty", "{}"}));
}

TEST(V2Framer, MidFrame) {
  FrameReader reader;
  const auto ignore = [](const FrameEvent&) { return true; };
  const std::string frame = encode_frame(Ping{1});
  reader.feed(std::string_view(frame).substr(0, 2), ignore);
  EXPECT_TRUE(reader.mid_frame());
  EXPECT_EQ(reader.buffered_bytes(), 2u);
  reader.feed(std::string_view(frame).substr(2, 5), ignore);
  EXPECT_TRUE(reader.mid_frame());
  EXPECT_EQ(reader.buffered_bytes(), 3u);  // body bytes
  reader.feed(std::string_view(frame).substr(7), ignore);
  EXPECT_FALSE(reader.mid_frame());
  EXPECT_EQ(reader.buffered_bytes(), 0u);
}

TEST(V2Framer, StopsWhenTheCallbackSaysSoAndResumes) {
  const std::string stream = mixed_stream();
  for (std::size_t stop_after = 0; stop_after < kMixedEvents.size(); ++stop_after) {
    FrameReader reader(64);
    Collected c;
    std::string_view rest = stream;
    while (!rest.empty()) {
      const std::size_t consumed = reader.feed(rest, [&](const FrameEvent& e) {
        collect(e, c);
        return c.events.size() != stop_after + 1;
      });
      ASSERT_LE(consumed, rest.size());
      rest.remove_prefix(consumed);
    }
    EXPECT_EQ(c.events, kMixedEvents) << stop_after;
  }
}

TEST(V2Framer, StopReturnsTheOffsetJustAfterTheFrame) {
  const std::string first = encode_frame(Ping{1});
  const std::string stream = first + encode_frame(Ping{2});
  FrameReader reader;
  EXPECT_EQ(reader.feed(stream, [](const FrameEvent&) { return false; }), first.size());
  EXPECT_FALSE(reader.mid_frame());
}

TEST(V2Framer, ReassembledBodyStaysValidUntilTheNextFeed) {
  const std::string frame = encode_frame(Ping{1});
  FrameReader reader;
  std::string_view seen;
  reader.feed(std::string_view(frame).substr(0, 6), [&](const FrameEvent&) { return true; });
  reader.feed(std::string_view(frame).substr(6), [&](const FrameEvent& e) {
    seen = e.pdu;
    return true;
  });
  EXPECT_EQ(seen, R"({"t":"ping","rid":1})");
}

}  // namespace
}  // namespace qc::proto::v2
