// Branch-free element-wise math that GCC vectorises: a bitwise select, and float exp,
// sigmoid and tanh. The float activation kernels (src/nn/activations.cpp) and the LSTM's
// gate kernels (src/nn/lstm.cpp) are built from these, once per instruction set.
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

// The constants of vector_exp and vector_tanh below, shared with the AVX-512 LSTM kernels
// (src/nn/lstm_avx512.cpp), which compute the same functions with intrinsics.
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

// e^x without branches, so that loops calling it vectorise (std::exp does not): write
// x = k ln2 + r with k = round(x / ln2), |r| <= ln2 / 2; then e^x = 2^k e^r, e^r from its
// Taylor polynomial to degree 7 (remainder below r^8 / 8! < 6e-9 relative, under float's
// half ulp of 6e-8), 2^k built in the exponent bits. x is clamped to [-87, 88] first, where
// 2^k is a normal float; outside, e^x is clamped too (e^-87 ~ 1.6e-38, e^88 ~ 1.7e38).
inline float vector_exp(float x) {
    using namespace exp_constants;
    x = pick(x < lowest, lowest, x);
    x = pick(x > highest, highest, x);
    const float round_magic = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds to an integer
    const float k = (x * log2e + round_magic) - round_magic;
    const float r = (x - k * ln2_hi) - k * ln2_lo;
    float p = taylor[0];
    for (std::size_t d = 1; d < std::size(taylor); ++d) p = p * r + taylor[d];
    // A NaN x gives a NaN p; k is set to 0 for the conversion (converting NaN to an
    // integer is undefined behaviour), and p * 2^0 keeps the NaN.
    const float k_defined = pick(k == k, k, 0.0f);
    const std::int32_t bits = (static_cast<std::int32_t>(k_defined) + 127) * (1 << 23);  // 2^k
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
    float s = tanh_constants::series[0];
    for (std::size_t d = 1; d < std::size(tanh_constants::series); ++d) s = s * a2 + tanh_constants::series[d];
    const float near = a + a * a2 * s;
    const float t = pick(a < tanh_constants::series_below, near, far);
    return pick(z < 0.0f, -t, t);
}

}  // namespace knit::nn::detail
