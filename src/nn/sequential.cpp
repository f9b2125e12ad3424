#include "knit/nn/sequential.hpp"

namespace knit::nn {
template class sequential<float>;
template class sequential<double>;
}  // namespace knit::nn
