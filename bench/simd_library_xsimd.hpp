// bench_simd_library's two kernels written on xsimd 8 (Debian libxsimd-dev 8.1), for the
// comparison with the same kernels on Highway in bench_simd_library.cpp. Both files follow
// one algorithm line for line; see that file for the problem and for what is compared.
//
// xsimd 8.1 declares an architecture's batch types and kernels only when the translation
// unit is compiled for it (xsimd_config.hpp tests __AVX2__, __FMA__, ...). A library built
// without -march therefore instantiates these templates once per architecture, each in its
// own file compiled with that architecture's flags (simd_library_xsimd_avx2.cpp, -mavx2
// -mfma), and declares the instantiations extern here.
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <utility>

namespace knit::bench {

// The "same" plane correlation without bias or activation:
//   out[(s*rows_out + m)*plane + p] = sum over k < rows_in, t < taps of
//       w[(m*rows_in + k)*taps + t] * (keep[t*plane + p] & in[(s*rows_in + k)*plane + p + offsets[t]])
// keep holds all-ones bits where tap t of position p lies inside the input, zero elsewhere
// (the masks as vectors, as src/nn/conv2d_kernels.cpp's keep_table). `in` may be read up to
// min(offsets) before its start and max(offsets) past its end, under a zero keep.
struct plane_problem {
    const float* in;
    const float* keep;
    const float* w;
    float* out;
    const std::ptrdiff_t* offsets;
    std::size_t samples, rows_in, rows_out, taps, plane;
};

// One Adam step over n floats, in place (n a multiple of the vector length):
//   m = b1*m + c1*g,  v = b2*v + c2*g*g,  p = p - lr * m / (sqrt(v) + eps)
struct adam_problem {
    float* p;
    float* m;
    float* v;
    const float* g;
    std::size_t n;
    float b1, c1, b2, c2, lr, eps;
};

// Register block of the plane kernel at 16 vector registers (AVX2, SSE): 2 vectors of
// positions x up to 6 filters of accumulators, 2 vectors of input and one weight.
constexpr std::size_t block_vectors = 2;
constexpr std::size_t block_most_rows = 6;

namespace xs {

template <class Arch, std::size_t ROWS>
void plane_correlate_block(const plane_problem& a, std::size_t s, std::size_t j0, std::size_t m0) {
    using vec = xsimd::batch<float, Arch>;
    constexpr std::size_t L = vec::size, NV = block_vectors;
    const std::size_t plane = a.plane, rows_in = a.rows_in, taps = a.taps;
    const std::size_t steps = taps * rows_in, weight_row = rows_in * taps, weight_col = taps;
    vec acc[ROWS][NV];
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t v = 0; v < NV; ++v) acc[r][v] = vec(0.0f);
    const float* in_s = a.in + s * rows_in * plane + j0 * L;
    const float* w_block = a.w + m0 * weight_row;
    // (tap, input row) pairs as one loop: around nested loops GCC 12 stores every
    // accumulator back to memory on each inner iteration (src/nn/conv2d_kernels.cpp)
    const float* in = in_s + a.offsets[0];
    const float* w = w_block;
    const float* keep_t = a.keep + j0 * L;
    for (std::size_t step = 0, t = 0, k = 0; step < steps; ++step) {
        vec x[NV];
        for (std::size_t v = 0; v < NV; ++v)
            x[v] = vec::load_unaligned(in + v * L) & vec::load_unaligned(keep_t + v * L);
        for (std::size_t r = 0; r < ROWS; ++r) {
            const vec wv(w[r * weight_row]);
            for (std::size_t v = 0; v < NV; ++v) acc[r][v] = xsimd::fma(wv, x[v], acc[r][v]);
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
        for (std::size_t v = 0; v < NV; ++v) acc[r][v].store_unaligned(out + r * plane + v * L);
}

template <class Arch, std::size_t... R>
void plane_correlate_rows(const plane_problem& a, std::size_t s, std::size_t j0, std::size_t m0, std::size_t rows,
                          std::index_sequence<R...>) {
    ((rows == R + 1 ? plane_correlate_block<Arch, R + 1>(a, s, j0, m0) : void()), ...);
}

// Requires plane % (block_vectors * lanes) == 0.
template <class Arch>
void plane_correlate(Arch, const plane_problem& a) {
    constexpr std::size_t L = xsimd::batch<float, Arch>::size;
    const std::size_t blocks = (a.rows_out + block_most_rows - 1) / block_most_rows;
    for (std::size_t s = 0; s < a.samples; ++s)
        for (std::size_t j0 = 0; j0 < a.plane / L; j0 += block_vectors)
            // rows in blocks as even as possible (25 -> 5 x 5), as conv2d_blocking.hpp
            for (std::size_t b = 0, m0 = 0; b < blocks; ++b) {
                const std::size_t rows = a.rows_out / blocks + (b < a.rows_out % blocks ? 1 : 0);
                plane_correlate_rows<Arch>(a, s, j0, m0, rows, std::make_index_sequence<block_most_rows>());
                m0 += rows;
            }
}

// Requires n % lanes == 0.
template <class Arch>
void adam(Arch, const adam_problem& a) {
    using vec = xsimd::batch<float, Arch>;
    constexpr std::size_t L = vec::size;
    const vec b1(a.b1), c1(a.c1), b2(a.b2), c2(a.c2), lr(a.lr), eps(a.eps);
    for (std::size_t i = 0; i < a.n; i += L) {
        const vec g = vec::load_unaligned(a.g + i);
        const vec m = xsimd::fma(b1, vec::load_unaligned(a.m + i), c1 * g);
        const vec v = xsimd::fma(b2, vec::load_unaligned(a.v + i), c2 * g * g);
        const vec p = xsimd::fnma(lr, m / (xsimd::sqrt(v) + eps), vec::load_unaligned(a.p + i));
        m.store_unaligned(a.m + i);
        v.store_unaligned(a.v + i);
        p.store_unaligned(a.p + i);
    }
}

// Instantiated in simd_library_xsimd_avx2.cpp (compiled with -mavx2 -mfma). fma3<avx2> is
// AVX2 with FMA instructions; plain avx2 computes xsimd::fma as a multiply and an add.
#if KNIT_BENCH_XSIMD_AVX2
extern template void plane_correlate<xsimd::fma3<xsimd::avx2>>(xsimd::fma3<xsimd::avx2>, const plane_problem&);
extern template void plane_correlate<xsimd::avx2>(xsimd::avx2, const plane_problem&);
extern template void adam<xsimd::fma3<xsimd::avx2>>(xsimd::fma3<xsimd::avx2>, const adam_problem&);
extern template void adam<xsimd::avx2>(xsimd::avx2, const adam_problem&);
#endif

}  // namespace xs
}  // namespace knit::bench
