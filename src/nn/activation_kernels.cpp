// The float activation kernels (nn/activation_kernels.hpp), written once on Highway and
// compiled for every SIMD level (knit/nn/simd.hpp); each call runs the level in use. The
// reference they are tested against is activation_forward_bias<T> and
// activation_backward_bias<T> in knit/nn/activations.hpp (std::exp, std::tanh).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "nn/activation_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <cstddef>
#include <limits>

#include "knit/nn/activations.hpp"
#include "nn/activation_kernels.hpp"
#include "nn/simd_math-inl.hpp"

HWY_BEFORE_NAMESPACE();
namespace knit::nn::detail {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;
using tag = hn::ScalableTag<float>;
using vec = hn::Vec<tag>;

// f(z) for the element-wise activations.
template <activation A>
HWY_INLINE vec apply(tag d, vec z) {
    if constexpr (A == activation::relu) return hn::IfThenElseZero(hn::Gt(z, hn::Zero(d)), z);
    if constexpr (A == activation::sigmoid) return simd_sigmoid(d, z);
    if constexpr (A == activation::hard_sigmoid) return simd_hard_sigmoid(d, z);
    if constexpr (A == activation::tanh) return simd_tanh(d, z);
    return z;  // linear
}

// dL/dz = f'(z) dL/dy, with f' written from the output y as in activation_backward.
template <activation A>
HWY_INLINE vec chain(tag d, vec y, vec dy) {
    const vec one = hn::Set(d, 1.0f);
    if constexpr (A == activation::relu) return hn::IfThenElseZero(hn::Gt(y, hn::Zero(d)), dy);  // [y > 0]
    if constexpr (A == activation::sigmoid) return hn::Mul(hn::Mul(dy, y), hn::Sub(one, y));  // y (1 - y)
    if constexpr (A == activation::hard_sigmoid)  // 0.2 inside (0, 1)
        return hn::IfThenElseZero(hn::And(hn::Gt(y, hn::Zero(d)), hn::Lt(y, one)), hn::Mul(hn::Set(d, 0.2f), dy));
    if constexpr (A == activation::tanh) return hn::Mul(dy, hn::NegMulAdd(y, y, one));  // 1 - y^2
    return dy;  // linear: 1
}

// Denormals (|v| < 1.2e-38) are written as 0 by both passes, as the reference templates
// do: dense runs them under detail::denormals_as_zero anyway on x86 (see activations.hpp
// for why), and the explicit flush gives the same values on every CPU and for callers
// outside that scope.
HWY_INLINE vec flush_denormal(tag d, vec v) {
    return hn::IfThenZeroElse(hn::Lt(hn::Abs(v), hn::Set(d, std::numeric_limits<float>::min())), v);
}

// y = f(y + b) in place, rows of cols. The bias goes in row by row, the activation in one
// flat loop over the whole block, so that narrow rows (3 or 21 units) cost one remainder
// per row only in the cheap pass, not in the one that evaluates exp.
template <activation A>
void forward_in_place(float* y, const float* b, std::size_t n, std::size_t cols) {
    const tag d;
    if (b != nullptr) {
        for (std::size_t r = 0; r < n / cols; ++r) {
            float* yr = y + r * cols;
            for_each_vector(d, cols, [&](std::size_t j, auto part) {  // z = x W + b
                store(d, hn::Add(load(d, yr + j, part), load(d, b + j, part)), yr + j, part);
            });
        }
    }
    for_each_vector(d, n, [&](std::size_t i, auto part) {  // y = f(z)
        store(d, flush_denormal(d, apply<A>(d, load(d, y + i, part))), y + i, part);
    });
}

// dx = f'(.) dy over the flat block, then db += column sums of dx when db is given.
template <activation A>
void backward_rows(const float* y, const float* dy, float* dx, float* db, std::size_t n, std::size_t cols) {
    const tag d;
    for_each_vector(d, n, [&](std::size_t i, auto part) {
        store(d, flush_denormal(d, chain<A>(d, load(d, y + i, part), load(d, dy + i, part))), dx + i, part);
    });
    if (db == nullptr) return;
    for (std::size_t r = 0; r < n / cols; ++r) {
        const float* dr = dx + r * cols;
        for_each_vector(d, cols, [&](std::size_t j, auto part) {  // dL/db = sum over rows of dL/dz
            store(d, hn::Add(load(d, db + j, part), load(d, dr + j, part)), db + j, part);
        });
    }
}

}  // namespace

// The entry points HWY_EXPORT takes.
void activation_forward_kernel(activation a, float* y, const float* b, std::size_t n, std::size_t cols) {
    switch (a) {
        case activation::linear: return forward_in_place<activation::linear>(y, b, n, cols);
        case activation::relu: return forward_in_place<activation::relu>(y, b, n, cols);
        case activation::sigmoid: return forward_in_place<activation::sigmoid>(y, b, n, cols);
        case activation::hard_sigmoid: return forward_in_place<activation::hard_sigmoid>(y, b, n, cols);
        case activation::tanh: return forward_in_place<activation::tanh>(y, b, n, cols);
        case activation::softmax: break;
    }
}

void activation_backward_kernel(activation a, const float* y, const float* dy, float* dx, float* db,
                                std::size_t n, std::size_t cols) {
    switch (a) {
        case activation::linear: return backward_rows<activation::linear>(y, dy, dx, db, n, cols);
        case activation::relu: return backward_rows<activation::relu>(y, dy, dx, db, n, cols);
        case activation::sigmoid: return backward_rows<activation::sigmoid>(y, dy, dx, db, n, cols);
        case activation::hard_sigmoid: return backward_rows<activation::hard_sigmoid>(y, dy, dx, db, n, cols);
        case activation::tanh: return backward_rows<activation::tanh>(y, dy, dx, db, n, cols);
        case activation::softmax: break;
    }
}

}  // namespace HWY_NAMESPACE
}  // namespace knit::nn::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "nn/simd_dispatch.hpp"

namespace knit::nn::detail {

HWY_EXPORT(activation_forward_kernel);
HWY_EXPORT(activation_backward_kernel);

void activation_forward_bias_float(activation a, float* y, const float* b, std::size_t n, std::size_t cols) {
    KNIT_SIMD_DISPATCH(activation_forward_kernel)(a, y, b, n, cols);
}

void activation_backward_bias_float(activation a, const float* y, const float* dy, float* dx, float* db,
                                    std::size_t n, std::size_t cols) {
    KNIT_SIMD_DISPATCH(activation_backward_kernel)(a, y, dy, dx, db, n, cols);
}

}  // namespace knit::nn::detail
#endif  // HWY_ONCE
