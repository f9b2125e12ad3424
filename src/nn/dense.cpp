// Explicit instantiations: users' translation units reuse these instead of compiling
// the layer again.
#include "knit/nn/dense.hpp"
#include "knit/nn/activations.hpp"

namespace knit::nn {
template class dense<float>;
template class dense<double>;
template class activation_layer<float>;
template class activation_layer<double>;
}  // namespace knit::nn
