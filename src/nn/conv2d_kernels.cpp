// The kernels of conv2d's shifted-grid and plane paths (contract and layouts:
// include/knit/nn/detail/conv2d_kernels.hpp), written once on Highway and compiled for
// every SIMD level below avx512 (knit/nn/simd.hpp). At the avx512 level the hand-written
// kernels of conv2d_kernels_avx512.cpp run instead. The direct-loop reference they are tested
// against is detail/conv2d_direct.hpp.
//
// Register blocking follows the target's register file: AVX2 has 16 vector registers,
// NEON 32; the scalar target's one-lane "vectors" get small blocks, to keep its code small.
// The avx512 level runs the hand-written kernels, so Highway's AVX3 build of these would
// never run: it is left out (the other targets are those CMakeLists.txt leaves in),
// except in the comparison build (KNIT_HANDWRITTEN_AVX512=OFF).
#ifndef KNIT_NO_HANDWRITTEN_AVX512
#undef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_SSE4 | HWY_AVX3 | HWY_AVX3_DL | HWY_SVE | HWY_SVE2 | HWY_SVE_256 | HWY_SVE2_128)
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "nn/conv2d_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/nn/detail/conv2d_kernels.hpp"
#include "nn/conv2d_blocking.hpp"

HWY_BEFORE_NAMESPACE();
namespace knit::nn::detail {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_EMU128 || HWY_TARGET == HWY_SCALAR
constexpr std::size_t vector_registers = 8;
#elif HWY_TARGET == HWY_AVX2
constexpr std::size_t vector_registers = 16;
#else
constexpr std::size_t vector_registers = 32;
#endif
// Samples per chunk of plane_weight_grad, in bytes (see plane_chunk_bytes): 16 KB measured
// best at the paper's conv2 on a 32 KB L1 (the 2-core AMD EPYC; 32 KB was 10% slower), as
// the keep table and the lane sums share L1 with the chunk here.
constexpr std::size_t plane_chunk_bytes_simd = std::size_t(1) << 14;

constexpr std::size_t clamp_rows(std::size_t rows, std::size_t most) { return rows < 1 ? 1 : rows > most ? most : rows; }

// grid_correlate's block: grid_vectors vectors of positions x grid_rows filters in
// registers, with the vectors of input and one broadcast weight beside them.
constexpr std::size_t grid_vectors = vector_registers >= 32 ? 4 : 2;
constexpr std::size_t grid_rows = clamp_rows((vector_registers - grid_vectors - 1) / grid_vectors, 6);
// grid_weight_grad's and plane_weight_grad's blocks: rows x taps accumulators, a vector of
// `b` per tap, one vector of `a` (the plane's masks are read from memory, see keep_table).
constexpr std::size_t grad_taps = vector_registers >= 32 ? 6 : 3;
constexpr std::size_t grid_grad_rows = clamp_rows((vector_registers - 1 - grad_taps) / grad_taps, 4);
constexpr std::size_t plane_grad_rows = grid_grad_rows;
// plane_correlate's block: nv vectors x rows filters, nv vectors of input, one weight.
constexpr std::size_t plane_most_vectors = vector_registers >= 32 ? 4 : 2;
constexpr std::size_t plane_rows(std::size_t nv) {
    return clamp_rows((vector_registers - 1 - nv) / nv, vector_registers >= 16 ? 12 : 4);
}

template <class T>
using tag = hn::CappedTag<T, plane_lanes<T>>;  // at most one plane-mask word per vector
template <class T>
constexpr std::size_t lanes = hn::MaxLanes(tag<T>());
template <class T>
using vec = hn::Vec<tag<T>>;
template <class T>
using mask = hn::Mask<tag<T>>;

// Sum of v's lanes, in lane order (as every level sums, so levels differ only by the
// order of their partial sums, not by a reduction tree of their own).
template <class T>
T lane_sum(vec<T> v) {
    alignas(64) T lane[lanes<T>];
    hn::Store(v, tag<T>(), lane);
    T sum = 0;
    for (std::size_t l = 0; l < lanes<T>; ++l) sum += lane[l];
    return sum;
}

// Lane l's mask from bit l of a mask word: lane_bit holds 1 << l in lane l.
template <class T>
using lane_bits = hn::Vec<hn::RebindToUnsigned<tag<T>>>;
template <class T>
lane_bits<T> first_lane_bits() {
    const hn::RebindToUnsigned<tag<T>> du;
    return hn::Shl(hn::Set(du, hn::TFromD<decltype(du)>{1}), hn::Iota(du, 0));
}
template <class T>
mask<T> bits_mask(lane_bits<T> lane_bit, std::uint32_t bits) {
    const hn::RebindToUnsigned<tag<T>> du;
    return hn::RebindMask(tag<T>(), hn::TestBit(hn::Set(du, hn::TFromD<decltype(du)>(bits)), lane_bit));
}

// The mask word bits of Highway vector j of a plane: plane vectors (of plane_lanes lanes)
// hold plane_lanes / lanes of them.
template <class T>
std::uint32_t plane_vector_bits(const std::uint16_t* tap_masks, std::size_t j) {
    constexpr std::size_t per_word = plane_lanes<T> / lanes<T>;
    return std::uint32_t(tap_masks[j / per_word]) >> ((j % per_word) * lanes<T>);
}

// The plane masks as vectors: lanes [(t * vectors + j) * L, +L) are all-ones where vector
// j's tap t lies inside the input, zero elsewhere. An And with them replaces a masked
// load. Taps past the last one, up to a whole block of grad_taps, have no lanes. Built
// once per kernel call; grows once per thread.
template <class T>
const T* keep_table(const std::uint16_t* masks, std::size_t taps, std::size_t plane) {
    const tag<T> d;
    constexpr std::size_t L = lanes<T>, PL = plane_lanes<T>;
    const std::size_t vectors = (plane + L - 1) / L, words = (plane + PL - 1) / PL;
    const std::size_t padded = (taps + grad_taps - 1) / grad_taps * grad_taps;
    thread_local std::vector<T> table;
    if (table.size() < padded * vectors * L) table.resize(padded * vectors * L);
    std::fill(table.begin() + taps * vectors * L, table.begin() + padded * vectors * L, T(0));
    const lane_bits<T> bits = first_lane_bits<T>();
    for (std::size_t t = 0; t < taps; ++t)
        for (std::size_t j = 0; j < vectors; ++j)
            hn::StoreU(hn::VecFromMask(d, bits_mask<T>(bits, plane_vector_bits<T>(masks + t * words, j))), d,
                       table.data() + (t * vectors + j) * L);
    return table.data();
}

// ---- grid kernels ----

// (input row, tap) pairs run as one loop, not two nested ones: around a nested loop GCC 12
// stores every accumulator back to memory on each inner iteration. The same holds for
// the plane kernels below.
template <class T, std::size_t ROWS>
void correlate_block(const grid_correlate_args<T>& a, std::size_t m0, std::size_t q_begin, std::size_t q_end) {
    const tag<T> d;
    constexpr std::size_t L = lanes<T>, NV = grid_vectors;
    const std::size_t taps = a.taps, steps = a.rows_in * taps, in_stride = a.in_stride;
    const std::size_t weight_row = a.weight_row, weight_col = a.weight_col;
    const std::ptrdiff_t* offsets = a.offsets;
    const T* w_block = a.weights + m0 * weight_row;
    for (std::size_t q = q_begin; q < q_end; q += NV * L) {
        vec<T> acc[ROWS][NV];
        for (std::size_t r = 0; r < ROWS; ++r)
            for (std::size_t v = 0; v < NV; ++v) acc[r][v] = hn::Zero(d);
        const T* in_k = a.in + q;  // input row k at position q
        const T* w_k = w_block;    // weights of input row k
        for (std::size_t step = 0, t = 0; step < steps; ++step) {
            const T* p = in_k + offsets[t];
            vec<T> x[NV];
            for (std::size_t v = 0; v < NV; ++v) x[v] = hn::LoadU(d, p + v * L);
            for (std::size_t r = 0; r < ROWS; ++r) {
                const vec<T> wv = hn::Set(d, w_k[r * weight_row + t]);
                for (std::size_t v = 0; v < NV; ++v) acc[r][v] = hn::MulAdd(wv, x[v], acc[r][v]);
            }
            if (++t == taps) {
                t = 0;
                in_k += in_stride;
                w_k += weight_col;
            }
        }
        for (std::size_t r = 0; r < ROWS; ++r)
            for (std::size_t v = 0; v < NV; ++v) hn::StoreU(acc[r][v], d, a.out + (m0 + r) * a.out_stride + q + v * L);
    }
}

template <class T, std::size_t... R>
void correlate_rows(const grid_correlate_args<T>& a, std::size_t m0, std::size_t rows, std::size_t q0,
                    std::size_t q1, std::index_sequence<R...>) {
    ((rows == R + 1 ? correlate_block<T, R + 1>(a, m0, q0, q1) : void()), ...);
}

template <class T>
void grid_correlate_simd(const grid_correlate_args<T>& a) {
    for (std::size_t q0 = 0; q0 < a.positions; q0 += grid_chunk) {
        const std::size_t q1 = std::min(a.positions, q0 + grid_chunk);
        for_each_row_block(a.rows_out, grid_rows, [&](std::size_t m0, std::size_t rows) {
            correlate_rows(a, m0, rows, q0, q1, std::make_index_sequence<grid_rows>());
        });
    }
}

// ROWS rows of `a` against one row of `b` at grad_taps taps. Taps past the last real one
// read offset 0 and are dropped.
template <class T, std::size_t ROWS>
void weight_grad_block(const grid_weight_grad_args<T>& a, std::size_t m0, std::size_t k, std::size_t t0,
                       std::size_t q_begin, std::size_t q_end) {
    const tag<T> d;
    constexpr std::size_t L = lanes<T>, TB = grad_taps;
    const std::size_t real_taps = std::min(TB, a.taps - t0);
    std::ptrdiff_t off[TB];
    for (std::size_t t = 0; t < TB; ++t) off[t] = t < real_taps ? a.offsets[t0 + t] : 0;
    vec<T> acc[ROWS][TB];
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t t = 0; t < TB; ++t) acc[r][t] = hn::Zero(d);
    const T* base_b = a.b + k * a.b_stride;
    for (std::size_t q = q_begin; q < q_end; q += L) {
        vec<T> xb[TB];
        for (std::size_t t = 0; t < TB; ++t) xb[t] = hn::LoadU(d, base_b + q + off[t]);
        for (std::size_t r = 0; r < ROWS; ++r) {
            const vec<T> xa = hn::LoadU(d, a.a + (m0 + r) * a.a_stride + q);
            for (std::size_t t = 0; t < TB; ++t) acc[r][t] = hn::MulAdd(xa, xb[t], acc[r][t]);
        }
    }
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t t = 0; t < real_taps; ++t)
            a.grad[(m0 + r) * a.grad_row + k * a.grad_col + t0 + t] += lane_sum<T>(acc[r][t]);
}

