// Explicit instantiations of the dropout layer (its code is in nn/dropout.hpp).
#include "knit/nn/dropout.hpp"

namespace knit::nn {
template class dropout<float>;
template class dropout<double>;
}  // namespace knit::nn
