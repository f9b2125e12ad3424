// Explicit instantiations of the losses (nn/losses.hpp) for float and double.
#include "knit/nn/losses.hpp"

namespace knit::nn {
namespace detail {
template class loss_base<float>;
template class loss_base<double>;
}  // namespace detail
template class mean_squared_error<float>;
template class mean_squared_error<double>;
template class binary_crossentropy<float>;
template class binary_crossentropy<double>;
template class bce_with_logits<float>;
template class bce_with_logits<double>;
template class categorical_crossentropy<float>;
template class categorical_crossentropy<double>;
template class softmax_cross_entropy<float>;
template class softmax_cross_entropy<double>;
}  // namespace knit::nn
