// One optimiser step over a flat buffer of 100k parameters, one thread. The Adam steps run
// at each SIMD level the CPU has ("<name>/simd:<level>/100000", bench/simd_levels.hpp), and
// each first checks three steps at its level against a reference.
//   OPENBLAS_NUM_THREADS=1 ./bench_optim --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// bench/compare/optim.py times torch.optim on the same sizes.
#include <benchmark/benchmark.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "knit/core/random.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/optim/rmsprop.hpp"
#include "knit/nn/optim/sgd.hpp"
#include "simd_levels.hpp"

namespace {

template <class T>
struct buffers {
    std::vector<T> values, grads;
    explicit buffers(std::size_t n) : values(n), grads(n) {
        knit::rng g(3);
        for (auto& v : values) v = static_cast<T>(g.normal());
        for (auto& v : grads) v = static_cast<T>(0.1 * g.normal());
    }
};

// Three Adam steps written straight from Kingma & Ba's Algorithm 1 in double, element by
// element: the reference the optimised loop is held to before timing.
template <class T>
void check_adam_against_reference(const knit::nn::adam_options& o, std::size_t n) {
    buffers<T> b(n);
    std::vector<double> p(b.values.begin(), b.values.end()), m(n, 0.0), v(n, 0.0), vmax(n, 0.0);
    knit::nn::adam<T> opt(o);
    for (int t = 1; t <= 3; ++t) {
        opt.step(b.values.data(), b.grads.data(), n);
        for (std::size_t i = 0; i < n; ++i) {
            const double g = b.grads[i];
            m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
            v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
            vmax[i] = std::max(vmax[i], v[i]);
            const double m_hat = m[i] / (1 - std::pow(o.beta1, t));
            const double v_hat = (o.amsgrad ? vmax[i] : v[i]) / (1 - std::pow(o.beta2, t));
            p[i] -= o.lr * m_hat / (std::sqrt(v_hat) + o.eps);
        }
    }
    for (std::size_t i = 0; i < n; ++i)
        if (std::abs(p[i] - b.values[i]) > 1e-5 * (1 + std::abs(p[i])))
            throw std::runtime_error("bench_optim: adam differs from the reference");
}

template <class T, class Optimizer, class Options>
void run(benchmark::State& s, const Options& options) {
    const auto n = static_cast<std::size_t>(s.range(0));
    buffers<T> b(n);
    Optimizer opt(options);
    for (auto _ : s) {
        opt.step(b.values.data(), b.grads.data(), n);
        benchmark::DoNotOptimize(b.values.data());
        benchmark::ClobberMemory();
    }
    s.SetItemsProcessed(static_cast<int64_t>(s.iterations()) * static_cast<int64_t>(n));
}

template <class T>
void BM_adam_step(benchmark::State& s) {
    check_adam_against_reference<T>({}, 1000);
    run<T, knit::nn::adam<T>>(s, knit::nn::adam_options{});
}
void BM_adam_step_amsgrad(benchmark::State& s) {
    knit::nn::adam_options o;
    o.amsgrad = true;
    check_adam_against_reference<float>(o, 1000);
    run<float, knit::nn::adam<float>>(s, o);
}
void BM_sgd_momentum_step(benchmark::State& s) {
    run<float, knit::nn::sgd<float>>(s, knit::nn::sgd_options{0.01, 0.9});
}
void BM_rmsprop_step(benchmark::State& s) {
    run<float, knit::nn::rmsprop<float>>(s, knit::nn::rmsprop_options::keras());
}

// AMSGrad runs the reference loop at every level; registered per level all the same, so its
// rows sit beside the kernels' and show that the level changes nothing there.
const bool adam_registered =
    knit::bench::at_every_simd_level("BM_adam_step<float>", BM_adam_step<float>,
                                     [](auto* b) { b->Arg(100000); }) &&
    knit::bench::at_every_simd_level("BM_adam_step<double>", BM_adam_step<double>,
                                     [](auto* b) { b->Arg(100000); }) &&
    knit::bench::at_every_simd_level("BM_adam_step_amsgrad", BM_adam_step_amsgrad, [](auto* b) { b->Arg(100000); });
BENCHMARK(BM_sgd_momentum_step)->Arg(100000);
BENCHMARK(BM_rmsprop_step)->Arg(100000);

}  // namespace

BENCHMARK_MAIN();
