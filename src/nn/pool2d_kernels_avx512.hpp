// The hand-written AVX-512 pair kernels of the (1x2) max-pool (pool2d_kernels_avx512.cpp),
// with the contract of detail::max_pairs_forward/backward (knit/nn/pool2d.hpp). Built on
// x86-64 with GCC or clang only; pool2d_kernels.cpp calls them at the avx512 SIMD level.
// Each runs whole vectors of pairs and returns how many pairs it did; the caller does
// the rest.
#pragma once

#include <cstddef>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KNIT_POOL_HAS_AVX512 1
#else
#define KNIT_POOL_HAS_AVX512 0
#endif

namespace knit::nn::detail::avx512 {

std::size_t pairs_forward(const float* x, float* y, unsigned char* second, std::size_t count);
std::size_t pairs_forward(const double* x, double* y, unsigned char* second, std::size_t count);
std::size_t pairs_backward(const float* dy, const unsigned char* second, float* dx, std::size_t count);
std::size_t pairs_backward(const double* dy, const unsigned char* second, double* dx, std::size_t count);

}  // namespace knit::nn::detail::avx512
