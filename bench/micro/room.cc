// Chat core: one v2 message from one member of a room of N members (each with one v2 session),
// through chat::Core, into the captured outbox; with the message store on (arg 1) the message's
// Store action is answered at once, as a writer that never waits would, so the difference is the
// core's own cost of the durable path. Reported per delivery.
#include <benchmark/benchmark.h>

#include "chat/core.h"
#include "proto/codec.h"
#include "proto/v2/codec.h"
#include "util/log.h"

namespace {

namespace v2 = qc::proto::v2;
using qc::chat::Action;
using qc::chat::Core;

// Answers every Store / ReadStore in the outbox at once (ids ascending) and clears it; returns
// how many message deliveries (recipients of Deliver actions) it saw, answers included.
std::size_t settle(Core& core, std::uint64_t& next_id, qc::chat::TimePoint now) {
  std::size_t delivered = 0;
  while (!core.outbox().empty()) {
    std::vector<Action> actions = std::move(core.outbox());
    core.outbox().clear();
    for (const Action& a : actions) {
      if (const auto* d = std::get_if<qc::chat::action::Deliver>(&a)) {
        delivered += d->recipients.size();
      } else if (const auto* w = std::get_if<qc::chat::action::Store>(&a)) {
        std::vector<qc::chat::history::OpResult> results(w->ops.size());
        for (auto& r : results) r.id = ++next_id;
        core.stored(w->ticket, std::move(results), now);
      } else if (const auto* r = std::get_if<qc::chat::action::ReadStore>(&a)) {
        core.read_done(r->ticket, {}, now);
      }
    }
  }
  return delivered;
}

void BM_CoreRoom(benchmark::State& state) {
  qc::log::set_level(qc::log::Level::Off);
  const int members = static_cast<int>(state.range(0));
  qc::chat::CoreConfig config;
  config.message_rate = {};
  config.store_messages = state.range(1) != 0;
  config.max_room_members = static_cast<std::size_t>(members);
  Core core(config);
  const qc::chat::TimePoint now{};
  std::uint64_t next_id = 0;
  const std::string versions = qc::proto::encode(qc::proto::make_pdu(
      qc::proto::MsgType::Versions, qc::proto::encode_versions_request({{1, 2}})));
  for (int i = 1; i <= members; ++i) {
    const auto conn = static_cast<qc::chat::ConnHandle>(i);
    const std::string name = "u" + std::to_string(i);
    core.connection_opened(conn, "127.0.0.1:" + std::to_string(i), now);
    core.stream_data(conn, versions + v2::encode_frame(v2::Login{1, name, "pw", "d"}), now);
    std::uint64_t ticket = 0;
    for (const auto& a : core.outbox())
      if (const auto* v = std::get_if<qc::chat::action::VerifyPassword>(&a)) ticket = v->ticket;
    core.outbox().clear();
    core.password_checked(conn, ticket, qc::chat::PasswordCheck::Ok, now,
                          {static_cast<std::uint64_t>(i), name});
    core.stream_data(conn, v2::encode_frame(v2::Join{2, "#bench"}), now);
    settle(core, next_id, now);
  }
  const std::string send = v2::encode_frame(v2::Send{3, {}, "#bench", std::string(64, 'x'), ""});
  for (auto _ : state) {
    core.stream_data(1, send, now);
    if (settle(core, next_id, now) != static_cast<std::size_t>(members - 1))
      state.SkipWithError("wrong fan-out");
  }
  state.SetItemsProcessed(state.iterations() * (members - 1));
  state.counters["ns_per_delivery"] =
      benchmark::Counter(static_cast<double>(state.iterations() * (members - 1)),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_CoreRoom)->ArgNames({"members", "stored"})->Args({1000, 0})->Args({1000, 1});

}  // namespace
