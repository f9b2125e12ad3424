// The AVX-512 kernels of lstm<float>: fused recurrent product and gate activations per
// register tile (forward), element-wise backward followed by dZ U^T per row block
// (backward). What and why: include/knit/nn/detail/lstm_avx512.hpp. The portable path
// they replace is the one lstm<double> runs (GEMM, then the step loops of lstm.hpp);
// tests run both on the same inputs.
#include "knit/nn/detail/lstm_avx512.hpp"

#include <iterator>
#include <type_traits>

#include "knit/nn/detail/cpu.hpp"
#include "knit/nn/detail/vector_math.hpp"

// x86-64 only; elsewhere lstm<float> runs the Highway step kernels at every level.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(KNIT_NO_HANDWRITTEN_AVX512)
#define KNIT_LSTM_AVX512 1
#include <immintrin.h>
#endif

namespace knit::nn::detail {
namespace {

constexpr std::size_t lanes = 16;           // floats per vector: one unit block
constexpr std::size_t gate_panel = 4 * lanes;  // one packed row of a unit block: [i, f, g, o] x 16
constexpr std::size_t tile_rows = 6;        // 6 rows x 4 vectors = 24 accumulators of 32 registers

std::size_t unit_blocks(std::size_t units) { return (units + lanes - 1) / lanes; }
// Backward's dZ U^T tiles cover 4 vectors (64 units) of dh per packed group.
std::size_t unit_groups(std::size_t units) { return (units + gate_panel - 1) / gate_panel; }

// Packs rows of a (rows, 4H) gate-major matrix (W, U or b) by unit block: block b's row k
// is [i, f, g, o] of units 16b .. 16b+15, zero past H.
void pack_gate_rows(const float* src, std::size_t rows, std::size_t units, float* out) {
    const std::size_t g4 = 4 * units, blocks = unit_blocks(units);
    for (std::size_t b = 0; b < blocks; ++b)
        for (std::size_t k = 0; k < rows; ++k)
            for (std::size_t gate = 0; gate < 4; ++gate)
                for (std::size_t l = 0; l < lanes; ++l) {
                    const std::size_t unit = b * lanes + l;
                    out[((b * rows + k) * 4 + gate) * lanes + l] =
                        unit < units ? src[k * g4 + gate * units + unit] : 0.0f;
                }
}

}  // namespace

std::size_t lstm_avx512_forward_pack_size(std::size_t features, std::size_t units) {
    return unit_blocks(units) * gate_panel * (units + (features > 0 ? features + 1 : 0));
}

void lstm_avx512_pack_forward(const float* w, const float* u, const float* b, std::size_t features,
                              std::size_t units, float* packed) {
    const std::size_t blocks = unit_blocks(units);
    pack_gate_rows(u, units, units, packed);
    if (features == 0) return;
    pack_gate_rows(w, features, units, packed + blocks * gate_panel * units);
    pack_gate_rows(b, 1, units, packed + blocks * gate_panel * (units + features));
}

std::size_t lstm_avx512_backward_pack_size(std::size_t units) {
    return unit_groups(units) * 4 * units * gate_panel;
}

// U^T (4H, H) by groups of 64 units: group q's row k holds U[64q .. 64q+63, k], zero past H.
void lstm_avx512_pack_backward(const float* u, std::size_t units, float* packed) {
    const std::size_t g4 = 4 * units;
    for (std::size_t q = 0; q < unit_groups(units); ++q)
        for (std::size_t k = 0; k < g4; ++k)
            for (std::size_t l = 0; l < gate_panel; ++l) {
                const std::size_t unit = q * gate_panel + l;
                packed[(q * g4 + k) * gate_panel + l] = unit < units ? u[unit * g4 + k] : 0.0f;
            }
}

#ifdef KNIT_LSTM_AVX512
#define KNIT_AVX512 __attribute__((target("avx512f")))

namespace {

using vec = __m512;
using mask = __mmask16;

KNIT_AVX512 inline vec splat(float v) { return _mm512_set1_ps(v); }
// Lanes of the unit block starting at `first` that hold real units.
KNIT_AVX512 inline mask lane_mask(std::size_t units, std::size_t first) {
    const std::size_t left = units - first;
    return left >= lanes ? mask(0xFFFF) : mask((1u << left) - 1u);
}
// The unmasked max, min, roundscale, scalef and rcp14 intrinsics of GCC 12 start from an
// undefined vector, which -Wuninitialized reports; these merge-masked forms with every
// lane set compile to the same instructions. vmaxps and vminps return their second
// operand when either is NaN, so callers pass the bound first and the value second: a
// NaN then stays NaN, as in the portable kernels, and training stops on a NaN loss.
constexpr mask all_lanes = 0xFFFF;
KNIT_AVX512 inline vec max(vec a, vec b) { return _mm512_mask_max_ps(a, all_lanes, a, b); }
KNIT_AVX512 inline vec min(vec a, vec b) { return _mm512_mask_min_ps(a, all_lanes, a, b); }
KNIT_AVX512 inline vec round_to_int(vec a) {
    return _mm512_mask_roundscale_ps(a, all_lanes, a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
KNIT_AVX512 inline vec times_power_of_two(vec a, vec k) { return _mm512_mask_scalef_ps(a, all_lanes, a, k); }  // a 2^k
KNIT_AVX512 inline vec reciprocal_estimate(vec a) { return _mm512_mask_rcp14_ps(a, all_lanes, a); }
KNIT_AVX512 inline vec load(mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
KNIT_AVX512 inline void store(float* p, mask m, vec v) { _mm512_mask_storeu_ps(p, m, v); }

// e^x as the Highway kernels compute it (nn/simd_math-inl.hpp: same clamp, reduction and
// degree-7 polynomial), with 2^k applied by scalef instead of built in the exponent bits.
KNIT_AVX512 inline vec exp16(vec x) {
    using namespace exp_constants;
    x = min(splat(highest), max(splat(lowest), x));
    const vec k = round_to_int(_mm512_mul_ps(x, splat(log2e)));
    vec r = _mm512_fnmadd_ps(k, splat(ln2_hi), x);  // x - k ln2
    r = _mm512_fnmadd_ps(k, splat(ln2_lo), r);
    vec p = splat(taylor[0]);
#pragma GCC unroll 8
    for (std::size_t d = 1; d < std::size(taylor); ++d) p = _mm512_fmadd_ps(p, r, splat(taylor[d]));
    return times_power_of_two(p, k);
}

// 1 / d for d >= 1: rcp14's estimate (relative error below 2^-14) and one Newton step
// r + r (1 - d r), which squares the error to below 2^-28, under float's half ulp. A
// third of the cost of a division, which runs on one port with a long latency.
KNIT_AVX512 inline vec reciprocal(vec d) {
    const vec r = reciprocal_estimate(d);
    return _mm512_fmadd_ps(r, _mm512_fnmadd_ps(d, r, splat(1.0f)), r);
}

// sigma(z) = 1 / (1 + e^-z), with -z capped at 87 so that the reciprocal stays a normal
// float (1 / (1 + e^87) = 1.6e-38; e^88 would give a subnormal, slow on saturated gates).
KNIT_AVX512 inline vec sigmoid16(vec z) {
    return reciprocal(_mm512_add_ps(splat(1.0f), exp16(min(splat(-exp_constants::lowest), _mm512_sub_ps(_mm512_setzero_ps(), z)))));
}

// tanh as the Highway kernels: the odd series below |z| = 0.4, 1 - 2 / (e^{2|z|} + 1)
// above, the sign put back. |z| is capped at 9 in the second form (tanh(9) rounds to 1)
// so that the reciprocal never becomes subnormal.
KNIT_AVX512 inline vec tanh16(vec z) {
    const vec a = _mm512_abs_ps(z);
    const vec a_far = min(splat(9.0f), a);
    const vec far = _mm512_fnmadd_ps(
        splat(2.0f), reciprocal(_mm512_add_ps(exp16(_mm512_add_ps(a_far, a_far)), splat(1.0f))), splat(1.0f));
    const vec a2 = _mm512_mul_ps(a, a);
    vec s = splat(tanh_constants::series[0]);
#pragma GCC unroll 8
    for (std::size_t d = 1; d < std::size(tanh_constants::series); ++d)
        s = _mm512_fmadd_ps(s, a2, splat(tanh_constants::series[d]));
    const vec near = _mm512_fmadd_ps(_mm512_mul_ps(a, a2), s, a);
    const vec t = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, splat(tanh_constants::series_below), _CMP_LT_OQ), far, near);
    const vec zero = _mm512_setzero_ps();
    return _mm512_mask_sub_ps(t, _mm512_cmp_ps_mask(z, zero, _CMP_LT_OQ), zero, t);  // -t where z < 0
}

// The recurrent activation, and its derivative from its output y.
template <bool Hard>
KNIT_AVX512 inline vec gate(vec z) {
    if constexpr (Hard)  // Keras 2.2: clip(0.2 z + 0.5, 0, 1)
        return min(splat(1.0f), max(_mm512_setzero_ps(), _mm512_fmadd_ps(z, splat(0.2f), splat(0.5f))));
    else return sigmoid16(z);
}
template <bool Hard>
KNIT_AVX512 inline vec gate_derivative(vec y) {
    if constexpr (Hard) {  // 0.2 strictly inside the clip, 0 on its flat parts
        const mask inside = _mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_GT_OQ) &
                            _mm512_cmp_ps_mask(y, splat(1.0f), _CMP_LT_OQ);
        return _mm512_maskz_mov_ps(inside, splat(0.2f));
    } else {
        return _mm512_fnmadd_ps(y, y, y);  // sigma (1 - sigma)
    }
}
// The cell input g = tanh(z): with sigmoid gates as 2 sigma(2z) - 1, which shares their
// code (as the portable float kernel does); with hard gates the series/exp form.
template <bool Hard>
KNIT_AVX512 inline vec cell_input(vec z) {
    if constexpr (Hard) return tanh16(z);
    else return _mm512_fmsub_ps(splat(2.0f), sigmoid16(_mm512_add_ps(z, z)), splat(1.0f));
}

// Calls tile(rows, r0) over n rows in blocks of tile_rows, then once for the remainder,
// with rows a compile-time constant so that the tiles' register arrays unroll.
template <class Tile>
inline void over_row_tiles(std::size_t n, Tile&& tile) {
    std::size_t r0 = 0;
    for (; r0 + tile_rows <= n; r0 += tile_rows) tile(std::integral_constant<std::size_t, tile_rows>{}, r0);
    switch (n - r0) {
        case 5: tile(std::integral_constant<std::size_t, 5>{}, r0); break;
        case 4: tile(std::integral_constant<std::size_t, 4>{}, r0); break;
        case 3: tile(std::integral_constant<std::size_t, 3>{}, r0); break;
        case 2: tile(std::integral_constant<std::size_t, 2>{}, r0); break;
        case 1: tile(std::integral_constant<std::size_t, 1>{}, r0); break;
        default: break;
    }
    static_assert(tile_rows == 6, "over_row_tiles: the remainder cases assume 6-row tiles");
}

// ---- forward ----------------------------------------------------------------------------

// One tile: rows r0 .. r0+R-1, units 16 blk .. 16 blk + 15, all four gates.
template <std::size_t R, bool Hard>
KNIT_AVX512 void forward_tile(const lstm_avx512_forward_step& a, std::size_t r0, std::size_t blk) {
    const std::size_t units = a.units, g4 = 4 * units, col = blk * lanes, blocks = unit_blocks(units);
    const mask m = lane_mask(units, col);
    vec acc[R][4];
    if (a.x) {  // z = b + x_t W, F broadcasts per row
        const float* pw = a.packed + (blocks * units + blk * a.features) * gate_panel;
        const float* pb = a.packed + (blocks * (units + a.features) + blk) * gate_panel;
#pragma GCC unroll 4
        for (std::size_t g = 0; g < 4; ++g) {
            const vec bias = _mm512_loadu_ps(pb + g * lanes);
#pragma GCC unroll 6
            for (std::size_t r = 0; r < R; ++r) acc[r][g] = bias;
        }
        for (std::size_t j = 0; j < a.features; ++j) {
            vec w[4];
#pragma GCC unroll 4
            for (std::size_t g = 0; g < 4; ++g) w[g] = _mm512_loadu_ps(pw + j * gate_panel + g * lanes);
#pragma GCC unroll 6
            for (std::size_t r = 0; r < R; ++r) {
                const vec xv = splat(a.x[(r0 + r) * a.features + j]);
#pragma GCC unroll 4
                for (std::size_t g = 0; g < 4; ++g) acc[r][g] = _mm512_fmadd_ps(xv, w[g], acc[r][g]);
            }
        }
    } else {  // z_t = x_t W + b is already in the gate rows
#pragma GCC unroll 6
        for (std::size_t r = 0; r < R; ++r)
#pragma GCC unroll 4
            for (std::size_t g = 0; g < 4; ++g) acc[r][g] = load(m, a.gates + (r0 + r) * g4 + g * units + col);
    }
    // z += h_{t-1} U
    const float* pu = a.packed + blk * units * gate_panel;
    const float* hp = a.h_prev + r0 * units;
    for (std::size_t k = 0; k < units; ++k) {
        vec u[4];
#pragma GCC unroll 4
        for (std::size_t g = 0; g < 4; ++g) u[g] = _mm512_loadu_ps(pu + k * gate_panel + g * lanes);
#pragma GCC unroll 6
        for (std::size_t r = 0; r < R; ++r) {
            const vec hv = splat(hp[r * units + k]);
#pragma GCC unroll 4
            for (std::size_t g = 0; g < 4; ++g) acc[r][g] = _mm512_fmadd_ps(hv, u[g], acc[r][g]);
        }
    }
    // gates, c_t = f c_{t-1} + i g, h_t = o tanh(c_t), straight from the registers
#pragma GCC unroll 6
    for (std::size_t r = 0; r < R; ++r) {
        const vec i = gate<Hard>(acc[r][0]), f = gate<Hard>(acc[r][1]), g = cell_input<Hard>(acc[r][2]),
                  o = gate<Hard>(acc[r][3]);
        float* gr = a.gates + (r0 + r) * g4 + col;
        store(gr, m, i);
        store(gr + units, m, f);
        store(gr + 2 * units, m, g);
        store(gr + 3 * units, m, o);
        const std::size_t at = (r0 + r) * units + col;
        const vec cell = _mm512_fmadd_ps(f, load(m, a.c_prev + at), _mm512_mul_ps(i, g));
        const vec tc = tanh16(cell);
        store(a.c + at, m, cell);
        store(a.tanh_c + at, m, tc);
        store(a.h + at, m, _mm512_mul_ps(o, tc));
    }
}

template <bool Hard>
void forward_all(const lstm_avx512_forward_step& a) {
    // Unit blocks outside: one block's packed U (H x 64 floats) stays in L1 for all rows.
    for (std::size_t blk = 0; blk < unit_blocks(a.units); ++blk)
        over_row_tiles(a.n, [&](auto rows, std::size_t r0) { forward_tile<decltype(rows)::value, Hard>(a, r0, blk); });
}

// ---- backward ---------------------------------------------------------------------------

// dZ for rows r0 .. r0+rows-1 (every unit block), dc_t -> dc_{t-1}, and for narrow
// inputs dW += x_t^T dZ, db += column sums of dZ, summed over the block's rows first (db
// in registers, dW in a small stack block that stays in L1) and added to the gradients once.
template <bool Hard>
KNIT_AVX512 void backward_rows(const lstm_avx512_backward_step& a, std::size_t r0, std::size_t rows) {
    const std::size_t units = a.units, g4 = 4 * units, features = a.x ? a.features : 0;
    for (std::size_t blk = 0; blk < unit_blocks(units); ++blk) {
        const std::size_t col = blk * lanes;
        const mask m = lane_mask(units, col);
        vec db[4], dw[lstm_avx512_max_features][4];
#pragma GCC unroll 4
        for (std::size_t g = 0; g < 4; ++g) {
            db[g] = _mm512_setzero_ps();
            for (std::size_t j = 0; j < features; ++j) dw[j][g] = _mm512_setzero_ps();
        }
        for (std::size_t r = r0; r < r0 + rows; ++r) {
            const float* gr = a.gates + r * g4 + col;
            const vec i = load(m, gr), forget = load(m, gr + units), g = load(m, gr + 2 * units),
                      o = load(m, gr + 3 * units);
            const std::size_t at = r * units + col;
            const vec tc = load(m, a.tanh_c + at), dh = load(m, a.dh + at);
            // h = o tanh(c):  dL/dc = dc_{t+1 -> t} + dh o (1 - tanh(c)^2),  dL/do = dh tanh(c)
            const vec dcell = _mm512_fmadd_ps(_mm512_mul_ps(dh, o), _mm512_fnmadd_ps(tc, tc, splat(1.0f)),
                                              load(m, a.dc + at));
            vec dz[4];
            // c = f c_prev + i g:  dL/di = dc g,  dL/df = dc c_prev,  dL/dg = dc i
            dz[0] = _mm512_mul_ps(_mm512_mul_ps(dcell, g), gate_derivative<Hard>(i));
            dz[1] = _mm512_mul_ps(_mm512_mul_ps(dcell, load(m, a.c_prev + at)), gate_derivative<Hard>(forget));
            dz[2] = _mm512_mul_ps(_mm512_mul_ps(dcell, i), _mm512_fnmadd_ps(g, g, splat(1.0f)));  // tanh' = 1 - g^2
            dz[3] = _mm512_mul_ps(_mm512_mul_ps(dh, tc), gate_derivative<Hard>(o));
            store(a.dc + at, m, _mm512_mul_ps(dcell, forget));  // dL/dc_{t-1} = dc f
            float* dzr = a.dz + r * g4 + col;
#pragma GCC unroll 4
            for (std::size_t q = 0; q < 4; ++q) {
                store(dzr + q * units, m, dz[q]);
                db[q] = _mm512_add_ps(db[q], dz[q]);  // dL/db: b is added to every row
            }
            for (std::size_t j = 0; j < features; ++j) {
                const vec xv = splat(a.x[r * a.features + j]);
#pragma GCC unroll 4
                for (std::size_t q = 0; q < 4; ++q)
                    dw[j][q] = _mm512_fmadd_ps(xv, dz[q], dw[j][q]);  // dL/dW_jk += x_rj dz_rk
            }
        }
        if (!a.x) continue;
#pragma GCC unroll 4
        for (std::size_t q = 0; q < 4; ++q) {
            float* dbq = a.db + q * units + col;
            store(dbq, m, _mm512_add_ps(load(m, dbq), db[q]));
            for (std::size_t j = 0; j < features; ++j) {
                float* dwq = a.dw + j * g4 + q * units + col;
                store(dwq, m, _mm512_add_ps(load(m, dwq), dw[j][q]));
            }
        }
    }
}

// dL/dh_{t-1} = dZ_t U^T for rows r0 .. r0+R-1 and the C unit blocks of group q.
template <std::size_t R, std::size_t C>
KNIT_AVX512 void dh_tile(const lstm_avx512_backward_step& a, std::size_t r0, std::size_t q) {
    const std::size_t units = a.units, g4 = 4 * units;
    vec acc[R][C];
#pragma GCC unroll 6
    for (std::size_t r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (std::size_t c = 0; c < C; ++c) acc[r][c] = _mm512_setzero_ps();
    const float* pt = a.packed + q * g4 * gate_panel;
    const float* dz = a.dz + r0 * g4;
    for (std::size_t k = 0; k < g4; ++k) {
        vec ut[C];
#pragma GCC unroll 4
        for (std::size_t c = 0; c < C; ++c) ut[c] = _mm512_loadu_ps(pt + k * gate_panel + c * lanes);
#pragma GCC unroll 6
        for (std::size_t r = 0; r < R; ++r) {
            const vec d = splat(dz[r * g4 + k]);
#pragma GCC unroll 4
            for (std::size_t c = 0; c < C; ++c) acc[r][c] = _mm512_fmadd_ps(d, ut[c], acc[r][c]);
        }
    }
#pragma GCC unroll 6
    for (std::size_t r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (std::size_t c = 0; c < C; ++c) {
            const std::size_t first = q * gate_panel + c * lanes;
            store(a.dh + (r0 + r) * units + first, lane_mask(units, first), acc[r][c]);
        }
}

template <std::size_t R>
void dh_tiles(const lstm_avx512_backward_step& a, std::size_t r0) {
    for (std::size_t q = 0; q < unit_groups(a.units); ++q) {
        const std::size_t left = a.units - q * gate_panel;  // units in this group and after
        switch (left >= gate_panel ? 4 : (left + lanes - 1) / lanes) {
            case 4: dh_tile<R, 4>(a, r0, q); break;
            case 3: dh_tile<R, 3>(a, r0, q); break;
            case 2: dh_tile<R, 2>(a, r0, q); break;
            default: dh_tile<R, 1>(a, r0, q); break;
        }
    }
}

template <bool Hard>
void backward_all(const lstm_avx512_backward_step& a) {
    // Per row block: its dZ first (it reads the block's dL/dh_t), then its dL/dh_{t-1}
    // over the same rows of dh, with the block's dZ rows still in L1.
    over_row_tiles(a.n, [&](auto rows, std::size_t r0) {
        backward_rows<Hard>(a, r0, rows);
        if (a.want_dh_prev) dh_tiles<decltype(rows)::value>(a, r0);
    });
}

}  // namespace

bool lstm_avx512_available() { return use_avx512(); }

void lstm_avx512_forward(const lstm_avx512_forward_step& a) {
    if (a.hard) forward_all<true>(a);
    else forward_all<false>(a);
}

void lstm_avx512_backward(const lstm_avx512_backward_step& a) {
    if (a.hard) backward_all<true>(a);
    else backward_all<false>(a);
}

#else  // no AVX-512 kernels in this build: lstm<float> never calls the two below

bool lstm_avx512_available() { return false; }
void lstm_avx512_forward(const lstm_avx512_forward_step&) {}
void lstm_avx512_backward(const lstm_avx512_backward_step&) {}

#endif

}  // namespace knit::nn::detail
