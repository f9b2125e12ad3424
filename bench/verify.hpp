// The check a benchmark runs once before it times (docs/performance.md): compare the
// result with an independent reference and, on a mismatch, skip the benchmark with what
// differed instead of timing a wrong kernel:
//
//   if (knit::bench::skip_on_error(state, knit::bench::mismatch("dx", got, want, n, 1e-4))) return;
//
// A skipped benchmark prints "ERROR OCCURRED: '<message>'" in place of its timings.
#pragma once

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>

namespace knit::bench {

// "" when every |got[i] - want[i]| <= tolerance * (1 + |want[i]|), else the first element
// that is off. The 1 keeps near-zero elements from demanding exact equality.
template <class Got, class Want>
std::string mismatch(const std::string& what, const Got* got, const Want* want, std::size_t n, double tolerance) {
    for (std::size_t i = 0; i < n; ++i) {
        const double g = static_cast<double>(got[i]), w = static_cast<double>(want[i]);
        if (!(std::abs(g - w) <= tolerance * (1 + std::abs(w)))) {  // also catches NaN
            std::ostringstream out;
            out.precision(9);
            out << what << ": element " << i << " of " << n << " is " << g << ", the reference " << w
                << " (tolerance " << tolerance << " relative)";
            return out.str();
        }
    }
    return {};
}

// Skips the benchmark with the message and returns true when there is one.
inline bool skip_on_error(benchmark::State& state, const std::string& error) {
    if (error.empty()) return false;
    state.SkipWithError(error.c_str());
    return true;
}

}  // namespace knit::bench
