// Framer: a stream of 1,000 delivery PDUs, fed whole (one chunk per PDU) or split into
// 1,200-byte chunks (about one QUIC packet each, so PDUs straddle chunks). ns per PDU.
#include <benchmark/benchmark.h>

#include <algorithm>

#include "proto/codec.h"
#include "proto/framer.h"

namespace {

constexpr int kPdus = 1000;

std::string one_pdu() {
  return qc::proto::encode(
      qc::proto::make_pdu(qc::proto::MsgType::Broadcast,
                          qc::proto::encode_delivery({42, "alice", std::string(64, 'x')})));
}

void feed_chunks(benchmark::State& state, std::size_t chunk_bytes) {
  const std::string pdu = one_pdu();
  std::string stream;
  for (int i = 0; i < kPdus; ++i) stream += pdu;
  if (chunk_bytes == 0) chunk_bytes = pdu.size();
  std::size_t framed = 0;
  for (auto _ : state) {
    qc::proto::StreamFramer framer;
    for (std::size_t at = 0; at < stream.size(); at += chunk_bytes) {
      const std::string_view chunk(stream.data() + at, std::min(chunk_bytes, stream.size() - at));
      framer.feed(chunk, [&](const qc::proto::FrameEvent& ev) {
        benchmark::DoNotOptimize(ev.pdu.data());
        ++framed;
      });
    }
  }
  if (framed != static_cast<std::size_t>(kPdus) * state.iterations())
    state.SkipWithError("lost PDUs");
  state.SetItemsProcessed(state.iterations() * kPdus);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}

void BM_FramerWhole(benchmark::State& state) { feed_chunks(state, 0); }
BENCHMARK(BM_FramerWhole);

void BM_FramerSplit1200(benchmark::State& state) { feed_chunks(state, 1200); }
BENCHMARK(BM_FramerSplit1200);

}  // namespace
