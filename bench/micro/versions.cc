// Protocol v1 against v2, ns per PDU, for the same texts (16, 256 and 4,096 bytes of printable
// ASCII): encoding a delivery, decoding a message request, and framing a stream of 1,000
// deliveries cut into 1,200-byte chunks (about one QUIC packet each).
#include <benchmark/benchmark.h>

#include <algorithm>

#include "proto/codec.h"
#include "proto/framer.h"
#include "proto/v2/codec.h"
#include "proto/v2/framer.h"

namespace {

namespace v2 = qc::proto::v2;
using qc::proto::MsgType;

constexpr std::int64_t kTs = 1764650000000;
constexpr int kStreamPdus = 1000;
constexpr std::size_t kChunkBytes = 1200;

std::string text_of(benchmark::State& state) {
  const std::string_view words = "the quick brown fox jumps over the lazy dog, ";
  std::string text;
  while (text.size() < static_cast<std::size_t>(state.range(0))) text += words;
  text.resize(static_cast<std::size_t>(state.range(0)));
  return text;
}

std::string v1_delivery(const std::string& text) {
  return qc::proto::encode(
      qc::proto::make_pdu(MsgType::OneToOne, qc::proto::encode_delivery({42, "alice", text})));
}

std::string v2_delivery(const std::string& text) {
  std::string out;
  v2::append_msg(out, "@alice,bob", 1234, 1, kTs, "alice", "bob", text, "");
  return out;
}

void BM_V1EncodeDelivery(benchmark::State& state) {
  const std::string text = text_of(state);
  for (auto _ : state) benchmark::DoNotOptimize(v1_delivery(text));
  state.SetItemsProcessed(state.iterations());
}

void BM_V2EncodeDelivery(benchmark::State& state) {
  const std::string text = text_of(state);
  for (auto _ : state) benchmark::DoNotOptimize(v2_delivery(text));
  state.SetItemsProcessed(state.iterations());
}

void BM_V1DecodeSend(benchmark::State& state) {
  const std::string bytes = qc::proto::encode(
      qc::proto::make_pdu(MsgType::OneToOne, qc::proto::encode_one_to_one({"2", text_of(state)})));
  for (auto _ : state) {
    auto pdu = qc::proto::decode(bytes);
    auto request = qc::proto::decode_one_to_one(pdu->msg);
    benchmark::DoNotOptimize(request);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_V2DecodeSend(benchmark::State& state) {
  const std::string body = v2::encode_body(v2::Send{17, {"bob"}, "", text_of(state), "c-17"});
  for (auto _ : state) {
    auto frame = v2::decode_body(body);
    benchmark::DoNotOptimize(frame);
  }
  state.SetItemsProcessed(state.iterations());
}

// Feeds `stream` in kChunkBytes chunks to a fresh framer per iteration; counts the PDUs.
template <class Feed>
void frame_stream(benchmark::State& state, const std::string& pdu, Feed feed) {
  std::string stream;
  for (int i = 0; i < kStreamPdus; ++i) stream += pdu;
  std::size_t framed = 0;
  for (auto _ : state) framed += feed(stream);
  if (framed != static_cast<std::size_t>(kStreamPdus) * state.iterations())
    state.SkipWithError("lost PDUs");
  state.SetItemsProcessed(state.iterations() * kStreamPdus);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}

template <class Framer, class FeedChunk>
std::size_t feed_in_chunks(const std::string& stream, Framer& framer, FeedChunk feed_chunk) {
  std::size_t framed = 0;
  for (std::size_t at = 0; at < stream.size(); at += kChunkBytes) {
    const std::string_view chunk(stream.data() + at, std::min(kChunkBytes, stream.size() - at));
    feed_chunk(framer, chunk, framed);
  }
  return framed;
}

void BM_V1FrameStream(benchmark::State& state) {
  frame_stream(state, v1_delivery(text_of(state)), [](const std::string& stream) {
    qc::proto::StreamFramer framer;
    return feed_in_chunks(stream, framer, [](auto& f, std::string_view chunk, std::size_t& n) {
      f.feed(chunk, [&](const qc::proto::FrameEvent& ev) {
        benchmark::DoNotOptimize(ev.pdu.data());
        ++n;
      });
    });
  });
}

void BM_V2FrameStream(benchmark::State& state) {
  frame_stream(state, v2_delivery(text_of(state)), [](const std::string& stream) {
    v2::FrameReader reader(v2::kMaxServerFrameBytes);
    return feed_in_chunks(stream, reader, [](auto& r, std::string_view chunk, std::size_t& n) {
      r.feed(chunk, [&](const qc::proto::FrameEvent& ev) {
        benchmark::DoNotOptimize(ev.pdu.data());
        ++n;
        return true;
      });
    });
  });
}

#define QC_TEXT_SIZES Arg(16)->Arg(256)->Arg(4096)
BENCHMARK(BM_V1EncodeDelivery)->QC_TEXT_SIZES;
BENCHMARK(BM_V2EncodeDelivery)->QC_TEXT_SIZES;
BENCHMARK(BM_V1DecodeSend)->QC_TEXT_SIZES;
BENCHMARK(BM_V2DecodeSend)->QC_TEXT_SIZES;
BENCHMARK(BM_V1FrameStream)->QC_TEXT_SIZES;
BENCHMARK(BM_V2FrameStream)->QC_TEXT_SIZES;

}  // namespace
