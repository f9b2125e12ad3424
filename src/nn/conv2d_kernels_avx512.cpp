// The hand-written AVX-512 kernels of conv2d's grid and plane paths, which run at the
// avx512 SIMD level (knit/nn/simd.hpp); every other level runs the Highway kernels of
// conv2d_kernels.cpp. They stay hand-written until a benchmark on an AVX-512 machine
// shows Highway's AVX3 build of those kernels within 10% of them (docs/performance-conv.md):
// the machine these were ported on has no AVX-512.
#include "nn/conv2d_kernels_avx512.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "nn/conv2d_blocking.hpp"

#if KNIT_CONV_HAS_AVX512
#include <immintrin.h>

namespace knit::nn::detail::avx512 {
namespace {

// Filters per register block of grid_correlate and of grid_weight_grad.
constexpr std::size_t max_rows_correlate = 6;
constexpr std::size_t max_rows_weight_grad = 4;
// Taps per register block of grid_weight_grad (a 2x3 kernel is one block).
constexpr std::size_t taps_per_block = 6;

#define KNIT_AVX512 __attribute__((target("avx512f")))

// The few AVX-512 operations the kernels need, for float (16 lanes) and double (8).
template <class T>
struct avx512;
template <>
struct avx512<float> {
    using vec = __m512;
    static constexpr std::size_t lanes = 16;
    KNIT_AVX512 static vec zero() { return _mm512_setzero_ps(); }
    KNIT_AVX512 static vec load(const float* p) { return _mm512_loadu_ps(p); }
    KNIT_AVX512 static void store(float* p, vec v) { _mm512_storeu_ps(p, v); }
    KNIT_AVX512 static vec broadcast(float v) { return _mm512_set1_ps(v); }
    KNIT_AVX512 static vec fma(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
    // max(a, b), b where either is NaN (the merge form: the plain one trips GCC 12's
    // -Wmaybe-uninitialized, as the reductions do)
    KNIT_AVX512 static vec max(vec a, vec b) { return _mm512_mask_max_ps(a, 0xFFFF, a, b); }
    KNIT_AVX512 static vec add(vec a, vec b) { return _mm512_add_ps(a, b); }
    using mask = __mmask16;
    // p[l] under the set bits of m, 0 elsewhere; all 16 lanes must be readable. A plain
    // load and a zeroing move, which GCC fuses into one masked load: with the masked-load
    // builtin (or asm) GCC 12 stores every accumulator to the stack after each load.
    KNIT_AVX512 static vec load_masked(mask m, const float* p) { return _mm512_maskz_mov_ps(m, _mm512_loadu_ps(p)); }
    // a masked load that may end at the buffer's end (lanes past it do not fault)
    KNIT_AVX512 static vec load_tail(mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
    // g where y > 0, else 0
    KNIT_AVX512 static vec select_positive(vec y, vec g) {
        return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, zero(), _CMP_GT_OQ), g);
    }
    KNIT_AVX512 static void store_masked(float* p, std::uint32_t m, vec v) {
        _mm512_mask_storeu_ps(p, static_cast<__mmask16>(m), v);
    }
};
template <>
struct avx512<double> {
    using vec = __m512d;
    static constexpr std::size_t lanes = 8;
    KNIT_AVX512 static vec zero() { return _mm512_setzero_pd(); }
    KNIT_AVX512 static vec load(const double* p) { return _mm512_loadu_pd(p); }
    KNIT_AVX512 static void store(double* p, vec v) { _mm512_storeu_pd(p, v); }
    KNIT_AVX512 static vec broadcast(double v) { return _mm512_set1_pd(v); }
    KNIT_AVX512 static vec fma(vec a, vec b, vec c) { return _mm512_fmadd_pd(a, b, c); }
    KNIT_AVX512 static vec max(vec a, vec b) { return _mm512_mask_max_pd(a, 0xFF, a, b); }
    KNIT_AVX512 static vec add(vec a, vec b) { return _mm512_add_pd(a, b); }
    using mask = __mmask8;
    KNIT_AVX512 static vec load_masked(mask m, const double* p) { return _mm512_maskz_mov_pd(m, _mm512_loadu_pd(p)); }
    KNIT_AVX512 static vec load_tail(mask m, const double* p) { return _mm512_maskz_loadu_pd(m, p); }
    KNIT_AVX512 static vec select_positive(vec y, vec g) {
        return _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(y, zero(), _CMP_GT_OQ), g);
    }
    KNIT_AVX512 static void store_masked(double* p, std::uint32_t m, vec v) {
        _mm512_mask_storeu_pd(p, static_cast<__mmask8>(m), v);
    }
};

// Four vectors of positions x ROWS output rows held in registers; for every input row
// and tap, four loads of the shifted input and 4*ROWS fused multiply-adds.
template <class T, std::size_t ROWS>
KNIT_AVX512 void correlate_block(const grid_correlate_args<T>& a, std::size_t m0, std::size_t q_begin,
                                 std::size_t q_end) {
    using V = avx512<T>;
    constexpr std::size_t L = V::lanes;
    for (std::size_t q = q_begin; q < q_end; q += 4 * L) {
        typename V::vec acc[ROWS][4];
        for (std::size_t r = 0; r < ROWS; ++r)
            for (std::size_t v = 0; v < 4; ++v) acc[r][v] = V::zero();
        for (std::size_t k = 0; k < a.rows_in; ++k) {
            const T* in = a.in + k * a.in_stride + q;
            const T* w = a.weights + m0 * a.weight_row + k * a.weight_col;
            for (std::size_t t = 0; t < a.taps; ++t) {
                const T* p = in + a.offsets[t];
                const typename V::vec x0 = V::load(p), x1 = V::load(p + L), x2 = V::load(p + 2 * L),
                                      x3 = V::load(p + 3 * L);
                for (std::size_t r = 0; r < ROWS; ++r) {
                    const typename V::vec wv = V::broadcast(w[r * a.weight_row + t]);
                    acc[r][0] = V::fma(wv, x0, acc[r][0]);
                    acc[r][1] = V::fma(wv, x1, acc[r][1]);
                    acc[r][2] = V::fma(wv, x2, acc[r][2]);
                    acc[r][3] = V::fma(wv, x3, acc[r][3]);
                }
            }
        }
        for (std::size_t r = 0; r < ROWS; ++r) {
            T* out = a.out + (m0 + r) * a.out_stride + q;
            for (std::size_t v = 0; v < 4; ++v) V::store(out + v * L, acc[r][v]);
        }
    }
}

template <class T>
KNIT_AVX512 void correlate_avx512_impl(const grid_correlate_args<T>& a) {
    for (std::size_t q0 = 0; q0 < a.positions; q0 += grid_chunk) {
        const std::size_t q1 = std::min(a.positions, q0 + grid_chunk);
        for_each_row_block(a.rows_out, max_rows_correlate, [&](std::size_t m0, std::size_t rows) {
            switch (rows) {
                case 1: correlate_block<T, 1>(a, m0, q0, q1); break;
                case 2: correlate_block<T, 2>(a, m0, q0, q1); break;
                case 3: correlate_block<T, 3>(a, m0, q0, q1); break;
                case 4: correlate_block<T, 4>(a, m0, q0, q1); break;
                case 5: correlate_block<T, 5>(a, m0, q0, q1); break;
                default: correlate_block<T, 6>(a, m0, q0, q1); break;
            }
        });
    }
}

// ROWS rows of `a` against one row of `b` at six taps: 6 + ROWS loads and 6*ROWS fused
// multiply-adds per vector of positions. Taps past the last real one read offset 0 and
// are dropped.
template <class T, std::size_t ROWS>
KNIT_AVX512 void weight_grad_block(const grid_weight_grad_args<T>& a, std::size_t m0, std::size_t k,
                                   std::size_t t0, std::size_t q_begin, std::size_t q_end) {
    using V = avx512<T>;
    constexpr std::size_t L = V::lanes;
    const std::size_t real_taps = std::min(taps_per_block, a.taps - t0);
    std::ptrdiff_t off[taps_per_block];
    for (std::size_t t = 0; t < taps_per_block; ++t) off[t] = t < real_taps ? a.offsets[t0 + t] : 0;
    typename V::vec acc[ROWS][taps_per_block];
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t t = 0; t < taps_per_block; ++t) acc[r][t] = V::zero();
    const T* base_b = a.b + k * a.b_stride;
    for (std::size_t q = q_begin; q < q_end; q += L) {
        typename V::vec xb[taps_per_block];
        for (std::size_t t = 0; t < taps_per_block; ++t) xb[t] = V::load(base_b + q + off[t]);
        for (std::size_t r = 0; r < ROWS; ++r) {
            const typename V::vec xa = V::load(a.a + (m0 + r) * a.a_stride + q);
            for (std::size_t t = 0; t < taps_per_block; ++t) acc[r][t] = V::fma(xa, xb[t], acc[r][t]);
        }
    }
    // lane sums (a plain loop: GCC 12's _mm512_reduce_add_* trips -Wmaybe-uninitialized)
    T lane[L];
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t t = 0; t < real_taps; ++t) {
            V::store(lane, acc[r][t]);
            T sum = 0;
            for (std::size_t l = 0; l < L; ++l) sum += lane[l];
            a.grad[(m0 + r) * a.grad_row + k * a.grad_col + t0 + t] += sum;
        }
}

