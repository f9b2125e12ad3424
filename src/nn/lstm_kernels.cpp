// lstm<float>'s element-wise kernels (declared in knit/nn/detail/lstm_steps.hpp): one
// step's gates and cell forward, one step's backward, and for narrow inputs the row loops
// that replace the input's GEMMs. Written once on Highway and compiled for every SIMD level
// (knit/nn/simd.hpp); each call runs the level in use. At the avx512 level with
// H <= lstm_avx512_max_units, the hand-written kernels of lstm_avx512.cpp take the whole
// step instead, so these run there only for wider layers. The reference they are tested
// against is lstm_steps.hpp's templates (std::tanh, the stable sigmoid), which double runs.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "nn/lstm_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <cstddef>

#include "knit/nn/detail/lstm_steps.hpp"
#include "nn/simd_math-inl.hpp"

HWY_BEFORE_NAMESPACE();
namespace knit::nn::detail {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;
using tag = hn::ScalableTag<float>;
using vec = hn::Vec<tag>;

// The recurrent activation's derivative from its output y: 0.2 inside (0, 1) for
// hard_sigmoid, y (1 - y) for sigmoid.
template <bool Hard>
HWY_INLINE vec gate_derivative(tag d, vec y) {
    const vec one = hn::Set(d, 1.0f);
    if constexpr (Hard) return hn::IfThenElseZero(hn::And(hn::Gt(y, hn::Zero(d)), hn::Lt(y, one)), hn::Set(d, 0.2f));
    else return hn::Mul(y, hn::Sub(one, y));
}

// lstm_step_forward's step, laid out for vector width: the activations run over each row's
// 4H gates in one loop (one remainder per row, not one per gate slice), and tanh(c) over
// the step's whole contiguous (n, H) block. z (n, 4H) holds the pre-activations on entry
// and the activated gates [i, f, g, o] on exit.
template <bool Hard>
void forward_step(float* z, const float* c_prev, float* c, float* tanh_c, float* h, std::size_t n,
                  std::size_t units) {
    const tag d;
    const std::size_t g4 = 4 * units, g_begin = 2 * units, g_end = 3 * units, lanes = hn::Lanes(d);
    const vec one = hn::Set(d, 1.0f), lane = hn::Iota(d, 0.0f);
    const vec g_first = hn::Set(d, float(g_begin)), g_last = hn::Set(d, float(g_end - 1));
    for (std::size_t r = 0; r < n; ++r) {
        float* zr = z + r * g4;
        for_each_vector(d, g4, [&](std::size_t k, auto part) {
            const vec v = load(d, zr + k, part);
            // Most vectors lie wholly in i, f or o; only those reaching into g build its mask.
            const bool reaches_g = k + lanes > g_begin && k < g_end;
            vec out;
            if constexpr (!Hard) {
                // i, f, o = sigma(z);  g = tanh(z) = 2 sigma(2 z) - 1
                if (!reaches_g) {
                    out = simd_sigmoid(d, v);
                } else {
                    const vec position = hn::Add(lane, hn::Set(d, float(k)));  // exact: 4H < 2^24
                    const auto is_g = hn::And(hn::Ge(position, g_first), hn::Le(position, g_last));
                    const vec scale = hn::IfThenElse(is_g, hn::Set(d, 2.0f), one);
                    out = hn::MulSub(scale, simd_sigmoid(d, hn::Mul(scale, v)), hn::Sub(scale, one));
                }
            } else {
                // i, f, o = hard_sigmoid(z);  g = tanh(z)
                out = simd_hard_sigmoid(d, v);
                if (reaches_g) {
                    const vec position = hn::Add(lane, hn::Set(d, float(k)));
                    const auto is_g = hn::And(hn::Ge(position, g_first), hn::Le(position, g_last));
                    out = hn::IfThenElse(is_g, simd_tanh(d, v), out);
                }
            }
            store(d, out, zr + k, part);
        });
        const float* gi = zr;
        const float* gf = zr + units;
        const float* gg = zr + 2 * units;
        const float* cp = c_prev + r * units;
        float* cr = c + r * units;
        for_each_vector(d, units, [&](std::size_t j, auto part) {  // c = f c_prev + i g
            const vec ig = hn::Mul(load(d, gi + j, part), load(d, gg + j, part));
            store(d, hn::MulAdd(load(d, gf + j, part), load(d, cp + j, part), ig), cr + j, part);
        });
    }
    for_each_vector(d, n * units, [&](std::size_t k, auto part) {
        store(d, simd_tanh(d, load(d, c + k, part)), tanh_c + k, part);
    });
    for (std::size_t r = 0; r < n; ++r) {
        const float* go = z + r * g4 + 3 * units;
        const float* tr = tanh_c + r * units;
        float* hr = h + r * units;
        for_each_vector(d, units, [&](std::size_t j, auto part) {  // h = o tanh(c)
            store(d, hn::Mul(load(d, go + j, part), load(d, tr + j, part)), hr + j, part);
        });
    }
}

// lstm_step_backward's step (the equations are there and at the top of lstm.hpp). dz may
// be gates itself: each vector of the four gates is loaded before its four dz are stored.
template <bool Hard>
void backward_step(const float* gates, const float* c_prev, const float* tanh_c, const float* dh, float* dc,
                   float* dz, std::size_t n, std::size_t units) {
    const tag d;
    const std::size_t g4 = 4 * units;
    const vec one = hn::Set(d, 1.0f);
    for (std::size_t r = 0; r < n; ++r) {
        const float* gi = gates + r * g4;
        const float* cp = c_prev + r * units;
        const float* tc = tanh_c + r * units;
        const float* dhr = dh + r * units;
        float* dcr = dc + r * units;
        float* dzi = dz + r * g4;
        for_each_vector(d, units, [&](std::size_t j, auto part) {
            const vec i = load(d, gi + j, part), f = load(d, gi + units + j, part);
            const vec g = load(d, gi + 2 * units + j, part), o = load(d, gi + 3 * units + j, part);
            const vec t = load(d, tc + j, part), dh_total = load(d, dhr + j, part);
            // h = o tanh(c):  dL/do = dh tanh(c),  dL/dc += dh o (1 - tanh(c)^2)
            const vec dcell = hn::MulAdd(hn::Mul(dh_total, o), hn::NegMulAdd(t, t, one), load(d, dcr + j, part));
            const vec d_o = hn::Mul(hn::Mul(dh_total, t), gate_derivative<Hard>(d, o));
            // c = f c_prev + i g:  dL/di = dc g,  dL/dg = dc i,  dL/df = dc c_prev
            const vec d_i = hn::Mul(hn::Mul(dcell, g), gate_derivative<Hard>(d, i));
            const vec d_g = hn::Mul(hn::Mul(dcell, i), hn::NegMulAdd(g, g, one));  // g = tanh(z_g)
            const vec d_f = hn::Mul(hn::Mul(dcell, load(d, cp + j, part)), gate_derivative<Hard>(d, f));
            store(d, d_i, dzi + j, part);
            store(d, d_f, dzi + units + j, part);
            store(d, d_g, dzi + 2 * units + j, part);
            store(d, d_o, dzi + 3 * units + j, part);
            store(d, hn::Mul(dcell, f), dcr + j, part);  // dL/dc_{t-1} = dc f
        });
    }
}

}  // namespace

