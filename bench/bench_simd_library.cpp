// Highway or xsimd (issue 18): two kernels written once on each library, with the same
// algorithm line for line, timed side by side (docs/simd.md, "Highway or xsimd").
//
// * plane_correlate: the paper CNN's conv2 as src/nn/conv2d_kernels.cpp computes it: 50
//   input channels of a 4x12 plane, 25 filters of 2x3 taps, Keras "same" padding, N = 100
//   samples, float. Blocks of 2 vectors x up to 6 filters in registers, the (tap, input row)
//   pairs as one loop, the masks as vectors (a keep table) And-ed with each load.
// * adam: one Adam step over 100,000 floats (streaming: 4 loads, 3 stores, a sqrt and a
//   division per element).
//
// Highway: foreach_target, one build of the kernels per target, HWY_DYNAMIC_DISPATCH; each
// run pins one target (hwy:avx2, hwy:sse4, hwy:emu128). xsimd: the kernels of
// simd_library_xsimd.hpp at an explicit architecture (xsimd:fma3+avx2 and xsimd:avx2 from
// simd_library_xsimd_avx2.cpp, built with -mavx2 -mfma; xsimd:sse2, this file's baseline),
// and through xsimd::dispatch over those. Every benchmark checks its result against a
// naive loop first and aborts on a mismatch.
//   OPENBLAS_NUM_THREADS=1 ./bench_simd_library --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#undef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3 | HWY_AVX3_DL | HWY_SVE | HWY_SVE2 | HWY_SVE_256 | HWY_SVE2_128)
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "bench_simd_library.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <cstddef>
#include <utility>

#include "simd_library_xsimd.hpp"

HWY_BEFORE_NAMESPACE();
namespace knit::bench {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;
using tag = hn::ScalableTag<float>;
using vec = hn::Vec<tag>;

template <std::size_t ROWS>
void plane_correlate_block(const plane_problem& a, std::size_t s, std::size_t j0, std::size_t m0) {
    const tag d;
    constexpr std::size_t L = hn::MaxLanes(tag()), NV = block_vectors;
    const std::size_t plane = a.plane, rows_in = a.rows_in, taps = a.taps;
    const std::size_t steps = taps * rows_in, weight_row = rows_in * taps, weight_col = taps;
    vec acc[ROWS][NV];
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t v = 0; v < NV; ++v) acc[r][v] = hn::Zero(d);
    const float* in_s = a.in + s * rows_in * plane + j0 * L;
    const float* w_block = a.w + m0 * weight_row;
    // (tap, input row) pairs as one loop (see simd_library_xsimd.hpp)
    const float* in = in_s + a.offsets[0];
    const float* w = w_block;
    const float* keep_t = a.keep + j0 * L;
    for (std::size_t step = 0, t = 0, k = 0; step < steps; ++step) {
        vec x[NV];
        for (std::size_t v = 0; v < NV; ++v) x[v] = hn::And(hn::LoadU(d, in + v * L), hn::LoadU(d, keep_t + v * L));
        for (std::size_t r = 0; r < ROWS; ++r) {
            const vec wv = hn::Set(d, w[r * weight_row]);
            for (std::size_t v = 0; v < NV; ++v) acc[r][v] = hn::MulAdd(wv, x[v], acc[r][v]);
        }
        if (++k == rows_in) {
            k = 0;
            if (++t == taps) break;
            in = in_s + a.offsets[t];
            w = w_block + t;
            keep_t = a.keep + t * plane + j0 * L;
        } else {
            in += plane;
            w += weight_col;
        }
    }
    float* out = a.out + (s * a.rows_out + m0) * plane + j0 * L;
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t v = 0; v < NV; ++v) hn::StoreU(acc[r][v], d, out + r * plane + v * L);
}

template <std::size_t... R>
void plane_correlate_rows(const plane_problem& a, std::size_t s, std::size_t j0, std::size_t m0, std::size_t rows,
                          std::index_sequence<R...>) {
    ((rows == R + 1 ? plane_correlate_block<R + 1>(a, s, j0, m0) : void()), ...);
}

}  // namespace

