// Explicit instantiations of the bidirectional wrapper (users' translation units reuse these).
#include "knit/nn/bidirectional.hpp"

namespace knit::nn {
template class bidirectional<float>;
template class bidirectional<double>;
}  // namespace knit::nn
