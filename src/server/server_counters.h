// Counters the server glue keeps beside the chat core's and the transport's (for /metrics):
// plain integers on the loop thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "ops/exposition.h"

namespace qc::server {

struct ServerCounters {
  std::uint64_t slow_consumer_closes = 0;
  std::uint64_t hash_jobs_submitted = 0;
  std::uint64_t hash_jobs_completed = 0;  // results back on the loop
  std::uint64_t bus_bad_payloads = 0;     // a cluster: events from other nodes that did not decode
  // Seconds from submitting a password check to its result on the loop (queueing included).
  ops::Histogram hash_seconds{{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}};

  // Store operations timed at the store's boundary (quicchat_store_seconds{op}): a message write
  // or a history read from submission to the writer's answer (its queue included), a login's
  // account lookup on the hashing thread. The last one's time and outcome go into the cluster
  // heartbeat record.
  enum class StoreOp : std::uint8_t { Append, Read, Login };
  static constexpr std::array<const char*, 3> kStoreOpNames = {"append", "read", "login"};
  std::array<ops::Histogram, 3> store_seconds = {store_buckets(), store_buckets(), store_buckets()};
  bool last_store_ok = true;
  std::chrono::microseconds last_store_time{0};

  void store_done(StoreOp op, std::chrono::steady_clock::duration took, bool ok) {
    store_seconds[static_cast<std::size_t>(op)].observe(
        std::chrono::duration<double>(took).count());
    last_store_ok = ok;
    last_store_time = std::chrono::duration_cast<std::chrono::microseconds>(took);
  }
  static ops::Histogram store_buckets() {
    return ops::Histogram{
        {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}};
  }

  void hash_completed(std::chrono::steady_clock::duration took) {
    ++hash_jobs_completed;
    hash_seconds.observe(std::chrono::duration<double>(took).count());
  }
};

}  // namespace qc::server
