// Explicit instantiations: users' translation units reuse these instead of compiling
// the layer again.
#include "knit/nn/dense.hpp"

namespace knit::nn {
template class dense<float>;
template class dense<double>;
}  // namespace knit::nn