template <class T, std::size_t... R>
void weight_grad_rows(const grid_weight_grad_args<T>& a, std::size_t m0, std::size_t rows, std::size_t k,
                      std::size_t t0, std::size_t q0, std::size_t q1, std::index_sequence<R...>) {
    ((rows == R + 1 ? weight_grad_block<T, R + 1>(a, m0, k, t0, q0, q1) : void()), ...);
}

template <class T>
void grid_weight_grad_simd(const grid_weight_grad_args<T>& a) {
    const std::size_t chunk = 2 * grid_chunk;
    for (std::size_t q0 = 0; q0 < a.positions; q0 += chunk) {
        const std::size_t q1 = std::min(a.positions, q0 + chunk);
        for_each_row_block(a.rows_a, grid_grad_rows, [&](std::size_t m0, std::size_t rows) {
            for (std::size_t k = 0; k < a.rows_b; ++k)
                for (std::size_t t0 = 0; t0 < a.taps; t0 += grad_taps)
                    weight_grad_rows(a, m0, rows, k, t0, q0, q1, std::make_index_sequence<grid_grad_rows>());
        });
    }
}

// ---- plane kernels ----

// Stores the first `count` lanes of v (all of them when count >= lanes).
template <class T>
void store_first(vec<T> v, std::size_t count, T* p) {
    const tag<T> d;
    if (count >= lanes<T>)
        hn::StoreU(v, d, p);
    else
        hn::BlendedStore(v, hn::FirstN(d, count), d, p);
}

