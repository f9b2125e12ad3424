// Explicit instantiations of the optimisers (nn/optim/{sgd,rmsprop,adam}.hpp). Adam's
// vectorised update is in adam_kernels.cpp.
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/optim/rmsprop.hpp"
#include "knit/nn/optim/sgd.hpp"

namespace knit::nn {
template class sgd<float>;
template class sgd<double>;
template class rmsprop<float>;
template class rmsprop<double>;
template class adam<float>;
template class adam<double>;
}  // namespace knit::nn
