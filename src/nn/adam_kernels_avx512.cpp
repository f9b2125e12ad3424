// The hand-written AVX-512 kernel of Adam's float update, which runs at the avx512 SIMD
// level (knit/nn/simd.hpp); every other level, and double at every level, runs the Highway
// kernel of adam_kernels.cpp. It stays until an AVX-512 machine shows Highway's AVX3 build
// within 10% of it (docs/simd.md): the machine it was ported on has no AVX-512.
#include "nn/adam_kernels_avx512.hpp"

#if KNIT_ADAM_HAS_AVX512
#include <immintrin.h>

#include <limits>

namespace knit::nn::detail::avx512 {

// Adam's update (detail::adam_update in knit/nn/optim/adam.hpp), 16 parameters at a time
// with AVX-512, without the divide and the square root: vdivps and vsqrtps on 16 floats
// each block the divider for ~16 cycles (Skylake-X), which made them ~80% of the step
// (perf annotate), no faster per element than SSE's 4-wide ones. Instead
//   r = 1/sqrt(v): vrsqrt14ps (relative error < 2^-14), one Newton step
//                  r = r (3 - v r^2) / 2 (error ~ 3/2 e^2 < 2^-27)
//   sqrt(v) = v r  (r taken as 0 for v = 0, where it is infinite)
//   q = 1/d for d = sqrt(v) scale + eps: vrcp14ps, one Newton step q = q (2 - d q) (error
//                  e^2 < 2^-28)
//   p = p - step m q
// so each parameter moves by the reference's step within a few float ulps of the step
// (tests/nn/test_optim.cpp holds them together).
__attribute__((target("avx512f"))) std::size_t adam_update(float* values, const float* grads, float* m, float* v,
                                                           std::size_t n, const adam_coefficients<float>& c) {
    const __m512 b1 = _mm512_set1_ps(c.b1), one_minus_b1 = _mm512_set1_ps(c.one_minus_b1);
    const __m512 b2 = _mm512_set1_ps(c.b2), one_minus_b2 = _mm512_set1_ps(c.one_minus_b2);
    const __m512 step = _mm512_set1_ps(c.step), scale = _mm512_set1_ps(c.scale), eps = _mm512_set1_ps(c.eps);
    const __m512 tiny = _mm512_set1_ps(std::numeric_limits<float>::min());
    const __m512 half = _mm512_set1_ps(0.5f), three = _mm512_set1_ps(3.0f);
    const __m512 two = _mm512_set1_ps(2.0f);
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 g = _mm512_loadu_ps(grads + i);
        // m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2, each written as 0 below FLT_MIN
        __m512 mi = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_loadu_ps(m + i)), _mm512_mul_ps(one_minus_b1, g));
        __m512 vi = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_loadu_ps(v + i)),
                                  _mm512_mul_ps(_mm512_mul_ps(one_minus_b2, g), g));
        mi = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_abs_ps(mi), tiny, _CMP_GE_OQ), mi);
        const __mmask16 positive = _mm512_cmp_ps_mask(vi, tiny, _CMP_GE_OQ);
        vi = _mm512_maskz_mov_ps(positive, vi);
        _mm512_storeu_ps(m + i, mi);
        _mm512_storeu_ps(v + i, vi);
        // sqrt(v) = v / sqrt(v), with 1/sqrt(v) refined once; r is set to 0 where v = 0
        // (the maskz forms also keep GCC 12 from warning about its own headers)
        __m512 r = _mm512_maskz_rsqrt14_ps(positive, vi);
        r = _mm512_mul_ps(_mm512_mul_ps(half, r), _mm512_sub_ps(three, _mm512_mul_ps(_mm512_mul_ps(vi, r), r)));
        const __m512 root = _mm512_mul_ps(vi, r);
        // q = 1 / (sqrt(v) scale + eps), refined once
        const __m512 d = _mm512_add_ps(_mm512_mul_ps(root, scale), eps);
        __m512 q = _mm512_maskz_rcp14_ps(0xFFFF, d);
        q = _mm512_mul_ps(q, _mm512_sub_ps(two, _mm512_mul_ps(d, q)));
        // p = p - step m / (sqrt(v) scale + eps)
        _mm512_storeu_ps(values + i, _mm512_sub_ps(_mm512_loadu_ps(values + i), _mm512_mul_ps(_mm512_mul_ps(step, mi), q)));
    }
    return i;
}

}  // namespace knit::nn::detail::avx512
#endif  // KNIT_ADAM_HAS_AVX512
