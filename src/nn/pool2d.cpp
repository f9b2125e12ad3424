// Explicit instantiations: users' translation units reuse these instead of compiling
// the layers again. The (1x2) max-pool's pair kernels are in pool2d_kernels.cpp.
#include "knit/nn/pool2d.hpp"

namespace knit::nn {
template class max_pool2d<float>;
template class max_pool2d<double>;
template class avg_pool2d<float>;
template class avg_pool2d<double>;
}  // namespace knit::nn