void plane_correlate(const plane_problem& a) {
    constexpr std::size_t L = hn::MaxLanes(tag());
    const std::size_t blocks = (a.rows_out + block_most_rows - 1) / block_most_rows;
    for (std::size_t s = 0; s < a.samples; ++s)
        for (std::size_t j0 = 0; j0 < a.plane / L; j0 += block_vectors)
            for (std::size_t b = 0, m0 = 0; b < blocks; ++b) {
                const std::size_t rows = a.rows_out / blocks + (b < a.rows_out % blocks ? 1 : 0);
                plane_correlate_rows(a, s, j0, m0, rows, std::make_index_sequence<block_most_rows>());
                m0 += rows;
            }
}

void adam(const adam_problem& a) {
    const tag d;
    constexpr std::size_t L = hn::MaxLanes(tag());
    const vec b1 = hn::Set(d, a.b1), c1 = hn::Set(d, a.c1), b2 = hn::Set(d, a.b2), c2 = hn::Set(d, a.c2);
    const vec lr = hn::Set(d, a.lr), eps = hn::Set(d, a.eps);
    for (std::size_t i = 0; i < a.n; i += L) {
        const vec g = hn::LoadU(d, a.g + i);
        const vec m = hn::MulAdd(b1, hn::LoadU(d, a.m + i), hn::Mul(c1, g));
        const vec v = hn::MulAdd(b2, hn::LoadU(d, a.v + i), hn::Mul(hn::Mul(c2, g), g));
        const vec p = hn::NegMulAdd(lr, hn::Div(m, hn::Add(hn::Sqrt(v), eps)), hn::LoadU(d, a.p + i));
        hn::StoreU(m, d, a.m + i);
        hn::StoreU(v, d, a.v + i);
        hn::StoreU(p, d, a.p + i);
    }
}

