// The GEMM floor of a BLAS-based train step (docs/performance.md): the matrix products the
// step cannot do without, at its exact shapes, through knit::gemm and nothing else.
// Everything a layer does beyond them (activations, bias, loss, the optimiser, zeroing the
// gradients, copies) is overhead, so step time / floor time says how close to the BLAS the
// layer runs. A benchmark lists its step's products and calls time_gemm_floor:
//
//   time_gemm_floor(state, {{transpose::no, transpose::no, n, out, in}, ...});
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "knit/core/blas.hpp"
#include "knit/core/random.hpp"
#include "verify.hpp"

namespace knit::bench {

// C (m x n) = op(A) op(B), op(A) m x k and op(B) k x n, done `times` times in a step on
// operands A and C of its own each time (as an LSTM's step t reads h_t and writes Z_t) and
// one B (the weights). With `accumulate`, C += op(A) op(B) (a gradient summed into).
struct gemm_product {
    transpose a, b;
    std::size_t m, n, k;
    std::size_t times = 1;
    bool accumulate = false;
};

inline std::vector<float> random_floats(std::size_t size, std::uint64_t seed) {
    rng g(seed);
    std::vector<float> v(size);
    for (auto& e : v) e = float(g.uniform(-1, 1));
    return v;
}

// Times one step's products. Before timing, every product of one step is checked against
// gemm_reference (the naive triple loop) on the same operands; C starts at zero, so an
// accumulated product holds op(A) op(B) after that step too.
inline void time_gemm_floor(benchmark::State& state, const std::vector<gemm_product>& products) {
    struct operands {
        std::vector<std::vector<float>> a, c;
        std::vector<float> b;
    };
    std::vector<operands> data;
    std::uint64_t seed = 10;
    for (const auto& p : products) {
        operands o;
        for (std::size_t t = 0; t < p.times; ++t) {
            o.a.push_back(random_floats(p.m * p.k, seed++));
            o.c.emplace_back(p.m * p.n, 0.0f);
        }
        o.b = random_floats(p.k * p.n, seed++);
        data.push_back(std::move(o));
    }
    // Leading dimensions of row-major storage: op(A) = A^T means A is stored k x m.
    auto lda = [](const gemm_product& p) { return p.a == transpose::no ? p.k : p.m; };
    auto ldb = [](const gemm_product& p) { return p.b == transpose::no ? p.n : p.k; };
    auto step = [&] {
        for (std::size_t i = 0; i < products.size(); ++i) {
            const auto& p = products[i];
            for (std::size_t t = 0; t < p.times; ++t)
                gemm(p.a, p.b, p.m, p.n, p.k, 1.f, data[i].a[t].data(), lda(p), data[i].b.data(), ldb(p),
                     p.accumulate ? 1.f : 0.f, data[i].c[t].data(), p.n);
        }
    };
    step();
    double flops = 0;
    for (std::size_t i = 0; i < products.size(); ++i) {
        const auto& p = products[i];
        flops += 2.0 * double(p.m) * double(p.n) * double(p.k) * double(p.times);
        std::vector<float> want(p.m * p.n);
        for (std::size_t t = 0; t < p.times; ++t) {
            gemm_reference(p.a, p.b, p.m, p.n, p.k, 1.f, data[i].a[t].data(), lda(p), data[i].b.data(), ldb(p), 0.f,
                           want.data(), p.n);
            const std::string what = "gemm floor product " + std::to_string(i) + " (" + std::to_string(p.m) + " x " +
                                     std::to_string(p.n) + " x " + std::to_string(p.k) + "), time " +
                                     std::to_string(t);
            if (skip_on_error(state, mismatch(what, data[i].c[t].data(), want.data(), want.size(), 1e-4))) return;
        }
    }
    for (auto _ : state) {
        step();
        benchmark::ClobberMemory();
    }
    state.counters["GFLOP"] = benchmark::Counter(flops * double(state.iterations()) * 1e-9, benchmark::Counter::kIsRate);
}

}  // namespace knit::bench
