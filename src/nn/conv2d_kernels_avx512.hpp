// The hand-written AVX-512 conv2d kernels (conv2d_kernels_avx512.cpp), with the contract of
// include/knit/nn/detail/conv2d_kernels.hpp. Built on x86-64 with GCC or clang only;
// conv2d_kernels.cpp calls them at the avx512 SIMD level.
#pragma once

#include <cstddef>

#include "knit/core/error.hpp"
#include "knit/nn/detail/conv2d_kernels.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(KNIT_NO_HANDWRITTEN_AVX512)
#define KNIT_CONV_HAS_AVX512 1
#else
#define KNIT_CONV_HAS_AVX512 0
#endif

namespace knit::nn::detail::avx512 {

template <class T>
void grid_correlate(const grid_correlate_args<T>& a);
template <class T>
void grid_weight_grad(const grid_weight_grad_args<T>& a);
template <class T>
void relu_backward_rows(const T* y, const T* dy, T* dz, std::size_t samples, std::size_t rows, std::size_t plane,
                        T* sums);
template <class T>
void plane_correlate(const plane_correlate_args<T>& a);
template <class T>
void plane_weight_grad(const plane_weight_grad_args<T>& a);

}  // namespace knit::nn::detail::avx512
