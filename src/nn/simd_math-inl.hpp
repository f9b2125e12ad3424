// exp, sigmoid, tanh and the hard gate on Highway vectors, for the kernels built once per
// SIMD level (nn/lstm_kernels.cpp, nn/activation_kernels.cpp): the formulas and constants of
// knit/nn/detail/vector_math.hpp, lane by lane, with no branch. The hand-written AVX-512
// LSTM kernels (lstm_avx512.cpp) compute the same functions with intrinsics. Also the loop
// those kernels share: whole vectors, then one masked vector for the remainder.
//
// Included once per target by files that define HWY_TARGET_INCLUDE, hence the toggle in
// place of #pragma once (Highway's pattern for per-target headers).
#if defined(KNIT_NN_SIMD_MATH_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef KNIT_NN_SIMD_MATH_INL_HPP
#undef KNIT_NN_SIMD_MATH_INL_HPP
#else
#define KNIT_NN_SIMD_MATH_INL_HPP
#endif

#include <hwy/highway.h>

#include <cstddef>
#include <cstdint>
#include <iterator>

#include "knit/nn/detail/vector_math.hpp"

HWY_BEFORE_NAMESPACE();
namespace knit::nn::detail {
namespace HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;

// Selects below are compares and IfThenElse, not Min/Max: x86's min and max return their
// second operand when either is NaN, and a NaN must come out as NaN (lstm<float> hands
// it on to the loss, where fit stops on it).

// e^x: x = k ln2 + r with k = round(x / ln2), |r| <= ln2 / 2; e^x = 2^k e^r, e^r from its
// Taylor polynomial to degree 7, 2^k built in the exponent bits. x is clamped to
// [-87, 88] first, where 2^k is a normal float. Error bounds: vector_math.hpp.
template <class D>
HWY_INLINE hn::Vec<D> simd_exp(D d, hn::Vec<D> x) {
    using namespace exp_constants;
    const hn::Vec<D> low = hn::Set(d, lowest), high = hn::Set(d, highest);
    x = hn::IfThenElse(hn::Lt(x, low), low, x);
    x = hn::IfThenElse(hn::Gt(x, high), high, x);
    constexpr float round_magic = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds
    const hn::Vec<D> k_magic = hn::MulAdd(x, hn::Set(d, log2e), hn::Set(d, round_magic));
    const hn::Vec<D> k = hn::Sub(k_magic, hn::Set(d, round_magic));
    const hn::Vec<D> r = hn::NegMulAdd(k, hn::Set(d, ln2_lo), hn::NegMulAdd(k, hn::Set(d, ln2_hi), x));
    hn::Vec<D> p = hn::Set(d, taylor[0]);
    for (std::size_t i = 1; i < std::size(taylor); ++i) p = hn::MulAdd(p, r, hn::Set(d, taylor[i]));
    // 2^k's exponent field is k + 127. k_magic's low mantissa bits hold k already (its
    // bits are round_magic's plus k), so an integer subtraction gives k + 127 without a
    // float-to-int conversion (which costs a NaN and overflow fix-up on x86 and is
    // undefined for NaN on the scalar target). A NaN x gives a NaN p and any scale: NaN.
    const hn::RebindToSigned<D> di;
    const hn::Vec<decltype(di)> magic_bits = hn::BitCast(di, hn::Set(d, round_magic));
    const auto biased = hn::Sub(hn::BitCast(di, k_magic), hn::Sub(magic_bits, hn::Set(di, 127)));
    return hn::Mul(p, hn::BitCast(d, hn::ShiftLeft<23>(biased)));  // p 2^k
}

// 1 / (1 + e^-z); the clamp inside simd_exp keeps 1 + e^-z finite.
template <class D>
HWY_INLINE hn::Vec<D> simd_sigmoid(D d, hn::Vec<D> z) {
    const hn::Vec<D> one = hn::Set(d, 1.0f);
    return hn::Div(one, hn::Add(one, simd_exp(d, hn::Neg(z))));
}

// tanh(z): for a = |z| >= 0.4, 1 - 2 / (e^{2a} + 1); below, where that subtraction
// cancels, the odd Taylor series a + a^3 s(a^2) to a^13. The sign of z is put back last.
template <class D>
HWY_INLINE hn::Vec<D> simd_tanh(D d, hn::Vec<D> z) {
    using namespace tanh_constants;
    const hn::Vec<D> one = hn::Set(d, 1.0f), two = hn::Set(d, 2.0f);
    const hn::Vec<D> a = hn::Abs(z);
    const hn::Vec<D> far = hn::Sub(one, hn::Div(two, hn::Add(simd_exp(d, hn::Mul(two, a)), one)));
    const hn::Vec<D> a2 = hn::Mul(a, a);
    hn::Vec<D> s = hn::Set(d, series[0]);
    for (std::size_t i = 1; i < std::size(series); ++i) s = hn::MulAdd(s, a2, hn::Set(d, series[i]));
    const hn::Vec<D> near = hn::MulAdd(hn::Mul(a, a2), s, a);
    const hn::Vec<D> t = hn::IfThenElse(hn::Lt(a, hn::Set(d, series_below)), near, far);
    return hn::IfThenElse(hn::Lt(z, hn::Zero(d)), hn::Neg(t), t);
}

// Keras 2.2's hard_sigmoid: clip(0.2 z + 0.5, 0, 1).
template <class D>
HWY_INLINE hn::Vec<D> simd_hard_sigmoid(D d, hn::Vec<D> z) {
    const hn::Vec<D> one = hn::Set(d, 1.0f);
    const hn::Vec<D> y = hn::MulAdd(z, hn::Set(d, 0.2f), hn::Set(d, 0.5f));
    return hn::IfThenElse(hn::Gt(y, one), one, hn::IfThenZeroElse(hn::Lt(y, hn::Zero(d)), y));
}

// ---- loops over n floats: whole vectors, then the remainder as one masked vector ----

// What for_each_vector hands its step: a whole vector, or the first `count` lanes of the
// last one (count < Lanes). Masked loads read zeros past count and touch no memory there;
// masked stores leave it alone, so a remainder never writes into the next gate's slice.
struct whole_vector {};
struct first_lanes {
    std::size_t count;
};

template <class D>
HWY_INLINE hn::Vec<D> load(D d, const hn::TFromD<D>* p, whole_vector) {
    return hn::LoadU(d, p);
}
template <class D>
HWY_INLINE hn::Vec<D> load(D d, const hn::TFromD<D>* p, first_lanes part) {
    return hn::MaskedLoad(hn::FirstN(d, part.count), d, p);
}
template <class D>
HWY_INLINE void store(D d, hn::Vec<D> v, hn::TFromD<D>* p, whole_vector) {
    hn::StoreU(v, d, p);
}
template <class D>
HWY_INLINE void store(D d, hn::Vec<D> v, hn::TFromD<D>* p, first_lanes part) {
    hn::BlendedStore(v, hn::FirstN(d, part.count), d, p);
}

// step(i, part) for i = 0, L, 2L, ... below n, part whole_vector or (last) first_lanes.
template <class D, class Step>
HWY_INLINE void for_each_vector(D d, std::size_t n, Step&& step) {
    const std::size_t lanes = hn::Lanes(d);
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) step(i, whole_vector{});
    if (i < n) step(i, first_lanes{n - i});
}

}  // namespace HWY_NAMESPACE
}  // namespace knit::nn::detail
HWY_AFTER_NAMESPACE();

#endif  // KNIT_NN_SIMD_MATH_INL_HPP toggle