template <class T>
KNIT_AVX512 void weight_grad_avx512(const grid_weight_grad_args<T>& a) {
    const std::size_t chunk = 2 * grid_chunk;
    for (std::size_t q0 = 0; q0 < a.positions; q0 += chunk) {
        const std::size_t q1 = std::min(a.positions, q0 + chunk);
        for_each_row_block(a.rows_a, max_rows_weight_grad, [&](std::size_t m0, std::size_t rows) {
            for (std::size_t k = 0; k < a.rows_b; ++k)
                for (std::size_t t0 = 0; t0 < a.taps; t0 += taps_per_block) {
                    switch (rows) {
                        case 1: weight_grad_block<T, 1>(a, m0, k, t0, q0, q1); break;
                        case 2: weight_grad_block<T, 2>(a, m0, k, t0, q0, q1); break;
                        case 3: weight_grad_block<T, 3>(a, m0, k, t0, q0, q1); break;
                        default: weight_grad_block<T, 4>(a, m0, k, t0, q0, q1); break;
                    }
                }
        });
    }
}

// ---- plane kernels (see plane_correlate_args) ----

// Lanes of vector v that lie inside a plane of `plane` positions.
template <class T>
std::uint32_t tail_mask(std::size_t plane, std::size_t v) {
    constexpr std::size_t L = plane_lanes<T>;
    const std::size_t left = plane - v * L;
    return left >= L ? (L == 32 ? ~std::uint32_t(0) : (std::uint32_t(1) << L) - 1)
                     : (std::uint32_t(1) << left) - 1;
}

