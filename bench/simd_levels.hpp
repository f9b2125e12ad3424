// Registers a benchmark once per SIMD level the CPU has (knit/nn/simd.hpp), as
// "<name>/simd:<level>", so one run reports every level side by side:
//
//   const bool registered = knit::bench::at_every_simd_level("BM_x", BM_x, [](auto* b) {
//       b->Arg(100)->Unit(benchmark::kMillisecond);
//   });
//
// Each run caps the kernels at its level and puts the cap back afterwards. A filter such as
// --benchmark_filter=simd:avx2 runs one level.
#pragma once

#include <benchmark/benchmark.h>

#include <string>

#include "knit/nn/simd.hpp"

namespace knit::bench {

template <class Run, class Configure>
bool at_every_simd_level(const std::string& name, Run run, Configure configure) {
    for (nn::simd_level level : nn::simd_levels_available()) {
        const std::string full = name + "/simd:" + nn::simd_level_name(level);
        benchmark::internal::Benchmark* b =
            benchmark::RegisterBenchmark(full.c_str(), [run, level](benchmark::State& state) {
                const nn::simd_level before = nn::simd_cap();
                nn::set_simd_cap(level);
                run(state);
                nn::set_simd_cap(before);
            });
        configure(b);
    }
    return true;
}

}  // namespace knit::bench
