// The hand-written AVX-512 pair kernels of the (1x2) max-pool, which run at the avx512
// SIMD level (knit/nn/simd.hpp); every other level runs the Highway kernels of
// pool2d_kernels.cpp. They stay until an AVX-512 machine shows Highway's AVX3 build within
// 10% of them (docs/simd.md): the machine they were ported on has no AVX-512.
#include "nn/pool2d_kernels_avx512.hpp"

#if KNIT_POOL_HAS_AVX512
#include <immintrin.h>

namespace knit::nn::detail::avx512 {

#define KNIT_AVX512 __attribute__((target("avx512f")))

// 16 pairs per step: two loads, a de-interleave into left and right inputs, one compare
// (its mask is both the select and the 16 flags), and the reverse for backward.
KNIT_AVX512 std::size_t pairs_forward(const float* x, float* y, unsigned char* second,
                                      std::size_t count) {
    const __m512i left_at = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i right_at = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const __m512i one = _mm512_set1_epi32(1);
    std::size_t k = 0;
    for (; k + 16 <= count; k += 16) {
        const __m512 x0 = _mm512_loadu_ps(x + 2 * k), x1 = _mm512_loadu_ps(x + 2 * k + 16);
        const __m512 a = _mm512_permutex2var_ps(x0, left_at, x1), b = _mm512_permutex2var_ps(x0, right_at, x1);
        const __mmask16 right = _mm512_cmp_ps_mask(b, a, _CMP_GT_OQ);  // b > a, false with a NaN
        _mm512_storeu_ps(y + k, _mm512_mask_mov_ps(a, right, b));
        // flags as bytes 0/1: 32-bit ones under the mask, narrowed to 8 bits (vpmovdb). The
        // masked forms of the conversions: the plain ones trip GCC 12's -Wmaybe-uninitialized.
        _mm_storeu_si128(reinterpret_cast<__m128i*>(second + k),
                         _mm512_maskz_cvtepi32_epi8(right, one));
    }
    return k;
}

KNIT_AVX512 std::size_t pairs_forward(const double* x, double* y, unsigned char* second,
                                      std::size_t count) {
    const __m512i left_at = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    const __m512i right_at = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
    const __m512i one = _mm512_set1_epi64(1);
    std::size_t k = 0;
    for (; k + 8 <= count; k += 8) {
        const __m512d x0 = _mm512_loadu_pd(x + 2 * k), x1 = _mm512_loadu_pd(x + 2 * k + 8);
        const __m512d a = _mm512_permutex2var_pd(x0, left_at, x1), b = _mm512_permutex2var_pd(x0, right_at, x1);
        const __mmask8 right = _mm512_cmp_pd_mask(b, a, _CMP_GT_OQ);
        _mm512_storeu_pd(y + k, _mm512_mask_mov_pd(a, right, b));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(second + k),
                         _mm512_maskz_cvtepi64_epi8(right, one));
    }
    return k;
}

KNIT_AVX512 std::size_t pairs_backward(const float* dy, const unsigned char* second, float* dx,
                                       std::size_t count) {
    // dx[2k] from lane k of `left`, dx[2k+1] from lane k of `right` (index 16 + k)
    const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i high = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    std::size_t k = 0;
    for (; k + 16 <= count; k += 16) {
        const __m512i flags = _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(second + k)));
        const __mmask16 right = _mm512_test_epi32_mask(flags, flags);
        const __m512 grad = _mm512_loadu_ps(dy + k);
        const __m512 left = _mm512_maskz_mov_ps(static_cast<__mmask16>(~right), grad);
        const __m512 rightv = _mm512_maskz_mov_ps(right, grad);
        _mm512_storeu_ps(dx + 2 * k, _mm512_permutex2var_ps(left, low, rightv));
        _mm512_storeu_ps(dx + 2 * k + 16, _mm512_permutex2var_ps(left, high, rightv));
    }
    return k;
}

KNIT_AVX512 std::size_t pairs_backward(const double* dy, const unsigned char* second, double* dx,
                                       std::size_t count) {
    const __m512i low = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
    const __m512i high = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
    std::size_t k = 0;
    for (; k + 8 <= count; k += 8) {
        const __m512i flags = _mm512_maskz_cvtepu8_epi64(0xFF, _mm_loadl_epi64(reinterpret_cast<const __m128i*>(second + k)));
        const __mmask8 right = _mm512_test_epi64_mask(flags, flags);
        const __m512d grad = _mm512_loadu_pd(dy + k);
        const __m512d left = _mm512_maskz_mov_pd(static_cast<__mmask8>(~right), grad);
        const __m512d rightv = _mm512_maskz_mov_pd(right, grad);
        _mm512_storeu_pd(dx + 2 * k, _mm512_permutex2var_pd(left, low, rightv));
        _mm512_storeu_pd(dx + 2 * k + 8, _mm512_permutex2var_pd(left, high, rightv));
    }
    return k;
}

#undef KNIT_AVX512

}  // namespace knit::nn::detail::avx512
#endif  // KNIT_POOL_HAS_AVX512
