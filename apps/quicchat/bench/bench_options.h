// `quicchat bench` options: one table (bench_options.cc) gives each option's flag, default (some
// depend on the scenario), range and help; it fills bench::BenchOptions for one scenario.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "bench/scenarios/options.h"
#include "quicchat/common/options.h"

namespace qc::app {

std::span<const Option<bench::BenchOptions>> bench_options();

Flags make_bench_flags();

// Checks every option against its row and builds the options of `scenario` (whose defaults
// fill what the command line leaves out).
Result<bench::BenchOptions> bench_options_from(Flags& flags, std::string_view scenario);

// The options table of docs/BENCHMARKS.md (`quicchat bench --options-markdown` prints it).
std::string bench_options_markdown();

}  // namespace qc::app
