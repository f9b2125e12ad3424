// Dense layer forward and backward at the paper's shapes, float, one thread.
//   OPENBLAS_NUM_THREADS=1 ./bench_dense --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cmath>
#include <stdexcept>

#include "knit/core/blas.hpp"
#include "knit/nn/dense.hpp"

namespace {

struct setup {
    knit::nn::dense<float> layer;
    knit::param_store<float> store;
    knit::tensor<float> x, dy;
    setup(std::size_t n, std::size_t in, std::size_t out) : layer(out, knit::nn::activation::relu) {
        knit::rng g(1);
        layer.build({in});
        knit::nn::bind_layers<float>({&layer}, store, g);
        x = knit::tensor<float>::from_shape({n, in});
        dy = knit::tensor<float>::from_shape({n, out});
        for (auto& v : x) v = float(g.uniform(-1, 1));
        for (auto& v : dy) v = float(g.uniform(-1, 1));
        // Check the forward against the naive reference before timing.
        std::vector<float> ref(n * out);
        knit::gemm_reference(knit::transpose::no, knit::transpose::no, n, out, in, 1.f, x.data(), in,
                             layer.weight().value, out, 0.f, ref.data(), out);
        const auto& y = layer.forward(x, knit::nn::mode::train);
        for (std::size_t i = 0; i < ref.size(); ++i)
            if (std::abs(std::max(ref[i], 0.f) - y.data()[i]) > 1e-4f) throw std::runtime_error("dense differs from reference");
    }
};

void BM_dense_forward(benchmark::State& s) {
    setup b(s.range(0), s.range(1), s.range(2));
    for (auto _ : s) benchmark::DoNotOptimize(b.layer.forward(b.x, knit::nn::mode::infer).data());
}

void BM_dense_forward_backward(benchmark::State& s) {
    setup b(s.range(0), s.range(1), s.range(2));
    for (auto _ : s) {
        b.layer.forward(b.x, knit::nn::mode::train);
        benchmark::DoNotOptimize(b.layer.backward(b.dy).data());
    }
}

// (N, in, out): the AE-NN branch's first layers and the CNN's classifier head.
BENCHMARK(BM_dense_forward)->Args({100, 3, 256})->Args({100, 256, 128})->Args({100, 180, 120})->Args({2816, 180, 120});
BENCHMARK(BM_dense_forward_backward)->Args({100, 3, 256})->Args({100, 256, 128})->Args({100, 180, 120})->Args({2816, 180, 120});

}  // namespace

BENCHMARK_MAIN();
