// Explicit instantiations of parallel branches (users' translation units reuse these).
#include "knit/nn/branches.hpp"

namespace knit::nn {
template class branches<float>;
template class branches<double>;
}  // namespace knit::nn