// Most rows per register block for V vectors of positions: ROWS*V accumulators, V inputs
// and one broadcast weight within the 32 vector registers. Three vectors (conv2's 48
// positions) take 9 rows (27 + 3 + 1 = 31 registers): conv2's 25 filters are 9 + 8 + 8
// instead of 7 + 6 + 6 + 6, one pass over the input fewer.
constexpr std::size_t plane_max_rows(std::size_t v) { return v == 1 ? 12 : v == 2 ? 12 : v == 3 ? 9 : 6; }
constexpr std::size_t plane_max_vectors = 4;

// ROWS output rows x V vectors of positions of one sample, in registers: for every tap
// (its V lane masks held in mask registers) and input row, V loads and ROWS*V masked
// fused multiply-adds.
template <class T, std::size_t V, std::size_t ROWS>
KNIT_AVX512 void plane_correlate_block(const plane_correlate_args<T>& a, std::size_t s, std::size_t v0,
                                       std::size_t m0) {
    using X = avx512<T>;
    constexpr std::size_t L = X::lanes;
    const std::size_t vectors = (a.plane + L - 1) / L, plane = a.plane, rows_in = a.rows_in;
    const std::size_t weight_row = a.weight_row, weight_col = a.weight_col;
    typename X::vec acc[ROWS][V];
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t v = 0; v < V; ++v) acc[r][v] = X::zero();
    const T* in_s = a.in + s * a.in_sample + v0 * L;
    const T* w_block = a.weights + m0 * weight_row;
    for (std::size_t t = 0; t < a.taps; ++t) {
        typename X::mask mask[V];
        for (std::size_t v = 0; v < V; ++v) mask[v] = static_cast<typename X::mask>(a.masks[t * vectors + v0 + v]);
        const T* in = in_s + a.offsets[t];
        const T* w = w_block + t;
        for (std::size_t k = 0; k < rows_in; ++k) {
            typename X::vec xv[V];
            for (std::size_t v = 0; v < V; ++v) xv[v] = X::load_masked(mask[v], in + k * plane + v * L);
            for (std::size_t r = 0; r < ROWS; ++r) {
                const typename X::vec wv = X::broadcast(w[r * weight_row + k * weight_col]);
                for (std::size_t v = 0; v < V; ++v) acc[r][v] = X::fma(wv, xv[v], acc[r][v]);
            }
        }
    }
    T* out = a.out + s * a.out_sample + m0 * plane + v0 * L;
    for (std::size_t r = 0; r < ROWS; ++r) {
        const typename X::vec b = X::broadcast(a.bias ? a.bias[m0 + r] : T(0));
        for (std::size_t v = 0; v < V; ++v) {
            typename X::vec z = X::add(acc[r][v], b);
            if (a.relu) z = X::max(X::zero(), z);  // max(0, z): a NaN z stays NaN, as std::max(z, 0)
            X::store_masked(out + r * plane + v * L, tail_mask<T>(plane, v0 + v), z);
        }
    }
}

