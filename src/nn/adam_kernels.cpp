// Adam's update without AMSGrad (contract: detail::adam_update_simd in
// knit/nn/optim/adam.hpp), written once on Highway for float and double and compiled for
// every SIMD level (knit/nn/simd.hpp), AVX-512 included: Highway's AVX3 build was
// measured as fast as the hand-written AVX-512 float kernel it replaced (docs/simd.md).
//
// The operations are the reference loop's (detail::adam_update), in its order, with a
// true divide and square root; only b m + (1-b) g, b v + (1-b) g^2 and sqrt(v) scale + eps
// become multiply-adds, fused where the target has FMA (AVX2, AVX3, NEON). So a level
// with FMA follows the reference within rounding, not bit for bit.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "nn/adam_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <cstddef>
#include <limits>

#include "knit/nn/optim/adam.hpp"

HWY_BEFORE_NAMESPACE();
namespace knit::nn::detail {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;

// One vector of parameters: p, m and v updated in registers. A function template, not a
// struct of vectors (see conv2d_kernels.cpp); the coefficients come as scalars, and the
// broadcasts hoist out of the caller's loop once this is inlined.
template <class D, class V = hn::Vec<D>>
HWY_INLINE void adam_lanes(D d, V g, V& p, V& m, V& v, hn::TFromD<D> b1, hn::TFromD<D> one_minus_b1,
                           hn::TFromD<D> b2, hn::TFromD<D> one_minus_b2, hn::TFromD<D> step, hn::TFromD<D> scale,
                           hn::TFromD<D> eps) {
    using T = hn::TFromD<D>;
    const V tiny = hn::Set(d, std::numeric_limits<T>::min());
    // m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2, each written as 0 below the smallest
    // normal number, as flush_denormal does (|x| < min, so a NaN stays)
    m = hn::MulAdd(hn::Set(d, b1), m, hn::Mul(hn::Set(d, one_minus_b1), g));
    m = hn::IfThenZeroElse(hn::Lt(hn::Abs(m), tiny), m);
    v = hn::MulAdd(hn::Set(d, b2), v, hn::Mul(hn::Mul(hn::Set(d, one_minus_b2), g), g));
    v = hn::IfThenZeroElse(hn::Lt(hn::Abs(v), tiny), v);
    // p = p - step m / (sqrt(v) scale + eps)
    const V denominator = hn::MulAdd(hn::Sqrt(v), hn::Set(d, scale), hn::Set(d, eps));
    p = hn::Sub(p, hn::Div(hn::Mul(hn::Set(d, step), m), denominator));
}

template <class T>
void adam_update_simd_impl(T* HWY_RESTRICT values, const T* HWY_RESTRICT grads, T* HWY_RESTRICT m,
                           T* HWY_RESTRICT v, std::size_t n, const adam_coefficients<T>& c) {
    const hn::ScalableTag<T> d;
    using V = hn::Vec<decltype(d)>;
    constexpr std::size_t most_lanes = hn::MaxLanes(d);
    const std::size_t L = hn::Lanes(d);
    const T b1 = c.b1, one_minus_b1 = c.one_minus_b1, b2 = c.b2, one_minus_b2 = c.one_minus_b2;
    const T step = c.step, scale = c.scale, eps = c.eps;
    std::size_t i = 0;
    for (; i + L <= n; i += L) {
        V p = hn::LoadU(d, values + i), mi = hn::LoadU(d, m + i), vi = hn::LoadU(d, v + i);
        adam_lanes(d, hn::LoadU(d, grads + i), p, mi, vi, b1, one_minus_b1, b2, one_minus_b2, step, scale, eps);
        hn::StoreU(mi, d, m + i);
        hn::StoreU(vi, d, v + i);
        hn::StoreU(p, d, values + i);
    }
    if (i == n) return;
    // The last n - i < L parameters through one vector in a buffer, so that they take the
    // same operations as the others. Masked loads and stores are not used: on targets
    // without them (NEON) Highway emulates BlendedStore with a full store past the end.
    // The unused lanes hold zeros (their 0 / eps, or 0 / 0 when eps = 0, is never stored).
    const std::size_t rest = n - i;
    alignas(64) T buffer[4][most_lanes] = {};
    std::copy(values + i, values + n, buffer[0]);
    std::copy(grads + i, grads + n, buffer[1]);
    std::copy(m + i, m + n, buffer[2]);
    std::copy(v + i, v + n, buffer[3]);
    V p = hn::Load(d, buffer[0]), mi = hn::Load(d, buffer[2]), vi = hn::Load(d, buffer[3]);
    adam_lanes(d, hn::Load(d, buffer[1]), p, mi, vi, b1, one_minus_b1, b2, one_minus_b2, step, scale, eps);
    hn::Store(p, d, buffer[0]);
    hn::Store(mi, d, buffer[2]);
    hn::Store(vi, d, buffer[3]);
    std::copy(buffer[0], buffer[0] + rest, values + i);
    std::copy(buffer[2], buffer[2] + rest, m + i);
    std::copy(buffer[3], buffer[3] + rest, v + i);
}

}  // namespace

// The entry points HWY_EXPORT takes: one non-template function per type.
void adam_update_f32(float* values, const float* grads, float* m, float* v, std::size_t n,
                     const adam_coefficients<float>& c) {
    adam_update_simd_impl(values, grads, m, v, n, c);
}
void adam_update_f64(double* values, const double* grads, double* m, double* v, std::size_t n,
                     const adam_coefficients<double>& c) {
    adam_update_simd_impl(values, grads, m, v, n, c);
}

}  // namespace HWY_NAMESPACE
}  // namespace knit::nn::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "nn/simd_dispatch.hpp"

namespace knit::nn::detail {

HWY_EXPORT(adam_update_f32);
HWY_EXPORT(adam_update_f64);

void adam_update_simd(float* values, const float* grads, float* m, float* v, std::size_t n,
                      const adam_coefficients<float>& c) {
    KNIT_SIMD_DISPATCH(adam_update_f32)(values, grads, m, v, n, c);
}

void adam_update_simd(double* values, const double* grads, double* m, double* v, std::size_t n,
                      const adam_coefficients<double>& c) {
    KNIT_SIMD_DISPATCH(adam_update_f64)(values, grads, m, v, n, c);
}

}  // namespace knit::nn::detail
#endif  // HWY_ONCE
