// Explicit instantiations: users' translation units reuse these instead of compiling
// the layer again. Also the two kernels of conv2d's shifted-grid path (see conv2d.hpp):
// an AVX-512 version, chosen at run time when the CPU has it (knit is built without
// -march, so the compiler may not use AVX-512 elsewhere), and a portable loop version.
#include "knit/nn/conv2d.hpp"

#include <algorithm>
#include <cstddef>

// -DKNIT_NO_AVX512 builds only the portable kernels (to test them on an AVX-512 machine).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(KNIT_NO_AVX512)
#define KNIT_CONV_AVX512 1
#include <immintrin.h>
#endif

namespace knit::nn {
template class conv2d<float>;
template class conv2d<double>;

namespace detail {
namespace {

// Positions per block of the grid processed while its inputs stay in L2.
constexpr std::size_t grid_chunk = 1024;
// Filters per register block of grid_correlate and of grid_weight_grad.
constexpr std::size_t max_rows_correlate = 6;
constexpr std::size_t max_rows_weight_grad = 4;
// Taps per register block of grid_weight_grad (a 2x3 kernel is one block).
constexpr std::size_t taps_per_block = 6;

// Splits `count` rows into register blocks of at most `most` rows, as even as possible
// (25 -> 5 x 5 rather than 4 x 6 + 1), and calls f(first row, rows in the block).
template <class F>
void for_each_row_block(std::size_t count, std::size_t most, F&& f) {
    const std::size_t blocks = (count + most - 1) / most;
    std::size_t first = 0;
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::size_t rows = count / blocks + (b < count % blocks ? 1 : 0);
        f(first, rows);
        first += rows;
    }
}

// ---- portable versions: plain loops (the compiler vectorises the inner one) ----

template <class T>
void correlate_portable(const grid_correlate_args<T>& a) {
    for (std::size_t m = 0; m < a.rows_out; ++m) {
        T* out = a.out + m * a.out_stride;
        std::fill(out, out + a.positions, T(0));
        for (std::size_t k = 0; k < a.rows_in; ++k)
            for (std::size_t t = 0; t < a.taps; ++t) {
                const T w = a.weights[m * a.weight_row + k * a.weight_col + t];
                const T* in = a.in + k * a.in_stride + a.offsets[t];
                for (std::size_t q = 0; q < a.positions; ++q) out[q] += w * in[q];
            }
    }
}

template <class T>
void weight_grad_portable(const grid_weight_grad_args<T>& a) {
    for (std::size_t m = 0; m < a.rows_a; ++m)
        for (std::size_t k = 0; k < a.rows_b; ++k)
            for (std::size_t t = 0; t < a.taps; ++t) {
                const T* x = a.a + m * a.a_stride;
                const T* y = a.b + k * a.b_stride + a.offsets[t];
                T lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // partial sums: see conv2d::row_sum
                std::size_t q = 0;
                for (; q + 8 <= a.positions; q += 8)
                    for (std::size_t l = 0; l < 8; ++l) lane[l] += x[q + l] * y[q + l];
                T sum = 0;
                for (; q < a.positions; ++q) sum += x[q] * y[q];
                for (std::size_t l = 0; l < 8; ++l) sum += lane[l];
                a.grad[m * a.grad_row + k * a.grad_col + t] += sum;
            }
}

#ifdef KNIT_CONV_AVX512
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
KNIT_AVX512 void correlate_avx512(const grid_correlate_args<T>& a) {
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

bool cpu_has_avx512() {
    static const bool has = __builtin_cpu_supports("avx512f");
    return has;
}
#endif

}  // namespace

template <class T>
void grid_correlate(const grid_correlate_args<T>& a) {
    KNIT_ASSERT(a.positions % grid_alignment == 0);
#ifdef KNIT_CONV_AVX512
    if (cpu_has_avx512()) return correlate_avx512(a);
#endif
    correlate_portable(a);
}

template <class T>
void grid_weight_grad(const grid_weight_grad_args<T>& a) {
    KNIT_ASSERT(a.positions % grid_alignment == 0);
#ifdef KNIT_CONV_AVX512
    if (cpu_has_avx512()) return weight_grad_avx512(a);
#endif
    weight_grad_portable(a);
}

template void grid_correlate<float>(const grid_correlate_args<float>&);
template void grid_correlate<double>(const grid_correlate_args<double>&);
template void grid_weight_grad<float>(const grid_weight_grad_args<float>&);
template void grid_weight_grad<double>(const grid_weight_grad_args<double>&);

}  // namespace detail
}  // namespace knit::nn