template <class T>
using plane_correlate_fn = void (*)(const plane_correlate_args<T>&, std::size_t, std::size_t, std::size_t);

// table[ROWS - 1] = plane_correlate_block<T, V, ROWS>
template <class T, std::size_t V, std::size_t... R>
constexpr std::array<plane_correlate_fn<T>, sizeof...(R)> plane_correlate_table(std::index_sequence<R...>) {
    return {&plane_correlate_block<T, V, R + 1>...};
}

template <class T>
KNIT_AVX512 void plane_correlate_avx512(const plane_correlate_args<T>& a) {
    constexpr std::size_t L = avx512<T>::lanes;
    static constexpr auto t1 = plane_correlate_table<T, 1>(std::make_index_sequence<plane_max_rows(1)>());
    static constexpr auto t2 = plane_correlate_table<T, 2>(std::make_index_sequence<plane_max_rows(2)>());
    static constexpr auto t3 = plane_correlate_table<T, 3>(std::make_index_sequence<plane_max_rows(3)>());
    static constexpr auto t4 = plane_correlate_table<T, 4>(std::make_index_sequence<plane_max_rows(4)>());
    const plane_correlate_fn<T>* tables[] = {t1.data(), t2.data(), t3.data(), t4.data()};
    const std::size_t vectors = (a.plane + L - 1) / L;
    // the plane's vectors in groups of at most four, as even as possible (6 -> 3 + 3)
    const std::size_t groups = (vectors + plane_max_vectors - 1) / plane_max_vectors;
    for (std::size_t s = 0; s < a.samples; ++s) {
        std::size_t v0 = 0;
        for (std::size_t gi = 0; gi < groups; ++gi) {
            const std::size_t nv = vectors / groups + (gi < vectors % groups ? 1 : 0);
            const plane_correlate_fn<T>* table = tables[nv - 1];
            for_each_row_block(a.rows_out, plane_max_rows(nv),
                               [&](std::size_t m0, std::size_t rows) { table[rows - 1](a, s, v0, m0); });
            v0 += nv;
        }
    }
}