// ROWS output rows x NV vectors of positions (from vector j0) of sample s, in registers.
// keep: the masks as vectors (keep_table), read from memory beside each load.
template <class T, std::size_t NV, std::size_t ROWS>
void plane_correlate_block(const plane_correlate_args<T>& a, const T* keep, std::size_t s, std::size_t j0,
                           std::size_t m0) {
    const tag<T> d;
    constexpr std::size_t L = lanes<T>;
    const std::size_t plane = a.plane, vectors = (plane + L - 1) / L, rows_in = a.rows_in;
    const std::size_t steps = a.taps * rows_in, weight_row = a.weight_row, weight_col = a.weight_col;
    const std::ptrdiff_t* offsets = a.offsets;
    vec<T> acc[ROWS][NV];
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t v = 0; v < NV; ++v) acc[r][v] = hn::Zero(d);
    const T* in_s = a.in + s * a.in_sample + j0 * L;
    const T* w_block = a.weights + m0 * weight_row;
    // (tap, input row) pairs as one loop (see correlate_block)
    const T* in = in_s + offsets[0];
    const T* w = w_block;
    const T* keep_t = keep + j0 * L;
    for (std::size_t step = 0, t = 0, k = 0; step < steps; ++step) {
        vec<T> x[NV];
        for (std::size_t v = 0; v < NV; ++v) x[v] = hn::And(hn::LoadU(d, in + v * L), hn::LoadU(d, keep_t + v * L));
        for (std::size_t r = 0; r < ROWS; ++r) {
            const vec<T> wv = hn::Set(d, w[r * weight_row]);
            for (std::size_t v = 0; v < NV; ++v) acc[r][v] = hn::MulAdd(wv, x[v], acc[r][v]);
        }
        if (++k == rows_in) {
            k = 0;
            if (++t == a.taps) break;
            in = in_s + offsets[t];
            w = w_block + t;
            keep_t = keep + (t * vectors + j0) * L;
        } else {
            in += plane;
            w += weight_col;
        }
    }
    T* out = a.out + s * a.out_sample + m0 * plane + j0 * L;
    for (std::size_t r = 0; r < ROWS; ++r) {
        const vec<T> b = hn::Set(d, a.bias ? a.bias[m0 + r] : T(0));
        for (std::size_t v = 0; v < NV; ++v) {
            vec<T> z = hn::Add(acc[r][v], b);
            if (a.relu) z = hn::IfThenZeroElse(hn::Lt(z, hn::Zero(d)), z);  // a NaN z stays NaN, as std::max(z, 0)
            store_first<T>(z, plane - (j0 + v) * L, out + r * plane + v * L);
        }
    }
}

