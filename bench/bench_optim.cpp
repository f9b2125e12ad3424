// One optimiser step over a flat buffer of 100k parameters, one thread. The Adam steps run
// at each SIMD level the CPU has ("<name>/simd:<level>/100000", bench/simd_levels.hpp).
// Each benchmark first checks three steps of its optimiser against the update written out
// element by element in double below, and is skipped with what differed on a mismatch.
// SGD and RMSprop are plain loops with no SIMD kernels, so they run once.
//   OPENBLAS_NUM_THREADS=1 ./bench_optim --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// bench/compare/optim.py times torch.optim on the same sizes.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "knit/core/random.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/optim/rmsprop.hpp"
#include "knit/nn/optim/sgd.hpp"
#include "simd_levels.hpp"
#include "verify.hpp"

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

constexpr int checked_steps = 3;

// Runs checked_steps steps of opt on fresh buffers of n elements and compares the values
// with those of reference(p, g, t), which applies step t (1-based) to one element p in
// double. The gradients stay the same across steps, as in the timed loop. The tolerance is
// 1e-6 of 1 + |p|: the float values (|p| ~ 1) round by ~1e-7 a step, while a step moves
// them by ~1e-3, so an update that is 1% off shows.
template <class T, class Optimizer, class Reference>
std::string check_steps(Optimizer opt, const char* what, std::size_t n, Reference reference) {
    buffers<T> b(n);
    std::vector<double> p(b.values.begin(), b.values.end());
    for (int t = 1; t <= checked_steps; ++t) {
        opt.step(b.values.data(), b.grads.data(), n);
        for (std::size_t i = 0; i < n; ++i) reference(i, p[i], double(b.grads[i]), t);
    }
    return knit::bench::mismatch(what, b.values.data(), p.data(), n, 1e-6);
}

// Adam written straight from Kingma & Ba's Algorithm 1.
template <class T>
std::string check_adam(const knit::nn::adam_options& o, std::size_t n) {
    std::vector<double> m(n, 0.0), v(n, 0.0), vmax(n, 0.0);
    return check_steps<T>(knit::nn::adam<T>(o), "adam vs the scalar reference", n,
                          [&](std::size_t i, double& p, double g, int t) {
                              m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
                              v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
                              vmax[i] = std::max(vmax[i], v[i]);
                              const double m_hat = m[i] / (1 - std::pow(o.beta1, t));
                              const double v_hat = (o.amsgrad ? vmax[i] : v[i]) / (1 - std::pow(o.beta2, t));
                              p -= o.lr * m_hat / (std::sqrt(v_hat) + o.eps);
                          });
}

// SGD with momentum as torch.optim.SGD states it (no weight decay, dampening or Nesterov
// here): b = g on the first step, then b = mu b + g; p -= lr b.
std::string check_sgd(const knit::nn::sgd_options& o, std::size_t n) {
    std::vector<double> b(n, 0.0);
    return check_steps<float>(knit::nn::sgd<float>(o), "sgd vs the scalar reference", n,
                              [&](std::size_t i, double& p, double g, int t) {
                                  b[i] = t == 1 ? g : o.momentum * b[i] + g;
                                  p -= o.lr * b[i];
                              });
}

// Plain RMSprop (no momentum, not centered): a = rho a + (1 - rho) g^2;
// p -= lr g / (sqrt(a) + eps).
std::string check_rmsprop(const knit::nn::rmsprop_options& o, std::size_t n) {
    std::vector<double> a(n, 0.0);
    return check_steps<float>(knit::nn::rmsprop<float>(o), "rmsprop vs the scalar reference", n,
                              [&](std::size_t i, double& p, double g, int) {
                                  a[i] = o.rho * a[i] + (1 - o.rho) * g * g;
                                  p -= o.lr * g / (std::sqrt(a[i]) + o.eps);
                              });
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
    if (knit::bench::skip_on_error(s, check_adam<T>({}, 1000))) return;
    run<T, knit::nn::adam<T>>(s, knit::nn::adam_options{});
}
void BM_adam_step_amsgrad(benchmark::State& s) {
    knit::nn::adam_options o;
    o.amsgrad = true;
    if (knit::bench::skip_on_error(s, check_adam<float>(o, 1000))) return;
    run<float, knit::nn::adam<float>>(s, o);
}
void BM_sgd_momentum_step(benchmark::State& s) {
    const knit::nn::sgd_options o{0.01, 0.9};
    if (knit::bench::skip_on_error(s, check_sgd(o, 1000))) return;
    run<float, knit::nn::sgd<float>>(s, o);
}
void BM_rmsprop_step(benchmark::State& s) {
    const knit::nn::rmsprop_options o = knit::nn::rmsprop_options::keras();
    if (knit::bench::skip_on_error(s, check_rmsprop(o, 1000))) return;
    run<float, knit::nn::rmsprop<float>>(s, o);
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
