// The float activation kernels (nn/activation_kernels.cpp) behind activation_forward_bias
// and activation_backward_bias for float (knit/nn/activations.hpp): the element-wise
// activations only (softmax takes the reference), y and dx worked in place or apart as
// documented there. Each call runs at the SIMD level in use (knit/nn/simd.hpp).
#pragma once

#include <cstddef>

#include "knit/nn/activations.hpp"

namespace knit::nn::detail {

// y = f(y + b) in place; b (cols) may be null.
void activation_forward_bias_float(activation a, float* y, const float* b, std::size_t n, std::size_t cols);
// dx = f'(.) dy from the output y, then db += column sums of dx when db is not null.
// dx aliases neither y nor dy.
void activation_backward_bias_float(activation a, const float* y, const float* dy, float* dx, float* db,
                                    std::size_t n, std::size_t cols);

}  // namespace knit::nn::detail