template <class T, std::size_t NV, std::size_t... R>
void plane_correlate_rows(const plane_correlate_args<T>& a, const T* keep, std::size_t s, std::size_t j0,
                          std::size_t m0, std::size_t rows, std::index_sequence<R...>) {
    ((rows == R + 1 ? plane_correlate_block<T, NV, R + 1>(a, keep, s, j0, m0) : void()), ...);
}

template <class T, std::size_t NV>
void plane_correlate_group(const plane_correlate_args<T>& a, const T* keep, std::size_t s,
                           std::size_t j0) {
    for_each_row_block(a.rows_out, plane_rows(NV), [&](std::size_t m0, std::size_t rows) {
        plane_correlate_rows<T, NV>(a, keep, s, j0, m0, rows, std::make_index_sequence<plane_rows(NV)>());
    });
}

template <class T>
void plane_correlate_simd(const plane_correlate_args<T>& a) {
    constexpr std::size_t L = lanes<T>;
    const T* keep = keep_table<T>(a.masks, a.taps, a.plane);
    const std::size_t vectors = (a.plane + L - 1) / L;
    // the plane's vectors in groups of at most four, as even as possible (6 -> 3 + 3)
    const std::size_t groups = (vectors + plane_most_vectors - 1) / plane_most_vectors;
    for (std::size_t s = 0; s < a.samples; ++s) {
        std::size_t j0 = 0;
        for (std::size_t g = 0; g < groups; ++g) {
            const std::size_t nv = vectors / groups + (g < vectors % groups ? 1 : 0);
            switch (nv) {
                case 1: plane_correlate_group<T, 1>(a, keep, s, j0); break;
                case 2: plane_correlate_group<T, 2>(a, keep, s, j0); break;
                case 3: plane_correlate_group<T, 3>(a, keep, s, j0); break;
                default: plane_correlate_group<T, 4>(a, keep, s, j0); break;
            }
            j0 += nv;
        }
    }
}

