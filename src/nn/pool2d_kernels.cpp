// The (1x2) max-pool's pair kernels (contract: detail::max_pairs_forward in
// knit/nn/pool2d.hpp), written once on Highway and compiled for every SIMD level
// (knit/nn/simd.hpp), AVX-512 included: Highway's AVX3 build was measured faster than the
// hand-written AVX-512 kernels it replaced (docs/simd.md). Pairs past the last whole
// vector go to the reference loops of pool2d.hpp, which these equal bit for bit (they
// only compare and select).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "nn/pool2d_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <cstddef>
#include <cstdint>

#include "knit/nn/pool2d.hpp"

HWY_BEFORE_NAMESPACE();
namespace knit::nn::detail {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;

// The flags of one vector of pairs, one byte each, widened to T's lane width. Highway 1.0
// has no single 8 -> 64 bit promotion on AVX2, so double goes through 32 bits.
template <class DU>
hn::Vec<DU> load_flags(DU du, const unsigned char* second) {
    const hn::Rebind<std::uint8_t, DU> d8;
    if constexpr (sizeof(hn::TFromD<DU>) == 4) {
        return hn::PromoteTo(du, hn::LoadU(d8, second));
    } else {
        const hn::Rebind<std::uint32_t, DU> d32;
        return hn::PromoteTo(du, hn::PromoteTo(d32, hn::LoadU(d8, second)));
    }
}

// right ? b : a, lane by lane. On the one-lane target Highway's IfThenElse is
// `mask.bits ? yes : no`, which GCC 12 compiles to a branch: on pooled data it goes either
// way at random, and the mispredictions made that level's forward ~10x slower than the plain
// loop. Bit operations on the mask keep it a select there.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V select(D d, hn::Mask<D> right, V b, V a) {
#if HWY_TARGET == HWY_SCALAR
    const V all = hn::VecFromMask(d, right);
    return hn::Or(hn::And(all, b), hn::AndNot(all, a));
#else
    (void)d;
    return hn::IfThenElse(right, b, a);
#endif
}

// One vector of pairs per step: a de-interleaving load into left (a) and right (b) inputs,
// one compare, whose mask is both the select and the flags.
template <class T>
void pairs_forward_simd(const T* HWY_RESTRICT x, T* HWY_RESTRICT y, unsigned char* HWY_RESTRICT second,
                        std::size_t count) {
    const hn::ScalableTag<T> d;
    const hn::RebindToUnsigned<decltype(d)> du;
    const hn::Rebind<std::uint8_t, decltype(d)> d8;
    const std::size_t L = hn::Lanes(d);
    const hn::Vec<decltype(du)> one = hn::Set(du, 1);
    std::size_t k = 0;
    for (; k + L <= count; k += L) {
        hn::Vec<decltype(d)> a, b;
        hn::LoadInterleaved2(d, x + 2 * k, a, b);
        const hn::Mask<decltype(d)> right = hn::Gt(b, a);  // false with a NaN: the first one wins
        hn::StoreU(select(d, right, b, a), d, y + k);
        // flags as bytes 0/1: the mask's all-ones lanes cut to 1, narrowed to 8 bits
        hn::StoreU(hn::TruncateTo(d8, hn::And(hn::BitCast(du, hn::VecFromMask(d, right)), one)), d8, second + k);
    }
    max_pairs_forward_reference(x + 2 * k, y + k, second + k, count - k);
}

// The reverse: dy under each flag goes to the right input, under its complement to the
// left one, and an interleaving store writes both.
template <class T>
void pairs_backward_simd(const T* HWY_RESTRICT dy, const unsigned char* HWY_RESTRICT second, T* HWY_RESTRICT dx,
                         std::size_t count) {
    const hn::ScalableTag<T> d;
    const hn::RebindToUnsigned<decltype(d)> du;
    const std::size_t L = hn::Lanes(d);
    std::size_t k = 0;
    for (; k + L <= count; k += L) {
        const hn::Mask<decltype(d)> right = hn::RebindMask(d, hn::Ne(load_flags(du, second + k), hn::Zero(du)));
        const hn::Vec<decltype(d)> grad = hn::LoadU(d, dy + k);
        hn::StoreInterleaved2(hn::IfThenZeroElse(right, grad), hn::IfThenElseZero(right, grad), d, dx + 2 * k);
    }
    max_pairs_backward_reference(dy + k, second + k, dx + 2 * k, count - k);
}

}  // namespace

// The entry points HWY_EXPORT takes: one non-template function per type.
void pairs_forward_f32(const float* x, float* y, unsigned char* second, std::size_t count) {
    pairs_forward_simd(x, y, second, count);
}
void pairs_forward_f64(const double* x, double* y, unsigned char* second, std::size_t count) {
    pairs_forward_simd(x, y, second, count);
}
void pairs_backward_f32(const float* dy, const unsigned char* second, float* dx, std::size_t count) {
    pairs_backward_simd(dy, second, dx, count);
}
void pairs_backward_f64(const double* dy, const unsigned char* second, double* dx, std::size_t count) {
    pairs_backward_simd(dy, second, dx, count);
}

}  // namespace HWY_NAMESPACE
}  // namespace knit::nn::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "nn/simd_dispatch.hpp"

namespace knit::nn::detail {

HWY_EXPORT(pairs_forward_f32);
HWY_EXPORT(pairs_forward_f64);
HWY_EXPORT(pairs_backward_f32);
HWY_EXPORT(pairs_backward_f64);

namespace {
void simd_forward(const float* x, float* y, unsigned char* second, std::size_t count) {
    KNIT_SIMD_DISPATCH(pairs_forward_f32)(x, y, second, count);
}
void simd_forward(const double* x, double* y, unsigned char* second, std::size_t count) {
    KNIT_SIMD_DISPATCH(pairs_forward_f64)(x, y, second, count);
}
void simd_backward(const float* dy, const unsigned char* second, float* dx, std::size_t count) {
    KNIT_SIMD_DISPATCH(pairs_backward_f32)(dy, second, dx, count);
}
void simd_backward(const double* dy, const unsigned char* second, double* dx, std::size_t count) {
    KNIT_SIMD_DISPATCH(pairs_backward_f64)(dy, second, dx, count);
}
}  // namespace

template <class T>
void max_pairs_forward(const T* x, T* y, unsigned char* second, std::size_t count) {
    simd_forward(x, y, second, count);
}

template <class T>
void max_pairs_backward(const T* dy, const unsigned char* second, T* dx, std::size_t count) {
    simd_backward(dy, second, dx, count);
}

template void max_pairs_forward<float>(const float*, float*, unsigned char*, std::size_t);
template void max_pairs_forward<double>(const double*, double*, unsigned char*, std::size_t);
template void max_pairs_backward<float>(const float*, const unsigned char*, float*, std::size_t);
template void max_pairs_backward<double>(const double*, const unsigned char*, double*, std::size_t);

}  // namespace knit::nn::detail
#endif  // HWY_ONCE
