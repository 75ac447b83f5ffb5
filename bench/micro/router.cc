// Chat core: one BROADCAST from one of N logged-in sessions, through chat::Core, into the
// captured outbox (one Deliver naming N recipients). Reported per delivery.
#include <benchmark/benchmark.h>

#include "chat/core.h"
#include "proto/codec.h"
#include "util/log.h"

namespace {

using qc::chat::Core;
using qc::proto::MsgType;

std::string pdu(MsgType type, std::string body) {
  return qc::proto::encode(qc::proto::make_pdu(type, std::move(body)));
}

// A core without the per-session message rate limit: the benchmark loop sends far faster than a
// person, and a rate-limited message is dropped, which would measure the drop instead.
qc::chat::CoreConfig unlimited() {
  qc::chat::CoreConfig config;
  config.message_rate = {};
  return config;
}

// Opens connections 1..n and logs each in (the password check answered at once).
void log_in_all(Core& core, int n, qc::chat::TimePoint now) {
  for (int i = 1; i <= n; ++i) {
    const auto conn = static_cast<qc::chat::ConnHandle>(i);
    core.connection_opened(conn, "127.0.0.1:" + std::to_string(i), now);
    core.stream_data(
        conn, pdu(MsgType::Login, qc::proto::encode_login({"u" + std::to_string(i), "pw"})), now);
    std::uint64_t ticket = 0;
    for (const auto& a : core.outbox()) {
      if (const auto* v = std::get_if<qc::chat::action::VerifyPassword>(&a)) ticket = v->ticket;
    }
    core.outbox().clear();
    core.password_checked(conn, ticket, qc::chat::PasswordCheck::Ok, now);
    core.outbox().clear();
  }
}

void BM_CoreBroadcast(benchmark::State& state) {
  qc::log::set_level(qc::log::Level::Off);
  const int n = static_cast<int>(state.range(0));
  Core core(unlimited());
  const qc::chat::TimePoint now{};
  log_in_all(core, n, now);
  const std::string broadcast =
      pdu(MsgType::Broadcast, qc::proto::encode_broadcast({std::string(64, 'x')}));
  for (auto _ : state) {
    core.stream_data(1, broadcast, now);
    const auto& out = core.outbox();
    const auto* deliver =
        out.size() == 1 ? std::get_if<qc::chat::action::Deliver>(&out[0]) : nullptr;
    if (deliver == nullptr || deliver->recipients.size() != static_cast<std::size_t>(n))
      state.SkipWithError("wrong fan-out");
    core.outbox().clear();
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["ns_per_delivery"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_CoreBroadcast)->Arg(10)->Arg(1000);

void BM_CoreOneToOne(benchmark::State& state) {
  qc::log::set_level(qc::log::Level::Off);
  Core core(unlimited());
  const qc::chat::TimePoint now{};
  log_in_all(core, 2, now);
  const std::string direct =
      pdu(MsgType::OneToOne, qc::proto::encode_one_to_one({"2", std::string(64, 'x')}));
  for (auto _ : state) {
    core.stream_data(1, direct, now);
    core.outbox().clear();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CoreOneToOne);

}  // namespace
