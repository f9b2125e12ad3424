// Explicit instantiations of the autoencoder (users' translation units reuse these).
#include "knit/nn/autoencoder.hpp"

namespace knit::nn {
template class autoencoder<float>;
template class autoencoder<double>;
}  // namespace knit::nn