// ROWS rows of `a` against one row of `b` at up to six taps, summed over samples
// [s_begin, s_end) and the whole plane: 6 + ROWS loads and 6*ROWS masked fused
// multiply-adds per vector of positions. Taps past the last real one have no lanes.
template <class T, std::size_t ROWS>
KNIT_AVX512 void plane_weight_grad_block(const plane_weight_grad_args<T>& a, std::size_t m0, std::size_t k,
                                         std::size_t t0, std::size_t s_begin, std::size_t s_end, T* lanes) {
    using X = avx512<T>;
    constexpr std::size_t L = X::lanes;
    constexpr std::size_t TB = taps_per_block;
    const std::size_t vectors = (a.plane + L - 1) / L, plane = a.plane;
    const std::size_t real_taps = std::min(TB, a.taps - t0);
    std::ptrdiff_t off[TB];
    const std::uint16_t* masks[TB];
    static const std::uint16_t no_lanes[1] = {0};  // what unused taps read, at every vector
    std::size_t mask_step[TB];
    for (std::size_t t = 0; t < TB; ++t) {
        off[t] = t < real_taps ? a.offsets[t0 + t] : 0;
        masks[t] = t < real_taps ? a.masks + (t0 + t) * vectors : no_lanes;
        mask_step[t] = t < real_taps ? 1 : 0;
    }
    typename X::vec acc[ROWS][TB];
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t t = 0; t < TB; ++t) acc[r][t] = X::zero();
    // vectors outside, samples inside: the masks stay in registers for the whole sweep
    for (std::size_t v = 0; v < vectors; ++v) {
        typename X::mask mask[TB];
        for (std::size_t t = 0; t < TB; ++t) mask[t] = static_cast<typename X::mask>(masks[t][v * mask_step[t]]);
        for (std::size_t s = s_begin; s < s_end; ++s) {
            const T* bs = a.b + s * a.b_sample + k * plane + v * L;
            const T* as = a.a + s * a.a_sample + m0 * plane + v * L;
            typename X::vec xb[TB];
            for (std::size_t t = 0; t < TB; ++t) xb[t] = X::load_masked(mask[t], bs + off[t]);
            for (std::size_t r = 0; r < ROWS; ++r) {
                const typename X::vec xa = X::load(as + r * plane);
                for (std::size_t t = 0; t < TB; ++t) acc[r][t] = X::fma(xa, xb[t], acc[r][t]);
            }
        }
    }
    // lane-wise partial sums: lanes[((r * rows_b + k) * taps + t) * L + l], reduced at the end
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t t = 0; t < real_taps; ++t) {
            T* to = lanes + ((r * a.rows_b + k) * a.taps + t0 + t) * L;
            X::store(to, X::add(X::load(to), acc[r][t]));
        }
}

// plane_weight_grad_block for the fused relu (rows_b == 1, taps <= 6, whole vectors):
// the ROWS rows of dz are made from y and dy as they are loaded, their lane sums kept for
// the bias, and (when dx needs dz) stored. At most 3 rows: 18 + 3 accumulators, 6 taps
// and the dz vector in the 32 registers.
template <class T, std::size_t ROWS>
KNIT_AVX512 void plane_weight_grad_relu_block(const plane_weight_grad_args<T>& a, std::size_t m0,
                                              std::size_t s_begin, std::size_t s_end, T* lanes,
                                              T* bias_lanes) {
    using X = avx512<T>;
    constexpr std::size_t L = X::lanes;
    constexpr std::size_t TB = plane_fused_taps;
    const std::size_t vectors = a.plane / L, plane = a.plane;
    // locals: a store to dz_out could otherwise alias `a` and force reloads of its fields
    const T *y = a.relu_y, *dy = a.a;
    T* dz_out = a.dz_out;
    std::ptrdiff_t off[TB];
    const std::uint16_t* masks[TB];
    static const std::uint16_t no_lanes[1] = {0};  // what unused taps read, at every vector
    std::size_t mask_step[TB];
    for (std::size_t t = 0; t < TB; ++t) {
        off[t] = t < a.taps ? a.offsets[t] : 0;
        masks[t] = t < a.taps ? a.masks + t * vectors : no_lanes;
        mask_step[t] = t < a.taps ? 1 : 0;
    }
    typename X::vec acc[ROWS][TB], bias[ROWS];
    for (std::size_t r = 0; r < ROWS; ++r) {
        bias[r] = X::zero();
        for (std::size_t t = 0; t < TB; ++t) acc[r][t] = X::zero();
    }
    for (std::size_t v = 0; v < vectors; ++v) {
        typename X::mask mask[TB];
        for (std::size_t t = 0; t < TB; ++t) mask[t] = static_cast<typename X::mask>(masks[t][v * mask_step[t]]);
        for (std::size_t s = s_begin; s < s_end; ++s) {
            const T* bs = a.b + s * a.b_sample + v * L;
            const std::size_t at = s * a.a_sample + m0 * plane + v * L;
            typename X::vec xb[TB];
            for (std::size_t t = 0; t < TB; ++t) xb[t] = X::load_masked(mask[t], bs + off[t]);
            for (std::size_t r = 0; r < ROWS; ++r) {
                // dz = [y > 0] dy
                const typename X::vec dz = X::select_positive(X::load(y + at + r * plane),
                                                              X::load(dy + at + r * plane));
                if (dz_out) X::store(dz_out + at + r * plane, dz);
                bias[r] = X::add(bias[r], dz);
                for (std::size_t t = 0; t < TB; ++t) acc[r][t] = X::fma(dz, xb[t], acc[r][t]);
            }
        }
    }
    for (std::size_t r = 0; r < ROWS; ++r) {
        for (std::size_t t = 0; t < a.taps; ++t) {
            T* to = lanes + (r * a.taps + t) * L;
            X::store(to, X::add(X::load(to), acc[r][t]));
        }
        X::store(bias_lanes + r * L, X::add(X::load(bias_lanes + r * L), bias[r]));
    }
}

