// The hand-written AVX-512 kernel of Adam's float update (adam_kernels_avx512.cpp), with
// the contract of detail::adam_update_simd (knit/nn/optim/adam.hpp). Built on x86-64 with
// GCC or clang only; adam_kernels.cpp calls it at the avx512 SIMD level. It runs whole
// vectors of 16 and returns how many parameters it did; the caller does the rest.
#pragma once

#include <cstddef>

#include "knit/nn/optim/adam.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(KNIT_NO_HANDWRITTEN_AVX512)
#define KNIT_ADAM_HAS_AVX512 1
#else
#define KNIT_ADAM_HAS_AVX512 0
#endif

namespace knit::nn::detail::avx512 {

std::size_t adam_update(float* values, const float* grads, float* m, float* v, std::size_t n,
                        const adam_coefficients<float>& c);

}  // namespace knit::nn::detail::avx512
