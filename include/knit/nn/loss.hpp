// The loss contract. A loss maps (prediction, target) of the same shape to a scalar,
// averaged over the batch, and gives dL/dprediction for the last forward.
//
//   T forward(pred, target)        checks shapes, caches what backward needs, returns L
//   const tensor<T>& backward()    dL/dpred (same shape as pred), in a buffer it owns;
//                                  throws state_error without a preceding forward
//
// The concrete losses (mean_squared_error, binary_crossentropy, bce_with_logits,
// categorical_crossentropy, softmax_cross_entropy) live in nn/losses.hpp.
#pragma once

#include <string>

#include "knit/core/error.hpp"
#include "knit/core/tensor.hpp"

namespace knit::nn {

template <class T>
class loss {
public:
    virtual ~loss() = default;
    virtual std::string name() const = 0;
    virtual T forward(const tensor<T>& prediction, const tensor<T>& target) = 0;
    virtual const tensor<T>& backward() = 0;
};

}  // namespace knit::nn
