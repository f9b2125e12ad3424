// The activation layer's explicit instantiations, and activation_forward_bias and
// activation_backward_bias for float (nn/activations.hpp), which hand the element-wise
// activations to the kernels of nn/activation_kernels.cpp.
#include <cstring>

#include "knit/nn/activations.hpp"
#include "nn/activation_kernels.hpp"

namespace knit::nn {

void activation_forward_bias(activation a, const float* x, const float* b, float* y, std::size_t n,
                             std::size_t cols) {
    // softmax normalises whole rows: the reference's loops serve it.
    if (a == activation::softmax) return activation_forward_bias<float>(a, x, b, y, n, cols);
    if (n != 0 && x != y) std::memcpy(y, x, n * sizeof(float));  // the kernel works in place
    detail::activation_forward_bias_float(a, y, b, n, cols);
}

void activation_backward_bias(activation a, const float* y, const float* dy, float* dx, float* db,
                              std::size_t n, std::size_t cols) {
    // The kernel wants dx apart from y and dy; the reference allows dx == dy.
    if (a == activation::softmax || dx == dy || dx == y)
        return activation_backward_bias<float>(a, y, dy, dx, db, n, cols);
    detail::activation_backward_bias_float(a, y, dy, dx, db, n, cols);
}

template class activation_layer<float>;
template class activation_layer<double>;
}  // namespace knit::nn