template <class T>
KNIT_AVX512 void relu_backward_avx512(const T* y, const T* dy, T* dz, std::size_t samples, std::size_t rows,
                                      std::size_t plane, T* sums) {
    using X = avx512<T>;
    constexpr std::size_t L = X::lanes;
    const std::size_t vectors = (plane + L - 1) / L;
    for (std::size_t s = 0; s < samples; ++s)
        for (std::size_t m = 0; m < rows; ++m) {
            const std::size_t at = (s * rows + m) * plane;
            typename X::vec sum = X::zero();
            for (std::size_t v = 0; v < vectors; ++v) {
                const auto tail = static_cast<typename X::mask>(tail_mask<T>(plane, v));
                const typename X::vec out = X::load_tail(tail, y + at + v * L);
                const typename X::vec grad = X::load_tail(tail, dy + at + v * L);
                const typename X::vec d = X::select_positive(out, grad);  // [y > 0] dy
                X::store_masked(dz + at + v * L, tail, d);
                sum = X::add(sum, d);
            }
            if (sums) {
                T lane[L];
                X::store(lane, sum);
                T total = 0;
                for (std::size_t l = 0; l < L; ++l) total += lane[l];
                sums[m] += total;
            }
        }
}


// Most rows per block of the fused relu weight gradient (see plane_weight_grad_relu_block).
constexpr std::size_t max_rows_relu_weight_grad = 3;

template <class T>
KNIT_AVX512 void plane_weight_grad_relu_avx512(const plane_weight_grad_args<T>& a) {
    constexpr std::size_t L = avx512<T>::lanes;
    KNIT_ASSERT(a.rows_b == 1 && a.taps <= plane_fused_taps && a.plane % L == 0);
    const std::size_t per_sample = (max_rows_relu_weight_grad * 2 + 1) * a.plane * sizeof(T);
    const std::size_t chunk = std::max<std::size_t>(1, plane_chunk_bytes / per_sample);
    // lane-wise sums of a row block: taps, then the bias (as in plane_weight_grad_avx512)
    T lanes[max_rows_relu_weight_grad * (plane_fused_taps + 1) * L];
    T* bias_lanes = lanes + max_rows_relu_weight_grad * plane_fused_taps * L;
    for_each_row_block(a.rows_a, max_rows_relu_weight_grad, [&](std::size_t m0, std::size_t rows) {
        std::fill(std::begin(lanes), std::end(lanes), T(0));
        for (std::size_t s0 = 0; s0 < a.samples; s0 += chunk) {
            const std::size_t s1 = std::min(a.samples, s0 + chunk);
            switch (rows) {
                case 1: plane_weight_grad_relu_block<T, 1>(a, m0, s0, s1, lanes, bias_lanes); break;
                case 2: plane_weight_grad_relu_block<T, 2>(a, m0, s0, s1, lanes, bias_lanes); break;
                default: plane_weight_grad_relu_block<T, 3>(a, m0, s0, s1, lanes, bias_lanes); break;
            }
        }
        for (std::size_t r = 0; r < rows; ++r) {
            for (std::size_t t = 0; t < a.taps; ++t) {
                const T* from = lanes + (r * a.taps + t) * L;
                T sum = 0;
                for (std::size_t l = 0; l < L; ++l) sum += from[l];
                a.grad[(m0 + r) * a.grad_row + t] += sum;
            }
            if (a.bias_grad) {
                T sum = 0;
                for (std::size_t l = 0; l < L; ++l) sum += bias_lanes[r * L + l];
                a.bias_grad[m0 + r] += sum;
            }
        }
    });
}

