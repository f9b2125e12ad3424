// Explicit instantiations (users' translation units reuse these instead of compiling the
// layers again) and the float gate kernels, built once per instruction set.
#include "knit/nn/lstm.hpp"

#include <cstdint>
#include <cstring>

#include "knit/nn/detail/vector_math.hpp"

// GCC on x86-64 Linux clones a function per listed target and picks one through an ifunc
// at load time; flatten inlines the helpers into each clone so that they are compiled for
// its target. (Clang refuses target_clones with flatten.) Elsewhere, or with
// KNIT_NO_MULTIVERSION defined, the kernels are compiled once, for the default target.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(KNIT_NO_MULTIVERSION)
#define KNIT_LSTM_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default"), flatten))
#else
#define KNIT_LSTM_MULTIVERSION
#endif

namespace knit::nn {
namespace detail {
namespace {

inline float hard_gate(float z) {
    const float y = 0.2f * z + 0.5f;  // Keras 2.2's hard_sigmoid: clip(0.2 z + 0.5, 0, 1)
    return pick(y > 1.0f, 1.0f, pick(y < 0.0f, 0.0f, y));
}

// The same step as lstm_step_forward (detail/lstm_steps.hpp), rearranged for vector width: the
// activations run over each row's 4H gates in one loop (not four loops of H, each with a
// scalar remainder), and tanh(c) over the step's whole contiguous (n, H) block.
template <bool Hard>
inline void forward_step(float* z, const float* c_prev, float* c, float* tanh_c, float* h,
                         std::size_t n, std::size_t units) {
    const std::size_t g4 = 4 * units, g_begin = 2 * units, g_end = 3 * units;
    for (std::size_t r = 0; r < n; ++r) {
        float* __restrict zr = z + r * g4;
        if constexpr (!Hard) {
            // i, f, o = sigma(z);  g = tanh(z) = 2 sigma(2 z) - 1
            for (std::size_t k = 0; k < g4; ++k) {
                const bool is_g = (k >= g_begin) & (k < g_end);
                const float scale = pick(is_g, 2.0f, 1.0f);
                zr[k] = scale * vector_sigmoid(scale * zr[k]) - (scale - 1.0f);
            }
        } else {
            for (std::size_t k = 0; k < g_begin; ++k) zr[k] = hard_gate(zr[k]);
            for (std::size_t k = g_begin; k < g_end; ++k) zr[k] = vector_tanh(zr[k]);
            for (std::size_t k = g_end; k < g4; ++k) zr[k] = hard_gate(zr[k]);
        }
        const float* __restrict gi = zr;
        const float* __restrict gf = zr + units;
        const float* __restrict gg = zr + 2 * units;
        const float* __restrict cp = c_prev + r * units;
        float* __restrict cr = c + r * units;
        for (std::size_t j = 0; j < units; ++j) cr[j] = gf[j] * cp[j] + gi[j] * gg[j];  // c = f c_prev + i g
    }
    const std::size_t cells = n * units;
    float* __restrict tc = tanh_c;
    const float* __restrict cc = c;
    for (std::size_t k = 0; k < cells; ++k) tc[k] = vector_tanh(cc[k]);
    for (std::size_t r = 0; r < n; ++r) {
        const float* __restrict go = z + r * g4 + 3 * units;
        const float* __restrict tr = tanh_c + r * units;
        float* __restrict hr = h + r * units;
        for (std::size_t j = 0; j < units; ++j) hr[j] = go[j] * tr[j];  // h = o tanh(c)
    }
}

}  // namespace

KNIT_LSTM_MULTIVERSION
void lstm_step_forward_float(bool hard, float* z, const float* c_prev, float* c, float* tanh_c,
                             float* h, std::size_t n, std::size_t units) {
    if (hard) forward_step<true>(z, c_prev, c, tanh_c, h, n, units);
    else forward_step<false>(z, c_prev, c, tanh_c, h, n, units);
}

// Backward needs no transcendental function (every derivative is read from the cached
// gates and tanh(c)), so float uses lstm_steps.hpp's fused loop, compiled per target.
KNIT_LSTM_MULTIVERSION
void lstm_step_backward_float(bool hard, const float* gates, const float* c_prev,
                              const float* tanh_c, const float* dh, float* dc, float* dz,
                              std::size_t n, std::size_t units) {
    if (hard) lstm_step_backward<true>(gates, c_prev, tanh_c, dh, dc, dz, n, units);
    else lstm_step_backward<false>(gates, c_prev, tanh_c, dh, dc, dz, n, units);
}

KNIT_LSTM_MULTIVERSION
void lstm_input_projection_float(const float* x, const float* w, const float* b, float* z, std::size_t n,
                                 std::size_t f, std::size_t g4) {
    input_projection_rows_t(x, w, b, z, n, f, g4);
}

KNIT_LSTM_MULTIVERSION
void lstm_input_grads_float(const float* x, const float* dz, float* dw, float* db, std::size_t n,
                            std::size_t f, std::size_t g4) {
    input_weight_grads_rows_t(x, dz, dw, db, n, f, g4);
}

}  // namespace detail

template class lstm<float>;
template class lstm<double>;
}  // namespace knit::nn
