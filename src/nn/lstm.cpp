// Explicit instantiations: users' translation units reuse these instead of compiling the
// layers again. lstm<float>'s element-wise kernels are in lstm_kernels.cpp (every SIMD
// level) and lstm_avx512.cpp (the fused AVX-512 steps).
#include "knit/nn/lstm.hpp"

namespace knit::nn {
template class lstm<float>;
template class lstm<double>;
}  // namespace knit::nn
