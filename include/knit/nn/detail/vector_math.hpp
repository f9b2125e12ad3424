// Branch-free element-wise math: a bitwise select that GCC vectorises, and the constants
// of the float exp, sigmoid and tanh of the SIMD kernels.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <cstring>
#include <type_traits>

namespace knit::nn::detail {

// take_a ? a : b through the bit patterns, with an all-ones or all-zeros mask. GCC's
// default -ftrapping-math keeps a floating-point `?:` whose result feeds further
// arithmetic from vectorising (and 0/1-factor blends get turned back into selects); this
// form vectorises and is exact.
template <class T>
inline T pick(bool take_a, T a, T b) {
    using bits_t = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
    static_assert(sizeof(T) == sizeof(bits_t), "pick: float or double");
    bits_t ia, ib;
    std::memcpy(&ia, &a, sizeof a);
    std::memcpy(&ib, &b, sizeof b);
    const bits_t mask = -static_cast<bits_t>(take_a);
    const bits_t picked = (ia & mask) | (ib & ~mask);
    T out;
    std::memcpy(&out, &picked, sizeof out);
    return out;
}

// float exp, sigmoid and tanh without branches, as the float kernels compute them: on
// Highway vectors in src/nn/simd_math-inl.hpp (activations, LSTM gates, every SIMD
// level) and with AVX-512 intrinsics in src/nn/lstm_avx512.cpp. Their constants are here,
// so both follow one definition:
//
// e^x: write x = k ln2 + r with k = round(x / ln2), |r| <= ln2 / 2; then e^x = 2^k e^r,
// e^r from its Taylor polynomial to degree 7 (remainder below r^8 / 8! < 6e-9 relative,
// under float's half ulp of 6e-8), 2^k built in the exponent bits. x is clamped to
// [-87, 88] first, where 2^k is a normal float; outside, e^x is clamped too
// (e^-87 ~ 1.6e-38, e^88 ~ 1.7e38). A NaN x gives NaN.
// sigmoid(z) = 1 / (1 + e^-z); the clamp keeps 1 + e^-z finite.
// tanh(a) for a = |z| >= 0.4 as 1 - 2 / (e^{2a} + 1) (the subtraction loses at most a
// factor 2 / (e^0.8 + 1) / tanh(0.4) = 1.6 in relative error); below 0.4, where that
// cancellation grows, the odd Taylor series to a^13 (the next term, 0.00146 a^15, is below
// 4e-9 relative there). The sign of z is put back last.
namespace exp_constants {
constexpr float lowest = -87.0f, highest = 88.0f;  // the clamp: 2^k stays a normal float
constexpr float log2e = 1.44269504088896341f;
constexpr float ln2_hi = 0.693145751953125f, ln2_lo = 1.428606765330187e-06f;  // ln2 = hi + lo, hi exact in k * hi
// e^r's Taylor coefficients for Horner's scheme, highest degree (7) first
constexpr float taylor[] = {1.0f / 5040.0f, 1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f,
                            1.0f / 6.0f,    0.5f,          1.0f,          1.0f};
}  // namespace exp_constants
namespace tanh_constants {
constexpr float series_below = 0.4f;  // |z| under which the series replaces the exp form
// tanh(a) = a + a^3 s(a^2): s's coefficients for Horner's scheme, highest degree first
constexpr float series[] = {21844.0f / 6081075.0f, -1382.0f / 155925.0f, 62.0f / 2835.0f,
                            -17.0f / 315.0f,       2.0f / 15.0f,         -1.0f / 3.0f};
}  // namespace tanh_constants

}  // namespace knit::nn::detail
