// The activation layer's explicit instantiations, and the float activation kernels
// (nn/activations.hpp: activation_forward_bias, activation_backward_bias), built once per
// instruction set.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "knit/nn/activations.hpp"
#include "knit/nn/detail/vector_math.hpp"

// GCC on x86-64 Linux clones a function per listed target and picks one through an ifunc
// at load time; flatten inlines the helpers into each clone so that they are compiled for
// its target. (Clang refuses target_clones with flatten.) Elsewhere, or with
// KNIT_NO_MULTIVERSION defined, the kernels are compiled once, for the default target.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(KNIT_NO_MULTIVERSION)
#define KNIT_ACTIVATION_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default"), flatten))
#else
#define KNIT_ACTIVATION_MULTIVERSION
#endif

namespace knit::nn {
namespace {

using detail::pick;
using detail::vector_exp;
using detail::vector_sigmoid;
using detail::vector_tanh;

// f(z) for the element-wise activations (softmax is row-wise and takes the reference).
template <activation A>
inline float apply(float z) {
    if constexpr (A == activation::linear) return z;
    if constexpr (A == activation::relu) return pick(z > 0.0f, z, 0.0f);
    if constexpr (A == activation::sigmoid) return vector_sigmoid(z);
    if constexpr (A == activation::hard_sigmoid) {
        const float y = 0.2f * z + 0.5f;  // Keras 2.2: clip(0.2 z + 0.5, 0, 1)
        return pick(y > 1.0f, 1.0f, pick(y < 0.0f, 0.0f, y));
    }
    if constexpr (A == activation::tanh) return vector_tanh(z);
    return z;
}

// dL/dz = f'(z) dL/dy, with f' written from the output y as in activation_backward.
template <activation A>
inline float chain(float y, float dy) {
    if constexpr (A == activation::relu) return pick(y > 0.0f, dy, 0.0f);            // [y > 0]
    if constexpr (A == activation::sigmoid) return dy * y * (1.0f - y);              // y (1 - y)
    if constexpr (A == activation::hard_sigmoid)                                     // 0.2 inside (0, 1)
        return pick((y > 0.0f) & (y < 1.0f), 0.2f * dy, 0.0f);
    if constexpr (A == activation::tanh) return dy * (1.0f - y * y);                 // 1 - y^2
    return dy;                                                                       // linear: 1
}

// Denormals (|v| < 1.2e-38) are written as 0 by both passes below, as the reference
// templates do: dense runs them under detail::denormals_as_zero anyway on x86 (see
// activations.hpp for why), and the explicit flush gives the same values on every CPU and
// for callers outside that scope.
using detail::flush_denormal;

// y = f(y + b) in place, rows of cols. The bias goes in row by row, the activation in one
// flat loop over the whole block, so that narrow rows (3 or 21 units) leave no scalar
// remainder per row, which costs more than the arithmetic at such widths. Fusing the two
// passes for wide rows measured no faster.
template <activation A>
inline void forward_in_place(float* y, const float* b, std::size_t n, std::size_t cols) {
    if (b != nullptr) {
        const float* __restrict bb = b;
        for (std::size_t r = 0; r < n / cols; ++r) {
            float* __restrict yr = y + r * cols;
            for (std::size_t j = 0; j < cols; ++j) yr[j] += bb[j];  // z = x W + b
        }
    }
    float* __restrict yy = y;
    for (std::size_t i = 0; i < n; ++i) yy[i] = flush_denormal(apply<A>(yy[i]));  // y = f(z)
}

// dx = f'(.) dy over the flat block, then db += column sums of dx when db is given.
// dx aliases neither y nor dy.
template <activation A>
inline void backward_rows(const float* y, const float* dy, float* dx, float* db, std::size_t n,
                          std::size_t cols) {
    const float* __restrict yy = y;
    const float* __restrict gg = dy;
    float* __restrict out = dx;
    for (std::size_t i = 0; i < n; ++i) out[i] = flush_denormal(chain<A>(yy[i], gg[i]));
    if (db == nullptr) return;
    float* __restrict bb = db;
    for (std::size_t r = 0; r < n / cols; ++r) {
        const float* __restrict dr = dx + r * cols;
        for (std::size_t j = 0; j < cols; ++j) bb[j] += dr[j];  // dL/db = sum over rows of dL/dz
    }
}

}  // namespace

namespace detail {
KNIT_ACTIVATION_MULTIVERSION
void activation_forward_bias_float(activation a, float* y, const float* b, std::size_t n, std::size_t cols) {
    switch (a) {
        case activation::linear: forward_in_place<activation::linear>(y, b, n, cols); return;
        case activation::relu: forward_in_place<activation::relu>(y, b, n, cols); return;
        case activation::sigmoid: forward_in_place<activation::sigmoid>(y, b, n, cols); return;
        case activation::hard_sigmoid: forward_in_place<activation::hard_sigmoid>(y, b, n, cols); return;
        case activation::tanh: forward_in_place<activation::tanh>(y, b, n, cols); return;
        case activation::softmax: break;
    }
}

KNIT_ACTIVATION_MULTIVERSION
void activation_backward_bias_float(activation a, const float* y, const float* dy, float* dx, float* db,
                                    std::size_t n, std::size_t cols) {
    switch (a) {
        case activation::linear: backward_rows<activation::linear>(y, dy, dx, db, n, cols); return;
        case activation::relu: backward_rows<activation::relu>(y, dy, dx, db, n, cols); return;
        case activation::sigmoid: backward_rows<activation::sigmoid>(y, dy, dx, db, n, cols); return;
        case activation::hard_sigmoid: backward_rows<activation::hard_sigmoid>(y, dy, dx, db, n, cols); return;
        case activation::tanh: backward_rows<activation::tanh>(y, dy, dx, db, n, cols); return;
        case activation::softmax: break;
    }
}
}  // namespace detail

void activation_forward_bias(activation a, const float* x, const float* b, float* y, std::size_t n,
                             std::size_t cols) {
    // softmax normalises whole rows: the reference's loops serve it.
    if (a == activation::softmax) return activation_forward_bias<float>(a, x, b, y, n, cols);
    if (x != y) std::memcpy(y, x, n * sizeof(float));  // the kernel works in place
    detail::activation_forward_bias_float(a, y, b, n, cols);
}

void activation_backward_bias(activation a, const float* y, const float* dy, float* dx, float* db,
                              std::size_t n, std::size_t cols) {
    // The kernel wants dx apart from y and dy; the reference allows dx == dy.
    if (a == activation::softmax || dx == dy || dx == y)
        return activation_backward_bias<float>(a, y, dy, dx, db, n, cols);
    detail::activation_backward_bias_float(a, y, dy, dx, db, n, cols);
}

template class activation_layer<float>;
template class activation_layer<double>;
}  // namespace knit::nn
