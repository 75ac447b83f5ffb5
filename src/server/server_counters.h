// Counters the server glue keeps beside the chat core's and the transport's (for /metrics):
// plain integers on the loop thread.
#pragma once

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

  void hash_completed(std::chrono::steady_clock::duration took) {
    ++hash_jobs_completed;
    hash_seconds.observe(std::chrono::duration<double>(took).count());
  }
};

}  // namespace qc::server
