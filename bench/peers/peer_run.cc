#include "bench/peers/peer_run.h"

namespace qc::peers {

PeerRun::PeerRun(const PeerBenchOptions& opts, std::unique_ptr<TlsClientConfig> tls)
    : opts_(opts), tls_(std::move(tls)) {
  tls_->record_max = opts.tls_record_max;
}

PeerClient& PeerRun::add_client(const std::string& name) {
  clients_.push_back(make_peer_client(loop_, *tls_, opts_.peer, name));
  return *clients_.back();
}

void PeerRun::fail(std::string why) {
  if (failure_.empty()) failure_ = std::move(why);
}

bool PeerRun::connect(std::size_t first, std::size_t end, std::size_t in_flight) {
  std::size_t next = first;
  std::size_t done = first;  // clients before it are registered
  auto pump = [&] {
    while (done < next && clients_[done]->registered()) ++done;
    while (next < end && next - done < in_flight) clients_[next++]->connect();
  };
  return wait(
      "connect", [&] { return done == end; }, pump);
}

bool PeerRun::wait(const std::string& phase, const std::function<bool()>& done,
                   const std::function<void()>& after) {
  bool broken = false;
  auto finished = [&] {
    for (const auto& c : clients_) {
      if (c->closed()) {
        fail(phase + ": " + c->name() + ": " + c->error());
        broken = true;
        return true;
      }
    }
    return done();
  };
  // Looks at every client each pass: about a microsecond per pass at 1,000 users.
  if (!failure_.empty()) return false;
  const bool in_time = loop_.run_until(finished, opts_.phase_timeout, after);
  if (!in_time)
    fail(phase + ": timed out after " + std::to_string(opts_.phase_timeout.count()) + " ms");
  return in_time && !broken;
}

void PeerRun::settle(std::chrono::milliseconds quiet) {
  auto last = [&] {
    std::int64_t latest = 0;
    for (const auto& c : clients_) latest = std::max(latest, c->last_received_ns());
    return latest;
  };
  const std::int64_t started = bench::now_ns();
  loop_.run_until(
      [&] { return bench::now_ns() - std::max(last(), started) > quiet.count() * 1'000'000; },
      opts_.phase_timeout);
}

bench::Report PeerRun::start_report(const std::string& scenario) const {
  bench::Report report(scenario);
  report.param("target", opts_.label);
  report.param("protocol", opts_.peer.protocol == PeerProtocol::Irc ? "irc" : "nats");
  report.param("tls_record_max", static_cast<double>(opts_.tls_record_max));
  if (!clients_.empty()) report.param("tls", clients_.front()->tls_description());
  return report;
}

void PeerRun::finish_report(bench::Report& report) const {
  report.check("no connection failed and no phase timed out", failure_.empty(),
               failure_.empty() ? "all phases done" : failure_);
}

}  // namespace qc::peers
