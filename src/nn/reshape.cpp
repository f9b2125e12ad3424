// Explicit instantiations: users' translation units reuse these instead of compiling
// the layers again.
#include "knit/nn/reshape.hpp"

namespace knit::nn {
template class flatten<float>;
template class flatten<double>;
template class zero_pad2d<float>;
template class zero_pad2d<double>;
}  // namespace knit::nn
