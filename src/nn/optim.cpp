// Explicit instantiations of the optimisers (nn/optim/{sgd,rmsprop,adam}.hpp) and the
// float Adam kernel, built once per instruction set.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#if defined(__x86_64__)
#include <immintrin.h>  // the AVX-512 Adam kernel below
#endif

#include "knit/nn/detail/cpu.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/optim/rmsprop.hpp"
#include "knit/nn/optim/sgd.hpp"

// As in src/nn/lstm.cpp: GCC on x86-64 Linux builds one clone per target and picks one at
// load time; elsewhere, or with KNIT_NO_MULTIVERSION, the kernel is compiled once.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(KNIT_NO_MULTIVERSION)
#define KNIT_OPTIM_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default"), flatten))
#else
#define KNIT_OPTIM_MULTIVERSION
#endif

namespace knit::nn {
namespace detail {

namespace {

// adam_update (nn/optim/adam.hpp) for float without AMSGrad: the same operations in the
// same order, in one loop the compiler vectorises.
KNIT_OPTIM_MULTIVERSION
void adam_update_loop(float* values, const float* grads, float* m, float* v, std::size_t n,
                      const adam_coefficients<float>& c) {
    float* __restrict p = values;
    const float* __restrict gr = grads;
    float* __restrict mm = m;
    float* __restrict vv = v;
    const float b1 = c.b1, one_minus_b1 = c.one_minus_b1, b2 = c.b2, one_minus_b2 = c.one_minus_b2;
    const float step = c.step, scale = c.scale, eps = c.eps;
    for (std::size_t i = 0; i < n; ++i) {
        const float g = gr[i];
        const float mi = flush_denormal(b1 * mm[i] + one_minus_b1 * g);      // m = b1 m + (1-b1) g
        const float vi = flush_denormal(b2 * vv[i] + one_minus_b2 * g * g);  // v = b2 v + (1-b2) g^2
        mm[i] = mi;
        vv[i] = vi;
        p[i] -= step * mi / (std::sqrt(vi) * scale + eps);  // p = p - step m / (sqrt(v) scale + eps)
    }
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(KNIT_NO_MULTIVERSION)
#define KNIT_ADAM_AVX512 1
// The loop above, 16 parameters at a time with AVX-512, without the divide and the square
// root: vdivps and vsqrtps on 16 floats each block the divider for ~16 cycles (Skylake-X),
// which made them ~80% of the step (perf annotate), no faster
// per element than SSE's 4-wide ones. Instead
//   r = 1/sqrt(v): vrsqrt14ps (relative error < 2^-14), one Newton step
//                  r = r (3 - v r^2) / 2 (error ~ 3/2 e^2 < 2^-27)
//   sqrt(v) = v r  (r taken as 0 for v = 0, where it is infinite)
//   q = 1/d for d = sqrt(v) scale + eps: vrcp14ps, one Newton step q = q (2 - d q) (error
//                  e^2 < 2^-28)
//   p = p - step m q
// so each parameter moves by the reference's step within a few float ulps of the step
// (tests/nn/test_optim.cpp holds them together).
__attribute__((target("avx512f"))) std::size_t adam_update_avx512(float* values, const float* grads, float* m,
                                                                  float* v, std::size_t n,
                                                                  const adam_coefficients<float>& c) {
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
#endif

}  // namespace

void adam_update_float(float* values, const float* grads, float* m, float* v, std::size_t n,
                       const adam_coefficients<float>& c) {
    std::size_t done = 0;
#ifdef KNIT_ADAM_AVX512
    if (detail::use_avx512()) done = adam_update_avx512(values, grads, m, v, n, c);
#endif
    adam_update_loop(values + done, grads + done, m + done, v + done, n - done, c);
}

}  // namespace detail

template class sgd<float>;
template class sgd<double>;
template class rmsprop<float>;
template class rmsprop<double>;
template class adam<float>;
template class adam<double>;
}  // namespace knit::nn
