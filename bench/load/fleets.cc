#include "bench/load/fleets.h"

#include <algorithm>
#include <thread>

namespace qc::bench {

Result<std::unique_ptr<Fleets>> Fleets::create(const Target& target,
                                               std::chrono::milliseconds phase_timeout,
                                               std::size_t threads) {
  std::unique_ptr<Fleets> fleets(new Fleets());
  for (std::size_t k = 0; k < std::max<std::size_t>(threads, 1); ++k) {
    auto fleet = Fleet::create(target, phase_timeout);
    if (!fleet) return Unexpected<Error>{fleet.error()};
    (*fleet)->show_progress_line(k == 0);
    fleets->fleets_.push_back(std::move(*fleet));
  }
  return fleets;
}

std::size_t Fleets::add_user(std::string name, std::string password) {
  const std::size_t index = users_++;
  fleets_[fleet_of(index)]->add_user(std::move(name), std::move(password), index);
  return index;
}

void Fleets::stop_others(std::size_t failed, const std::string& why) {
  {
    std::lock_guard lock(first_error_mu_);
    if (first_error_) return;  // a stop this fleet was told of, or a later failure
    first_error_ = threads() > 1 ? "client thread " + std::to_string(failed) + ": " + why : why;
  }
  for (std::size_t k = 0; k < threads(); ++k) {
    if (k == failed) continue;
    Fleet* other = fleets_[k].get();
    other->loop().post([other, failed] {
      other->fail("stopped: client thread " + std::to_string(failed) + " failed");
    });
  }
}

Result<void> Fleets::run(const std::function<std::vector<Phase>(std::size_t k)>& phases_of) {
  for (std::size_t k = 0; k < threads(); ++k) {
    fleets_[k]->on_failure([this, k](const std::string& why) { stop_others(k, why); });
  }
  std::vector<Result<void>> results(threads());
  std::vector<std::thread> others;
  for (std::size_t k = 1; k < threads(); ++k) {
    others.emplace_back([this, k, &results, phases = phases_of(k)]() mutable {
      results[k] = fleets_[k]->run(std::move(phases));
    });
  }
  results[0] = fleets_[0]->run(phases_of(0));
  for (auto& t : others) t.join();
  if (first_error_) return fail("bench", *first_error_);
  for (auto& r : results) {
    if (!r) return r;
  }
  return {};
}

std::function<Phase()> Fleets::barrier(std::string name) {
  auto arrived = std::make_shared<std::atomic<std::size_t>>(0);
  return [this, name = std::move(name), arrived] {
    Phase p;
    p.name = name;
    p.start = [this, arrived] {
      if (arrived->fetch_add(1) + 1 < threads()) return;
      for (std::size_t k = 0; k < threads(); ++k) wake(k);  // the last one in lets all go
    };
    p.done = [this, arrived] { return arrived->load() == threads(); };
    return p;
  };
}

void Fleets::wake(std::size_t k) {
  fleets_[k]->loop().post([] {});  // a posted task wakes the loop; its idle hook checks done()
}

std::size_t Fleets::logged_in() const {
  std::size_t n = 0;
  for (const auto& f : fleets_) n += f->logged_in();
  return n;
}

std::size_t Fleets::connected() const {
  std::size_t n = 0;
  for (const auto& f : fleets_) n += f->connected();
  return n;
}

std::uint64_t Fleets::protocol_violations() const {
  std::uint64_t n = 0;
  for (const auto& f : fleets_) n += f->protocol_violations();
  return n;
}

std::string Fleets::first_violation() const {
  for (const auto& f : fleets_) {
    if (f->protocol_violations() > 0) return f->first_violation();
  }
  return {};
}

std::size_t Fleets::logouts_unconfirmed() const {
  std::size_t n = 0;
  for (const auto& f : fleets_) n += f->logouts_unconfirmed();
  return n;
}

Fleet::PresenceTally Fleets::presence_tally() const {
  Fleet::PresenceTally sum;
  for (const auto& f : fleets_) {
    const auto& p = f->presence_tally();
    sum.snapshots += p.snapshots;
    sum.snapshot_names += p.snapshot_names;
    sum.changes += p.changes;
    sum.changed_names += p.changed_names;
  }
  return sum;
}

std::size_t spread_in_flight(std::int64_t in_flight, std::size_t threads) {
  const auto total = static_cast<std::size_t>(std::max<std::int64_t>(in_flight, 1));
  return (total + threads - 1) / threads;
}

}  // namespace qc::bench
