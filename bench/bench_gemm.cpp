// knit::gemm (OpenBLAS) vs the naive reference vs Eigen at the small shapes knit's
// models use. Every benchmark first checks its result against the reference.
//   OPENBLAS_NUM_THREADS=1 ./bench_gemm --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "knit/core/blas.hpp"
#include "knit/core/random.hpp"

namespace {

struct problem {
    std::size_t m, n, k;
    std::vector<float> a, b, c, expected;
    problem(std::size_t m_, std::size_t n_, std::size_t k_) : m(m_), n(n_), k(k_), a(m * k), b(k * n), c(m * n), expected(m * n) {
        knit::rng g(m * 7 + n * 3 + k);
        for (auto& v : a) v = float(g.uniform(-1, 1));
        for (auto& v : b) v = float(g.uniform(-1, 1));
        knit::gemm_reference(knit::transpose::no, knit::transpose::no, m, n, k, 1.f, a.data(), k, b.data(), n, 0.f, expected.data(), n);
    }
    void verify(const float* got) const {
        for (std::size_t i = 0; i < m * n; ++i)
            if (std::abs(got[i] - expected[i]) > 1e-3f * (1 + std::abs(expected[i])))
                throw std::runtime_error("gemm result differs from the reference");
    }
};

void set_flops(benchmark::State& s, const problem& p) {
    s.counters["FLOP/s"] = benchmark::Counter(2.0 * double(p.m * p.n * p.k), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_gemm_knit(benchmark::State& s) {
    problem p(s.range(0), s.range(1), s.range(2));
    knit::gemm(knit::transpose::no, knit::transpose::no, p.m, p.n, p.k, 1.f, p.a.data(), p.k, p.b.data(), p.n, 0.f, p.c.data(), p.n);
    p.verify(p.c.data());
    for (auto _ : s) {
        knit::gemm(knit::transpose::no, knit::transpose::no, p.m, p.n, p.k, 1.f, p.a.data(), p.k, p.b.data(), p.n, 0.f, p.c.data(), p.n);
        benchmark::DoNotOptimize(p.c.data());
    }
    set_flops(s, p);
}

void BM_gemm_reference(benchmark::State& s) {
    problem p(s.range(0), s.range(1), s.range(2));
    for (auto _ : s) {
        knit::gemm_reference(knit::transpose::no, knit::transpose::no, p.m, p.n, p.k, 1.f, p.a.data(), p.k, p.b.data(), p.n, 0.f, p.c.data(), p.n);
        benchmark::DoNotOptimize(p.c.data());
    }
    p.verify(p.c.data());
    set_flops(s, p);
}

void BM_gemm_eigen(benchmark::State& s) {
    problem p(s.range(0), s.range(1), s.range(2));
    using row_matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::Map<const row_matrix> a(p.a.data(), p.m, p.k), b(p.b.data(), p.k, p.n);
    Eigen::Map<row_matrix> c(p.c.data(), p.m, p.n);
    c.noalias() = a * b;
    p.verify(p.c.data());
    for (auto _ : s) {
        c.noalias() = a * b;
        benchmark::DoNotOptimize(p.c.data());
    }
    set_flops(s, p);
}

// (m, n, k): dense 34 -> 128 at N=100; LSTM input/recurrent products at H = 21 and 64;
// a CNN layer's im2col GEMM; and a large square one for peak throughput.
#define KNIT_GEMM_SHAPES                                                                   \
    Args({100, 128, 34})->Args({100, 64, 21})->Args({100, 84, 21})->Args({100, 256, 64}) \
        ->Args({50, 2400, 6})->Args({256, 2048, 512})->Args({512, 512, 512})

BENCHMARK(BM_gemm_knit)->KNIT_GEMM_SHAPES;
BENCHMARK(BM_gemm_eigen)->KNIT_GEMM_SHAPES;
BENCHMARK(BM_gemm_reference)->Args({100, 128, 34})->Args({100, 64, 21})->Args({100, 84, 21});

}  // namespace

BENCHMARK_MAIN();
