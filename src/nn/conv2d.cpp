// Explicit instantiations: users' translation units reuse these instead of compiling
// the layer again.
#include "knit/nn/conv2d.hpp"

namespace knit::nn {
template class conv2d<float>;
template class conv2d<double>;
}  // namespace knit::nn
