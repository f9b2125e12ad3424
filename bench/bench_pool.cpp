// The paper CNN's (1x2) max-pool, float, one thread: forward and backward of the pool after
// conv1 (50 x 4 x 24 -> 50 x 4 x 12) and after conv2 (25 x 4 x 12 -> 25 x 4 x 6), N = 100.
// Every benchmark runs at each SIMD level the CPU has ("<name>/simd:<level>/<N>/<shape>",
// bench/simd_levels.hpp), and first checks the layer's output and input gradient at its
// level against the pairs written out.
//   OPENBLAS_NUM_THREADS=1 ./bench_pool --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "knit/core/random.hpp"
#include "knit/nn/pool2d.hpp"
#include "simd_levels.hpp"

namespace {

// The pools' inputs (C, H, W) in the paper's CNN, after conv1 and conv2.
const knit::shape_t paper_pools[] = {{50, 4, 24}, {25, 4, 12}};

struct pool_setup {
    knit::nn::max_pool2d<float> layer{{1, 2}};
    knit::tensor<float> x, dy;

    pool_setup(std::size_t n, const knit::shape_t& input) {
        knit::rng g(1);
        const knit::shape_t out = layer.build(input);
        x = knit::tensor<float>::from_shape(knit::with_batch(n, input));
        dy = knit::tensor<float>::from_shape(knit::with_batch(n, out));
        // a ReLU's output, as the pool sees it: about half the inputs 0, so some pairs tie
        for (auto& v : x) v = std::max(0.0f, float(g.uniform(-1, 1)));
        for (auto& v : dy) v = float(g.uniform(-1, 1));
    }
};

// Before timing: y[k] is the first maximum of input pair k, and dx routes dy[k] to it (an
// even width, so the rows form one run of pairs).
void check_against_loop(std::size_t n, const knit::shape_t& input) {
    pool_setup s(n, input);
    const knit::tensor<float>& y = s.layer.forward(s.x, knit::nn::mode::train);
    const knit::tensor<float>& dx = s.layer.backward(s.dy);
    const float* x = s.x.data();
    for (std::size_t k = 0; k < y.size(); ++k) {
        const bool second = x[2 * k + 1] > x[2 * k];
        if (y.data()[k] != (second ? x[2 * k + 1] : x[2 * k]) || dx.data()[2 * k] != (second ? 0.0f : s.dy.data()[k]) ||
            dx.data()[2 * k + 1] != (second ? s.dy.data()[k] : 0.0f))
            throw std::runtime_error("bench_pool: max_pool2d (1x2) differs from the loop at pair " + std::to_string(k));
    }
}

void BM_max_pool_1x2_forward_backward(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const knit::shape_t& input = paper_pools[state.range(1)];
    check_against_loop(n, input);
    pool_setup s(n, input);
    for (auto _ : state) {
        benchmark::DoNotOptimize(s.layer.forward(s.x, knit::nn::mode::train).data());
        benchmark::DoNotOptimize(s.layer.backward(s.dy).data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.x.size()));
}

const bool registered = knit::bench::at_every_simd_level(
    "BM_max_pool_1x2_forward_backward", BM_max_pool_1x2_forward_backward,
    [](auto* b) { b->Args({100, 0})->Args({100, 1})->Unit(benchmark::kMicrosecond); });

}  // namespace

BENCHMARK_MAIN();