// ROWS rows of `a` against one row of `b` at up to grad_taps taps, summed over samples
// [s_begin, s_end) and the whole plane, into lane-wise partial sums
// lanes[((r * rows_b + k) * taps + t) * L + l]. Taps past the last real one have no lanes.
template <class T, std::size_t ROWS>
void plane_weight_grad_block(const plane_weight_grad_args<T>& a, const T* keep, std::size_t m0, std::size_t k,
                             std::size_t t0, std::size_t s_begin, std::size_t s_end, T* sums) {
    const tag<T> d;
    constexpr std::size_t L = lanes<T>, TB = grad_taps;
    const std::size_t plane = a.plane, vectors = (plane + L - 1) / L, samples = s_end - s_begin;
    const std::size_t real_taps = std::min(TB, a.taps - t0), a_sample = a.a_sample, b_sample = a.b_sample;
    if (samples == 0) return;
    std::ptrdiff_t off[TB];  // unused taps read offset 0 and keep no lanes
    for (std::size_t t = 0; t < TB; ++t) off[t] = t < real_taps ? a.offsets[t0 + t] : 0;
    const std::size_t keep_tap = vectors * L;  // from one tap's keep lanes to the next's
    vec<T> acc[ROWS][TB];
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t t = 0; t < TB; ++t) acc[r][t] = hn::Zero(d);
    // (vector, sample) pairs as one loop, samples inner (see correlate_block)
    const T* b_first = a.b + s_begin * b_sample + k * plane;
    const T* a_first = a.a + s_begin * a_sample + m0 * plane;
    const T* bs = b_first;
    const T* as = a_first;
    const T* keep_j = keep + t0 * keep_tap;  // tap t0's keep lanes for vector j
    std::size_t j = 0;
    for (std::size_t step = 0, s = 0, steps = vectors * samples; step < steps; ++step) {
        vec<T> xb[TB];
        for (std::size_t t = 0; t < TB; ++t)
            xb[t] = hn::And(hn::LoadU(d, bs + off[t]), hn::LoadU(d, keep_j + t * keep_tap));
        for (std::size_t r = 0; r < ROWS; ++r) {
            const vec<T> xa = hn::LoadU(d, as + r * plane);
            for (std::size_t t = 0; t < TB; ++t) acc[r][t] = hn::MulAdd(xa, xb[t], acc[r][t]);
        }
        if (++s == samples) {
            s = 0;
            ++j;
            bs = b_first + j * L;
            as = a_first + j * L;
            keep_j += L;
        } else {
            bs += b_sample;
            as += a_sample;
        }
    }
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t t = 0; t < real_taps; ++t) {
            T* to = sums + ((r * a.rows_b + k) * a.taps + t0 + t) * L;
            hn::StoreU(hn::Add(hn::LoadU(d, to), acc[r][t]), d, to);
        }
}

template <class T, std::size_t... R>
void plane_weight_grad_rows(const plane_weight_grad_args<T>& a, const T* keep, std::size_t m0,
                            std::size_t rows, std::size_t k, std::size_t t0, std::size_t s0, std::size_t s1, T* sums,
                            std::index_sequence<R...>) {
    ((rows == R + 1 ? plane_weight_grad_block<T, R + 1>(a, keep, m0, k, t0, s0, s1, sums) : void()), ...);
}

// dz = [y > 0] dy row by row, with the rows' sums into sums[m] when sums is set.
template <class T>
void relu_backward_simd(const T* y, const T* dy, T* dz, std::size_t samples, std::size_t rows, std::size_t plane,
                        T* sums) {
    const tag<T> d;
    constexpr std::size_t L = lanes<T>;
    for (std::size_t s = 0; s < samples; ++s)
        for (std::size_t m = 0; m < rows; ++m) {
            const std::size_t at = (s * rows + m) * plane;
            vec<T> total = hn::Zero(d);
            for (std::size_t p = 0; p < plane; p += L) {
                // the last vector may end past the buffer: a masked load cannot fault there
                const bool whole = p + L <= plane;
                const mask<T> inside = hn::FirstN(d, plane - p);
                const vec<T> out = whole ? hn::LoadU(d, y + at + p) : hn::MaskedLoad(inside, d, y + at + p);
                const vec<T> grad = whole ? hn::LoadU(d, dy + at + p) : hn::MaskedLoad(inside, d, dy + at + p);
                const vec<T> g = hn::IfThenElseZero(hn::Gt(out, hn::Zero(d)), grad);  // [y > 0] dy
                store_first<T>(g, plane - p, dz + at + p);
                total = hn::Add(total, g);
            }
            if (sums) sums[m] += lane_sum<T>(total);
        }
}

