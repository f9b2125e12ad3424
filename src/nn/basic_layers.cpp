// Explicit instantiations of the parameter-free layers, and the float activation kernels
// (nn/activations.hpp: activation_forward_bias, activation_backward_bias), built once per
// instruction set.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "knit/nn/activations.hpp"
#include "knit/nn/dropout.hpp"

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

// e^x without branches, so that the loops below vectorise (std::exp does not): write
// x = k ln2 + r with k = round(x / ln2), |r| <= ln2 / 2; then e^x = 2^k e^r, e^r from its
// Taylor polynomial to degree 7 (remainder below r^8 / 8! < 6e-9 relative, under float's
// half ulp of 6e-8), 2^k built in the exponent bits. x is clamped to [-87, 88] first, where
// 2^k is a normal float; outside, e^x is clamped too (e^-87 ~ 1.6e-38, e^88 ~ 1.7e38).
inline float vector_exp(float x) {
    x = pick(x < -87.0f, -87.0f, x);
    x = pick(x > 88.0f, 88.0f, x);
    const float log2e = 1.44269504088896341f;
    const float round_magic = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds to an integer
    const float k = (x * log2e + round_magic) - round_magic;
    const float ln2_hi = 0.693145751953125f, ln2_lo = 1.428606765330187e-06f;  // ln2 = hi + lo, hi exact in k * hi
    const float r = (x - k * ln2_hi) - k * ln2_lo;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const std::int32_t bits = (static_cast<std::int32_t>(k) + 127) * (1 << 23);  // 2^k
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

// sigmoid(z) = 1 / (1 + e^-z); the clamp inside vector_exp keeps 1 + e^-z finite.
inline float vector_sigmoid(float z) { return 1.0f / (1.0f + vector_exp(-z)); }

// tanh(a) for a = |z| >= 0.4 as 1 - 2 / (e^{2a} + 1) (the subtraction loses at most a
// factor 2 / (e^0.8 + 1) / tanh(0.4) = 1.6 in relative error); below 0.4, where that
// cancellation grows, the odd Taylor series to a^13 (the next term, 0.00146 a^15, is below
// 4e-9 relative there). The sign of z is put back last.
inline float vector_tanh(float z) {
    const float a = std::abs(z);
    const float far = 1.0f - 2.0f / (vector_exp(2.0f * a) + 1.0f);
    const float a2 = a * a;
    float s = 21844.0f / 6081075.0f;
    s = s * a2 - 1382.0f / 155925.0f;
    s = s * a2 + 62.0f / 2835.0f;
    s = s * a2 - 17.0f / 315.0f;
    s = s * a2 + 2.0f / 15.0f;
    s = s * a2 - 1.0f / 3.0f;
    const float near = a + a * a2 * s;
    const float t = pick(a < 0.4f, near, far);
    return pick(z < 0.0f, -t, t);
}

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
// remainder per row (tanh over 256 x 21: 2.8 -> 0.7 ns an element). Fusing the two
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
template class dropout<float>;
template class dropout<double>;
}  // namespace knit::nn
