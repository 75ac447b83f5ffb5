// The bench's clients spread over K threads (--client-threads): K Fleets, each with its own event
// loop, client endpoint and thread; fleet 0 runs on the caller's thread, where the scenario's
// sender and its measurements live. User i lives in fleet i % K, as that fleet's user i / K.
// Fleets never share a client: they meet only at barriers (a phase every fleet runs, done once
// all have reached it) and through posts to another fleet's loop. K = 1 is one Fleet as before.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bench/load/fleet.h"

namespace qc::bench {

class Fleets {
 public:
  static Result<std::unique_ptr<Fleets>> create(const Target& target,
                                                std::chrono::milliseconds phase_timeout,
                                                std::size_t threads);

  std::size_t threads() const { return fleets_.size(); }
  Fleet& fleet(std::size_t k) { return *fleets_[k]; }
  const Fleet& fleet(std::size_t k) const { return *fleets_[k]; }
  std::size_t fleet_of(std::size_t user) const { return user % fleets_.size(); }
  std::size_t local_of(std::size_t user) const { return user / fleets_.size(); }
  // The global index of fleet k's user `local`.
  std::size_t global_of(std::size_t k, std::size_t local) const {
    return local * fleets_.size() + k;
  }

  // Adds the next user (global index = users added so far) to its fleet.
  std::size_t add_user(std::string name, std::string password);
  BenchUser& user(std::size_t i) { return fleets_[fleet_of(i)]->user(local_of(i)); }
  std::size_t size() const { return users_; }

  // Runs phases_of(k) on fleet k, every fleet at once on its own thread (fleet 0 on this one).
  // The first failure stops every fleet and is the run's error.
  Result<void> run(const std::function<std::vector<Phase>(std::size_t k)>& phases_of);

  // A barrier: make it once, put the phase it returns into every fleet's list at the same
  // point (call the factory once per fleet). Each fleet's phase is done once every fleet has
  // started its own.
  std::function<Phase()> barrier(std::string name);
  // Wakes fleet k's loop from any thread, so that its current phase checks done() again.
  void wake(std::size_t k);

  // Totals over every fleet (read after run()).
  std::size_t logged_in() const;
  std::size_t connected() const;
  std::uint64_t protocol_violations() const;
  std::string first_violation() const;
  std::size_t logouts_unconfirmed() const;
  Fleet::PresenceTally presence_tally() const;
  std::int64_t login_version() const { return fleets_.front()->login_version(); }

 private:
  Fleets() = default;
  void stop_others(std::size_t failed, const std::string& why);

  std::vector<std::unique_ptr<Fleet>> fleets_;
  std::size_t users_ = 0;
  std::mutex first_error_mu_;
  std::optional<std::string> first_error_;
};

// Each fleet's share of `in_flight` pending handshakes or logins (at least 1).
std::size_t spread_in_flight(std::int64_t in_flight, std::size_t threads);

}  // namespace qc::bench
