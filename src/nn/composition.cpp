// Explicit instantiations of the composite models.
#include "knit/nn/autoencoder.hpp"
#include "knit/nn/branches.hpp"

namespace knit::nn {
template class branches<float>;
template class branches<double>;
template class autoencoder<float>;
template class autoencoder<double>;
}  // namespace knit::nn
