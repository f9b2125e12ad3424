// Explicit instantiations of the parameter-free layers.
#include "knit/nn/activations.hpp"
#include "knit/nn/dropout.hpp"

namespace knit::nn {
template class activation_layer<float>;
template class activation_layer<double>;
template class dropout<float>;
template class dropout<double>;
}  // namespace knit::nn