template <class T>
void plane_weight_grad_simd(const plane_weight_grad_args<T>& a) {
    constexpr std::size_t L = lanes<T>;
    if (a.relu_y) {
        // relu's backward first (into dz_out, or scratch), then the plain weight gradient:
        // the fused single pass of the AVX-512 kernels needs more registers than AVX2 has.
        thread_local std::vector<T> scratch;
        T* dz = a.dz_out;
        if (!dz) {
            scratch.resize(a.samples * a.a_sample);
            dz = scratch.data();
        }
        relu_backward_simd(a.relu_y, a.a, dz, a.samples, a.rows_a, a.plane, a.bias_grad);
        plane_weight_grad_args<T> plain = a;
        plain.a = dz;
        plain.relu_y = nullptr;
        return plane_weight_grad_simd(plain);
    }
    const T* keep = keep_table<T>(a.masks, a.taps, a.plane);
    const std::size_t per_sample = (plane_grad_rows + 1) * a.plane * sizeof(T);
    const std::size_t chunk = std::max<std::size_t>(1, plane_chunk_bytes_simd / per_sample);
    // Lane-wise sums of one row block, reduced once after all chunks. Grows once per thread.
    thread_local std::vector<T> lane_sums;
    const std::size_t block_lanes = plane_grad_rows * a.rows_b * a.taps * L;
    if (lane_sums.size() < block_lanes) lane_sums.resize(block_lanes);
    T* sums = lane_sums.data();
    for_each_row_block(a.rows_a, plane_grad_rows, [&](std::size_t m0, std::size_t rows) {
        std::fill(sums, sums + rows * a.rows_b * a.taps * L, T(0));
        for (std::size_t s0 = 0; s0 < a.samples; s0 += chunk) {
            const std::size_t s1 = std::min(a.samples, s0 + chunk);
            for (std::size_t k = 0; k < a.rows_b; ++k)
                for (std::size_t t0 = 0; t0 < a.taps; t0 += grad_taps)
                    plane_weight_grad_rows(a, keep, m0, rows, k, t0, s0, s1, sums,
                                           std::make_index_sequence<plane_grad_rows>());
        }
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t k = 0; k < a.rows_b; ++k)
                for (std::size_t t = 0; t < a.taps; ++t) {
                    const T* from = sums + ((r * a.rows_b + k) * a.taps + t) * L;
                    T sum = 0;
                    for (std::size_t l = 0; l < L; ++l) sum += from[l];
                    a.grad[(m0 + r) * a.grad_row + k * a.grad_col + t] += sum;
                }
    });
}

}  // namespace

// The entry points HWY_EXPORT takes: one non-template function per type.
#define KNIT_CONV_KERNELS(T, suffix)                                                                       \
    void grid_correlate_##suffix(const grid_correlate_args<T>& a) { grid_correlate_simd(a); }              \
    void grid_weight_grad_##suffix(const grid_weight_grad_args<T>& a) { grid_weight_grad_simd(a); }        \
    void plane_correlate_##suffix(const plane_correlate_args<T>& a) { plane_correlate_simd(a); }           \
    void plane_weight_grad_##suffix(const plane_weight_grad_args<T>& a) { plane_weight_grad_simd(a); }     \
    void relu_backward_##suffix(const T* y, const T* dy, T* dz, std::size_t samples, std::size_t rows,     \
                                std::size_t plane, T* sums) {                                              \
        relu_backward_simd(y, dy, dz, samples, rows, plane, sums);                                         \
    }
KNIT_CONV_KERNELS(float, f32)
KNIT_CONV_KERNELS(double, f64)
#undef KNIT_CONV_KERNELS

}  // namespace HWY_NAMESPACE
}  // namespace knit::nn::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "knit/nn/detail/cpu.hpp"
#include "nn/conv2d_kernels_avx512.hpp"
#include "nn/simd_dispatch.hpp"

