// The portable per-step kernels of lstm<T> (include/knit/nn/lstm.hpp): the element-wise
// forward and backward of one step for n rows, and for narrow inputs the row loops that
// replace the input's GEMMs. Double runs these templates as written. Float runs the same
// steps as Highway kernels (src/nn/lstm_kernels.cpp) at the SIMD level in use
// (knit/nn/simd.hpp), tested against these templates, unless the AVX-512 kernels of
// lstm_avx512.hpp take the whole step. The equations are at the top of lstm.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "knit/nn/activations.hpp"
#include "knit/nn/detail/lstm_avx512.hpp"
#include "knit/nn/detail/vector_math.hpp"

namespace knit::nn::detail {

// The gate slices of one row are disjoint, which GCC cannot prove through the pointer
// arithmetic; without this hint it leaves the fused loops scalar.
#if defined(__GNUC__) && !defined(__clang__)
#define KNIT_LSTM_IVDEP _Pragma("GCC ivdep")
#else
#define KNIT_LSTM_IVDEP
#endif

// Selects in the element-wise code go through detail::pick (detail/vector_math.hpp).

// The recurrent activation and its derivative from its output y, chosen at compile time
// so the fused gate loops carry no branch on it.
template <bool Hard, class T>
inline T gate(T z) {
    if constexpr (Hard) return hard_sigmoid(z);  // Keras 2.2: clip(0.2 z + 0.5, 0, 1)
    else return sigmoid(z);
}
template <bool Hard, class T>
inline T gate_derivative(T y) {
    if constexpr (Hard) return pick((y > T(0)) & (y < T(1)), T(0.2), T(0));  // 0.2 inside (-2.5, 2.5)
    else return y * (T(1) - y);  // sigma (1 - sigma)
}

// One forward step's element-wise part for n rows, the plain fused loop (used for double;
// float has a faster kernel in src/nn/lstm_kernels.cpp). z (n, 4H) holds the pre-activations on
// entry and the activated gates [i, f, g, o] on exit.
template <bool Hard, class T>
inline void lstm_step_forward(T* z, const T* c_prev, T* c, T* tanh_c, T* h, std::size_t n,
                       std::size_t units) {
    const std::size_t stride = 4 * units;
    for (std::size_t r = 0; r < n; ++r) {
        T* __restrict zi = z + r * stride;
        T* __restrict zf = zi + units;
        T* __restrict zg = zf + units;
        T* __restrict zo = zg + units;
        const T* __restrict cp = c_prev + r * units;
        T* __restrict cr = c + r * units;
        T* __restrict tr = tanh_c + r * units;
        T* __restrict hr = h + r * units;
        KNIT_LSTM_IVDEP
        for (std::size_t j = 0; j < units; ++j) {
            const T i = gate<Hard>(zi[j]), f = gate<Hard>(zf[j]), g = std::tanh(zg[j]),
                    o = gate<Hard>(zo[j]);
            zi[j] = i, zf[j] = f, zg[j] = g, zo[j] = o;
            const T cell = f * cp[j] + i * g;  // c_t = f c_{t-1} + i g
            const T tc = std::tanh(cell);
            cr[j] = cell;
            tr[j] = tc;
            hr[j] = o * tc;                     // h_t = o tanh(c_t)
        }
    }
}

// One backward step's element-wise part. gates: the step's activated gates (n, 4H);
// dh: dL/dh_t (n, H), output gradient included; dc: dL/dc_t from later steps on entry,
// dL/dc_{t-1} on exit; dz: dL/dz_t (n, 4H), which may be gates itself (each unit's four
// gates are read before its four dz are written, so the pointers carry no __restrict).
template <bool Hard, class T>
inline void lstm_step_backward(const T* gates, const T* c_prev, const T* tanh_c, const T* dh, T* dc,
                        T* dz, std::size_t n, std::size_t units) {
    const std::size_t stride = 4 * units;
    for (std::size_t r = 0; r < n; ++r) {
        const T* gi = gates + r * stride;
        const T* gf = gi + units;
        const T* gg = gf + units;
        const T* go = gg + units;
        const T* __restrict cp = c_prev + r * units;
        const T* __restrict tc = tanh_c + r * units;
        const T* __restrict dhr = dh + r * units;
        T* __restrict dcr = dc + r * units;
        T* dzi = dz + r * stride;
        T* dzf = dzi + units;
        T* dzg = dzf + units;
        T* dzo = dzg + units;
        KNIT_LSTM_IVDEP
        for (std::size_t j = 0; j < units; ++j) {
            const T dh_total = dhr[j];
            const T i = gi[j], f = gf[j], g = gg[j], o = go[j];
            // h = o tanh(c):  dL/do = dh tanh(c),  dL/dc += dh o (1 - tanh(c)^2)
            const T dcell = dcr[j] + dh_total * o * (T(1) - tc[j] * tc[j]);
            dzo[j] = dh_total * tc[j] * gate_derivative<Hard>(o);
            // c = f c_prev + i g:  dL/di = dc g,  dL/dg = dc i,  dL/df = dc c_prev
            dzi[j] = dcell * g * gate_derivative<Hard>(i);
            dzg[j] = dcell * i * (T(1) - g * g);  // g = tanh(z_g)
            dzf[j] = dcell * cp[j] * gate_derivative<Hard>(f);
            dcr[j] = dcell * f;                            // dL/dc_{t-1} = dc f
        }
    }
}

// The float kernels live in src/nn/lstm_kernels.cpp: a branch-free exp in place of
// std::exp and std::tanh, loops laid out for full vector width, written on Highway and
// run at the SIMD level in use (KNIT_SIMD moves them). Double calls the templates above
// directly, with the standard functions.
void lstm_step_forward_float(bool hard, float* z, const float* c_prev, float* c, float* tanh_c,
                             float* h, std::size_t n, std::size_t units);
void lstm_step_backward_float(bool hard, const float* gates, const float* c_prev,
                              const float* tanh_c, const float* dh, float* dc, float* dz,
                              std::size_t n, std::size_t units);

inline void step_forward(bool hard, float* z, const float* c_prev, float* c, float* tanh_c,
                         float* h, std::size_t n, std::size_t units) {
    lstm_step_forward_float(hard, z, c_prev, c, tanh_c, h, n, units);
}
inline void step_forward(bool hard, double* z, const double* c_prev, double* c, double* tanh_c,
                         double* h, std::size_t n, std::size_t units) {
    if (hard) lstm_step_forward<true>(z, c_prev, c, tanh_c, h, n, units);
    else lstm_step_forward<false>(z, c_prev, c, tanh_c, h, n, units);
}
inline void step_backward(bool hard, const float* gates, const float* c_prev, const float* tanh_c,
                          const float* dh, float* dc, float* dz, std::size_t n, std::size_t units) {
    lstm_step_backward_float(hard, gates, c_prev, tanh_c, dh, dc, dz, n, units);
}
inline void step_backward(bool hard, const double* gates, const double* c_prev,
                          const double* tanh_c, const double* dh, double* dc, double* dz,
                          std::size_t n, std::size_t units) {
    if (hard) lstm_step_backward<true>(gates, c_prev, tanh_c, dh, dc, dz, n, units);
    else lstm_step_backward<false>(gates, c_prev, tanh_c, dh, dc, dz, n, units);
}

// With few input features (the paper has F = 2) the input's share of each step is F
// multiply-adds per gate. A GEMM then costs more in packing than in arithmetic
// (at the paper's shape, N=100, T=21, F=2, H=64, X W and dW together took nearly half as
// long as all 21 recurrent products, for 1/32 of their arithmetic), so below this width
// plain row loops, run per step while the step's rows are in cache, replace the input
// GEMMs.
constexpr std::size_t lstm_direct_features = 8;
static_assert(lstm_direct_features <= lstm_avx512_max_features);

// z_t = x_t W + b for one step's rows: rows (n, 4H), x (n, F), W (F, 4H).
template <class T>
void input_projection_rows_t(const T* x, const T* w, const T* b, T* z, std::size_t n, std::size_t f,
                           std::size_t g4) {
    for (std::size_t r = 0; r < n; ++r) {
        T* __restrict zr = z + r * g4;
        std::copy(b, b + g4, zr);
        for (std::size_t j = 0; j < f; ++j) {
            const T xj = x[r * f + j];
            const T* __restrict wj = w + j * g4;
            for (std::size_t k = 0; k < g4; ++k) zr[k] += xj * wj[k];
        }
    }
}

// dW += x_t^T dZ_t and db += the column sums of dZ_t, for one step's rows.
template <class T>
void input_weight_grads_rows_t(const T* x, const T* dz, T* dw, T* db, std::size_t n, std::size_t f,
                             std::size_t g4) {
    for (std::size_t r = 0; r < n; ++r) {
        const T* __restrict dzr = dz + r * g4;
        T* __restrict dbr = db;
        for (std::size_t k = 0; k < g4; ++k) dbr[k] += dzr[k];  // dL/db: b is added to every row
        for (std::size_t j = 0; j < f; ++j) {
            const T xj = x[r * f + j];
            T* __restrict dwj = dw + j * g4;
            for (std::size_t k = 0; k < g4; ++k) dwj[k] += xj * dzr[k];  // dL/dW_jk += x_rj dz_rk
        }
    }
}

// Float runs them as Highway kernels (src/nn/lstm_kernels.cpp), like the gate kernels:
// the library's baseline target has 4-wide SSE2 vectors and no FMA.
void lstm_input_projection_float(const float* x, const float* w, const float* b, float* z, std::size_t n,
                                 std::size_t f, std::size_t g4);
void lstm_input_grads_float(const float* x, const float* dz, float* dw, float* db, std::size_t n,
                            std::size_t f, std::size_t g4);
inline void input_projection_rows(const float* x, const float* w, const float* b, float* z, std::size_t n,
                                  std::size_t f, std::size_t g4) {
    lstm_input_projection_float(x, w, b, z, n, f, g4);
}
inline void input_projection_rows(const double* x, const double* w, const double* b, double* z,
                                  std::size_t n, std::size_t f, std::size_t g4) {
    input_projection_rows_t(x, w, b, z, n, f, g4);
}
inline void input_weight_grads_rows(const float* x, const float* dz, float* dw, float* db, std::size_t n,
                                    std::size_t f, std::size_t g4) {
    lstm_input_grads_float(x, dz, dw, db, n, f, g4);
}
inline void input_weight_grads_rows(const double* x, const double* dz, double* dw, double* db,
                                    std::size_t n, std::size_t f, std::size_t g4) {
    input_weight_grads_rows_t(x, dz, dw, db, n, f, g4);
}

}  // namespace knit::nn::detail