std::size_t float_lanes() { return hn::Lanes(tag()); }

}  // namespace HWY_NAMESPACE
}  // namespace knit::bench
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace knit::bench {

HWY_EXPORT(plane_correlate);
HWY_EXPORT(adam);
HWY_EXPORT(float_lanes);

namespace {

[[noreturn]] void mismatch(const std::string& name, std::size_t i, double got, double want) {
    std::fprintf(stderr, "bench_simd_library: %s differs from the naive loop at %zu: %.9g, expected %.9g\n",
                 name.c_str(), i, got, want);
    std::abort();
}

// ---- plane correlation: conv2 of the paper's CNN ----

struct plane_setup {
    static constexpr std::size_t samples = 100, channels = 50, height = 4, width = 12, filters = 25;
    static constexpr std::size_t kernel_h = 2, kernel_w = 3, taps = kernel_h * kernel_w, plane = height * width;
    static constexpr std::size_t guard = 16;  // floats of zeros around `in`: reads reach -1 and +13
    std::vector<float> in_buffer, keep, w, out, expected;
    std::vector<std::ptrdiff_t> offsets;
    // Keras "same" with an even kernel pads (kernel - 1) / 2 before and the rest after:
    // none above, one row below; one column on each side.
    static constexpr std::ptrdiff_t pad_top = (kernel_h - 1) / 2, pad_left = (kernel_w - 1) / 2;

    plane_setup() : in_buffer(guard + samples * channels * plane + guard, 0.0f), keep(taps * plane),
                    w(filters * channels * taps), out(samples * filters * plane), expected(out.size()) {
        std::mt19937 gen(18);
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        for (std::size_t i = 0; i < samples * channels * plane; ++i) in_buffer[guard + i] = u(gen);
        for (float& x : w) x = u(gen);
        const std::uint32_t all_ones = 0xffffffffu;
        for (std::size_t t = 0; t < taps; ++t) {
            const std::ptrdiff_t dy = std::ptrdiff_t(t / kernel_w) - pad_top;
            const std::ptrdiff_t dx = std::ptrdiff_t(t % kernel_w) - pad_left;
            offsets.push_back(dy * std::ptrdiff_t(width) + dx);
            for (std::size_t p = 0; p < plane; ++p) {
                const std::ptrdiff_t y = std::ptrdiff_t(p / width) + dy, x = std::ptrdiff_t(p % width) + dx;
                const bool inside = y >= 0 && y < std::ptrdiff_t(height) && x >= 0 && x < std::ptrdiff_t(width);
                const std::uint32_t bits = inside ? all_ones : 0u;
                std::memcpy(&keep[t * plane + p], &bits, sizeof(float));
            }
        }
        // out[s][m][p] = sum_{k,t} w[m][k][t] * (inside_t(p) ? in[s][k][p + off_t] : 0), in double
        const float* in = in_buffer.data() + guard;
        for (std::size_t s = 0; s < samples; ++s)
            for (std::size_t m = 0; m < filters; ++m)
                for (std::size_t p = 0; p < plane; ++p) {
                    double sum = 0;
                    for (std::size_t k = 0; k < channels; ++k)
                        for (std::size_t t = 0; t < taps; ++t) {
                            const std::ptrdiff_t y = std::ptrdiff_t(p / width) + std::ptrdiff_t(t / kernel_w) - pad_top;
                            const std::ptrdiff_t x = std::ptrdiff_t(p % width) + std::ptrdiff_t(t % kernel_w) - pad_left;
                            if (y < 0 || y >= std::ptrdiff_t(height) || x < 0 || x >= std::ptrdiff_t(width)) continue;
                            sum += double(w[(m * channels + k) * taps + t]) *
                                   in[(s * channels + k) * plane + std::size_t(y) * width + std::size_t(x)];
                        }
                    expected[(s * filters + m) * plane + p] = float(sum);
                }
    }

    plane_problem problem() {
        return {in_buffer.data() + guard, keep.data(), w.data(), out.data(), offsets.data(),
                samples, channels, filters, taps, plane};
    }

    void check(const std::string& name) const {
        for (std::size_t i = 0; i < out.size(); ++i)
            if (!(std::abs(out[i] - expected[i]) <= 1e-4f * (1.0f + std::abs(expected[i]))))
                mismatch(name, i, out[i], expected[i]);
    }

    static double flops() { return 2.0 * samples * filters * channels * taps * plane; }
};

template <class Kernel>
void run_plane(benchmark::State& state, const std::string& name, Kernel kernel) {
    plane_setup setup;
    const plane_problem a = setup.problem();
    std::fill(setup.out.begin(), setup.out.end(), std::nanf(""));
    kernel(a);
    setup.check(name);
    for (auto _ : state) {
        kernel(a);
        benchmark::DoNotOptimize(setup.out.data());
        benchmark::ClobberMemory();
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(plane_setup::flops() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// ---- Adam step ----

struct adam_setup {
    static constexpr std::size_t n = 100000;
    std::vector<float> p, m, v, g;
    adam_setup() : p(n), m(n), v(n), g(n) {
        std::mt19937 gen(18);
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        for (std::size_t i = 0; i < n; ++i) {
            p[i] = u(gen);
            m[i] = 0.1f * u(gen);
            v[i] = 0.01f * (1.0f + u(gen));
            g[i] = u(gen);
        }
    }
    adam_problem problem() {
        // step 10 of Adam(lr 1e-3): lr is the bias-corrected step size
        const float b1 = 0.9f, b2 = 0.999f;
        const float lr = 1e-3f * std::sqrt(1.0f - std::pow(b2, 10.0f)) / (1.0f - std::pow(b1, 10.0f));
        return {p.data(), m.data(), v.data(), g.data(), n, b1, 1 - b1, b2, 1 - b2, lr, 1e-7f};
    }
};

template <class Kernel>
void run_adam(benchmark::State& state, const std::string& name, Kernel kernel) {
    adam_setup setup, naive;
    const adam_problem a = setup.problem(), e = naive.problem();
    kernel(a);
    for (std::size_t i = 0; i < e.n; ++i) {
        e.m[i] = e.b1 * e.m[i] + e.c1 * e.g[i];
        e.v[i] = e.b2 * e.v[i] + e.c2 * e.g[i] * e.g[i];
        e.p[i] -= e.lr * e.m[i] / (std::sqrt(e.v[i]) + e.eps);
    }
    for (std::size_t i = 0; i < e.n; ++i) {
        const auto close = [](float x, float y) { return std::abs(x - y) <= 1e-5f * (1.0f + std::abs(y)); };
        if (!close(a.m[i], e.m[i])) mismatch(name + " (m)", i, a.m[i], e.m[i]);
        if (!close(a.v[i], e.v[i])) mismatch(name + " (v)", i, a.v[i], e.v[i]);
        if (!close(a.p[i], e.p[i])) mismatch(name + " (p)", i, a.p[i], e.p[i]);
    }
    for (auto _ : state) {
        kernel(a);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(7 * sizeof(float) * a.n));
}

// ---- registration ----

// Highway: pin one target for the run (as knit's KNIT_SIMD cap does), then put it back.
struct hwy_target {
    std::int64_t bits;
    const char* name;
};

// xsimd::dispatch's functors: called with an architecture tag first.
struct plane_functor {
    template <class Arch>
    void operator()(Arch arch, const plane_problem& a) const { xs::plane_correlate(arch, a); }
};
struct adam_functor {
    template <class Arch>
    void operator()(Arch arch, const adam_problem& a) const { xs::adam(arch, a); }
};

bool register_all() {
    hwy::SetSupportedTargetsForTest(0);
    const std::int64_t cpu = hwy::SupportedTargets();
    const hwy_target hwy_targets[] = {{HWY_AVX2, "avx2"}, {HWY_SSE4, "sse4"}, {HWY_SCALAR | HWY_EMU128, "scalar"}};
    for (const hwy_target& t : hwy_targets) {
        if (!(cpu & t.bits)) continue;
        const std::string plane = std::string("plane_correlate/hwy:") + t.name;
        benchmark::RegisterBenchmark(plane.c_str(), [plane, t](benchmark::State& state) {
            hwy::SetSupportedTargetsForTest(t.bits);
            run_plane(state, plane, [](const plane_problem& a) { HWY_DYNAMIC_DISPATCH(plane_correlate)(a); });
            state.SetLabel(std::to_string(HWY_DYNAMIC_DISPATCH(float_lanes)()) + " lanes");
            hwy::SetSupportedTargetsForTest(0);
        })->Unit(benchmark::kMillisecond);
        const std::string step = std::string("adam/hwy:") + t.name;
        benchmark::RegisterBenchmark(step.c_str(), [step, t](benchmark::State& state) {
            hwy::SetSupportedTargetsForTest(t.bits);
            run_adam(state, step, [](const adam_problem& a) { HWY_DYNAMIC_DISPATCH(adam)(a); });
            hwy::SetSupportedTargetsForTest(0);
        })->Unit(benchmark::kMicrosecond);
    }

    // xsimd: an explicit architecture per benchmark, and xsimd::dispatch (the best of
    // those compiled in that the CPU has; it cannot be capped at run time).
    const auto xsimd_pair = [](const std::string& arch, auto plane_kernel, auto adam_kernel) {
        const std::string plane = "plane_correlate/xsimd:" + arch, step = "adam/xsimd:" + arch;
        benchmark::RegisterBenchmark(plane.c_str(), [plane, plane_kernel](benchmark::State& state) {
            run_plane(state, plane, plane_kernel);
        })->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(step.c_str(), [step, adam_kernel](benchmark::State& state) {
            run_adam(state, step, adam_kernel);
        })->Unit(benchmark::kMicrosecond);
    };
    const xsimd::detail::supported_arch xsimd_cpu = xsimd::available_architectures();
    using baseline = xsimd::default_arch;  // this file's: sse2 on x86-64 without -march
#if KNIT_BENCH_XSIMD_AVX2
    using avx2_fma = xsimd::fma3<xsimd::avx2>;
    if (xsimd_cpu.fma3_avx2)
        xsimd_pair(
            avx2_fma::name(), [](const plane_problem& a) { xs::plane_correlate(avx2_fma{}, a); },
            [](const adam_problem& a) { xs::adam(avx2_fma{}, a); });
    if (xsimd_cpu.avx2)
        xsimd_pair(
            xsimd::avx2::name(), [](const plane_problem& a) { xs::plane_correlate(xsimd::avx2{}, a); },
            [](const adam_problem& a) { xs::adam(xsimd::avx2{}, a); });
    using dispatch_list = xsimd::arch_list<avx2_fma, baseline>;
#else
    using dispatch_list = xsimd::arch_list<baseline>;
#endif
    xsimd_pair(
        baseline::name(), [](const plane_problem& a) { xs::plane_correlate(baseline{}, a); },
        [](const adam_problem& a) { xs::adam(baseline{}, a); });
    // xsimd::dispatch reads the CPU once, when the dispatcher is made
    static auto plane_dispatched = xsimd::dispatch<dispatch_list>(plane_functor{});
    static auto adam_dispatched = xsimd::dispatch<dispatch_list>(adam_functor{});
    xsimd_pair(
        "dispatch", [](const plane_problem& a) { plane_dispatched(a); },
        [](const adam_problem& a) { adam_dispatched(a); });
    return true;
}

const bool registered = register_all();

}  // namespace
}  // namespace knit::bench

BENCHMARK_MAIN();
#endif  // HWY_ONCE