// The entry points HWY_EXPORT takes.
void lstm_forward_kernel(bool hard, float* z, const float* c_prev, float* c, float* tanh_c, float* h,
                         std::size_t n, std::size_t units) {
    if (hard) forward_step<true>(z, c_prev, c, tanh_c, h, n, units);
    else forward_step<false>(z, c_prev, c, tanh_c, h, n, units);
}

void lstm_backward_kernel(bool hard, const float* gates, const float* c_prev, const float* tanh_c,
                          const float* dh, float* dc, float* dz, std::size_t n, std::size_t units) {
    if (hard) backward_step<true>(gates, c_prev, tanh_c, dh, dc, dz, n, units);
    else backward_step<false>(gates, c_prev, tanh_c, dh, dc, dz, n, units);
}

// z_t = x_t W + b for one step's rows (input_projection_rows_t): rows (n, 4H), x (n, F),
// W (F, 4H). Each vector of a row takes its F products in a register, one pass over z.
void lstm_input_projection_kernel(const float* x, const float* w, const float* b, float* z, std::size_t n,
                                  std::size_t f, std::size_t g4) {
    const tag d;
    for (std::size_t r = 0; r < n; ++r) {
        const float* xr = x + r * f;
        float* zr = z + r * g4;
        for_each_vector(d, g4, [&](std::size_t k, auto part) {
            vec sum = load(d, b + k, part);
            for (std::size_t j = 0; j < f; ++j) sum = hn::MulAdd(hn::Set(d, xr[j]), load(d, w + j * g4 + k, part), sum);
            store(d, sum, zr + k, part);
        });
    }
}

