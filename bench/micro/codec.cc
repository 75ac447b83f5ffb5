// Codec: encode and decode of whole PDUs (envelope + typed body), ns per PDU.
#include <benchmark/benchmark.h>

#include "proto/codec.h"

namespace {

using qc::proto::MsgType;

const qc::proto::LoginRequest kLogin{"alice", "correct horse battery staple"};
const qc::proto::Delivery kDelivery{42, "alice", std::string(64, 'x')};

void BM_EncodeLogin(benchmark::State& state) {
  for (auto _ : state) {
    std::string bytes =
        qc::proto::encode(qc::proto::make_pdu(MsgType::Login, qc::proto::encode_login(kLogin)));
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeLogin);

void BM_DecodeLogin(benchmark::State& state) {
  const std::string bytes =
      qc::proto::encode(qc::proto::make_pdu(MsgType::Login, qc::proto::encode_login(kLogin)));
  for (auto _ : state) {
    auto pdu = qc::proto::decode(bytes);
    auto login = qc::proto::decode_login(pdu->msg);
    benchmark::DoNotOptimize(login);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeLogin);

void BM_EncodeDelivery(benchmark::State& state) {
  for (auto _ : state) {
    std::string bytes = qc::proto::encode(
        qc::proto::make_pdu(MsgType::Broadcast, qc::proto::encode_delivery(kDelivery)));
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeDelivery);

void BM_DecodeDelivery(benchmark::State& state) {
  const std::string bytes = qc::proto::encode(
      qc::proto::make_pdu(MsgType::Broadcast, qc::proto::encode_delivery(kDelivery)));
  for (auto _ : state) {
    auto pdu = qc::proto::decode(bytes);
    auto delivery = qc::proto::decode_delivery(pdu->msg);
    benchmark::DoNotOptimize(delivery);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeDelivery);

}  // namespace