namespace knit::nn::detail {

HWY_EXPORT(grid_correlate_f32);
HWY_EXPORT(grid_correlate_f64);
HWY_EXPORT(grid_weight_grad_f32);
HWY_EXPORT(grid_weight_grad_f64);
HWY_EXPORT(plane_correlate_f32);
HWY_EXPORT(plane_correlate_f64);
HWY_EXPORT(plane_weight_grad_f32);
HWY_EXPORT(plane_weight_grad_f64);
HWY_EXPORT(relu_backward_f32);
HWY_EXPORT(relu_backward_f64);

// hand_written(): whether the AVX-512 kernels take this call.
inline bool hand_written() {
#if KNIT_CONV_HAS_AVX512
    return use_avx512();
#else
    return false;
#endif
}

#if KNIT_CONV_HAS_AVX512
#define KNIT_CONV_AVX512_CALL(call) \
    if (hand_written()) return avx512::call
#else
#define KNIT_CONV_AVX512_CALL(call) (void)0
#endif

template <>
void grid_correlate<float>(const grid_correlate_args<float>& a) {
    KNIT_ASSERT(a.positions % grid_alignment == 0);
    KNIT_CONV_AVX512_CALL(grid_correlate(a));
    KNIT_SIMD_DISPATCH(grid_correlate_f32)(a);
}
template <>
void grid_correlate<double>(const grid_correlate_args<double>& a) {
    KNIT_ASSERT(a.positions % grid_alignment == 0);
    KNIT_CONV_AVX512_CALL(grid_correlate(a));
    KNIT_SIMD_DISPATCH(grid_correlate_f64)(a);
}
template <>
void grid_weight_grad<float>(const grid_weight_grad_args<float>& a) {
    KNIT_ASSERT(a.positions % grid_alignment == 0);
    KNIT_CONV_AVX512_CALL(grid_weight_grad(a));
    KNIT_SIMD_DISPATCH(grid_weight_grad_f32)(a);
}
template <>
void grid_weight_grad<double>(const grid_weight_grad_args<double>& a) {
    KNIT_ASSERT(a.positions % grid_alignment == 0);
    KNIT_CONV_AVX512_CALL(grid_weight_grad(a));
    KNIT_SIMD_DISPATCH(grid_weight_grad_f64)(a);
}
template <>
void plane_correlate<float>(const plane_correlate_args<float>& a) {
    KNIT_CONV_AVX512_CALL(plane_correlate(a));
    KNIT_SIMD_DISPATCH(plane_correlate_f32)(a);
}
template <>
void plane_correlate<double>(const plane_correlate_args<double>& a) {
    KNIT_CONV_AVX512_CALL(plane_correlate(a));
    KNIT_SIMD_DISPATCH(plane_correlate_f64)(a);
}
template <>
void plane_weight_grad<float>(const plane_weight_grad_args<float>& a) {
    KNIT_CONV_AVX512_CALL(plane_weight_grad(a));
    KNIT_SIMD_DISPATCH(plane_weight_grad_f32)(a);
}
template <>
void plane_weight_grad<double>(const plane_weight_grad_args<double>& a) {
    KNIT_CONV_AVX512_CALL(plane_weight_grad(a));
    KNIT_SIMD_DISPATCH(plane_weight_grad_f64)(a);
}
template <>
void relu_backward_rows<float>(const float* y, const float* dy, float* dz, std::size_t samples, std::size_t rows,
                               std::size_t plane, float* sums) {
    KNIT_CONV_AVX512_CALL(relu_backward_rows(y, dy, dz, samples, rows, plane, sums));
    KNIT_SIMD_DISPATCH(relu_backward_f32)(y, dy, dz, samples, rows, plane, sums);
}
template <>
void relu_backward_rows<double>(const double* y, const double* dy, double* dz, std::size_t samples,
                                std::size_t rows, std::size_t plane, double* sums) {
    KNIT_CONV_AVX512_CALL(relu_backward_rows(y, dy, dz, samples, rows, plane, sums));
    KNIT_SIMD_DISPATCH(relu_backward_f64)(y, dy, dz, samples, rows, plane, sums);
}

#undef KNIT_CONV_AVX512_CALL

}  // namespace knit::nn::detail
#endif  // HWY_ONCE
