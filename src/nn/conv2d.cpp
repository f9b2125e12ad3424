// Explicit instantiations of conv2d: users' translation units reuse these instead of
// compiling the layer again. Its kernels are in conv2d_kernels.cpp.
#include "knit/nn/conv2d.hpp"

namespace knit::nn {
template class conv2d<float>;
template class conv2d<double>;
}  // namespace knit::nn