// dW += x_t^T dZ_t and db += the column sums of dZ_t (input_weight_grads_rows_t).
void lstm_input_grads_kernel(const float* x, const float* dz, float* dw, float* db, std::size_t n,
                             std::size_t f, std::size_t g4) {
    const tag d;
    for (std::size_t r = 0; r < n; ++r) {
        const float* xr = x + r * f;
        const float* dzr = dz + r * g4;
        for_each_vector(d, g4, [&](std::size_t k, auto part) {
            const vec dzv = load(d, dzr + k, part);
            store(d, hn::Add(load(d, db + k, part), dzv), db + k, part);  // dL/db: b is added to every row
            for (std::size_t j = 0; j < f; ++j) {  // dL/dW_jk += x_rj dz_rk
                float* dwj = dw + j * g4 + k;
                store(d, hn::MulAdd(hn::Set(d, xr[j]), dzv, load(d, dwj, part)), dwj, part);
            }
        });
    }
}

}  // namespace HWY_NAMESPACE
}  // namespace knit::nn::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "nn/simd_dispatch.hpp"

namespace knit::nn::detail {

HWY_EXPORT(lstm_forward_kernel);
HWY_EXPORT(lstm_backward_kernel);
HWY_EXPORT(lstm_input_projection_kernel);
HWY_EXPORT(lstm_input_grads_kernel);

void lstm_step_forward_float(bool hard, float* z, const float* c_prev, float* c, float* tanh_c, float* h,
                             std::size_t n, std::size_t units) {
    KNIT_SIMD_DISPATCH(lstm_forward_kernel)(hard, z, c_prev, c, tanh_c, h, n, units);
}

void lstm_step_backward_float(bool hard, const float* gates, const float* c_prev, const float* tanh_c,
                              const float* dh, float* dc, float* dz, std::size_t n, std::size_t units) {
    KNIT_SIMD_DISPATCH(lstm_backward_kernel)(hard, gates, c_prev, tanh_c, dh, dc, dz, n, units);
}

void lstm_input_projection_float(const float* x, const float* w, const float* b, float* z, std::size_t n,
                                 std::size_t f, std::size_t g4) {
    KNIT_SIMD_DISPATCH(lstm_input_projection_kernel)(x, w, b, z, n, f, g4);
}

void lstm_input_grads_float(const float* x, const float* dz, float* dw, float* db, std::size_t n, std::size_t f,
                            std::size_t g4) {
    KNIT_SIMD_DISPATCH(lstm_input_grads_kernel)(x, dz, dw, db, n, f, g4);
}

}  // namespace knit::nn::detail
#endif  // HWY_ONCE