template <class T>
KNIT_AVX512 void plane_weight_grad_avx512(const plane_weight_grad_args<T>& a) {
    constexpr std::size_t L = avx512<T>::lanes;
    if (a.relu_y) return plane_weight_grad_relu_avx512(a);
    const std::size_t per_sample = (max_rows_weight_grad + 1) * a.plane * sizeof(T);
    const std::size_t chunk = std::max<std::size_t>(1, plane_chunk_bytes / per_sample);
    // Lane-wise sums of one row block, reduced once after all chunks (reducing 16 lanes per
    // chunk would cost as much as a chunk's multiply-adds). Grows once per thread.
    thread_local std::vector<T> lane_sums;
    const std::size_t block_lanes = max_rows_weight_grad * a.rows_b * a.taps * L;
    if (lane_sums.size() < block_lanes) lane_sums.resize(block_lanes);
    T* lanes = lane_sums.data();
    for_each_row_block(a.rows_a, max_rows_weight_grad, [&](std::size_t m0, std::size_t rows) {
        std::fill(lanes, lanes + rows * a.rows_b * a.taps * L, T(0));
        for (std::size_t s0 = 0; s0 < a.samples; s0 += chunk) {
            const std::size_t s1 = std::min(a.samples, s0 + chunk);
            for (std::size_t k = 0; k < a.rows_b; ++k)
                for (std::size_t t0 = 0; t0 < a.taps; t0 += taps_per_block) {
                    switch (rows) {
                        case 1: plane_weight_grad_block<T, 1>(a, m0, k, t0, s0, s1, lanes); break;
                        case 2: plane_weight_grad_block<T, 2>(a, m0, k, t0, s0, s1, lanes); break;
                        case 3: plane_weight_grad_block<T, 3>(a, m0, k, t0, s0, s1, lanes); break;
                        default: plane_weight_grad_block<T, 4>(a, m0, k, t0, s0, s1, lanes); break;
                    }
                }
        }
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t k = 0; k < a.rows_b; ++k)
                for (std::size_t t = 0; t < a.taps; ++t) {
                    const T* from = lanes + ((r * a.rows_b + k) * a.taps + t) * L;
                    T sum = 0;
                    for (std::size_t l = 0; l < L; ++l) sum += from[l];
                    a.grad[(m0 + r) * a.grad_row + k * a.grad_col + t] += sum;
                }
    });
}


}  // namespace

template <class T>
void grid_correlate(const grid_correlate_args<T>& a) { correlate_avx512_impl(a); }
template <class T>
void grid_weight_grad(const grid_weight_grad_args<T>& a) { weight_grad_avx512(a); }
template <class T>
void relu_backward_rows(const T* y, const T* dy, T* dz, std::size_t samples, std::size_t rows, std::size_t plane,
                        T* sums) {
    relu_backward_avx512(y, dy, dz, samples, rows, plane, sums);
}
template <class T>
void plane_correlate(const plane_correlate_args<T>& a) { plane_correlate_avx512(a); }
template <class T>
void plane_weight_grad(const plane_weight_grad_args<T>& a) { plane_weight_grad_avx512(a); }

#define KNIT_INSTANTIATE(T)                                                                                  \
    template void grid_correlate<T>(const grid_correlate_args<T>&);                                         \
    template void grid_weight_grad<T>(const grid_weight_grad_args<T>&);                                     \
    template void relu_backward_rows<T>(const T*, const T*, T*, std::size_t, std::size_t, std::size_t, T*); \
    template void plane_correlate<T>(const plane_correlate_args<T>&);                                       \
    template void plane_weight_grad<T>(const plane_weight_grad_args<T>&);
KNIT_INSTANTIATE(float)
KNIT_INSTANTIATE(double)
#undef KNIT_INSTANTIATE

}  // namespace knit::nn::detail::avx512

#endif
