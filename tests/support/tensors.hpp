// Comparing tensors bit for bit: the tests of the paths whose results must not depend on
// the thread or rank count.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>

#include "knit/core/tensor.hpp"

namespace knit::test {

// How many entries of a and b differ (as doubles compare: -0.0 equals 0.0); the shapes
// must be equal.
template <class T>
std::size_t differing(const tensor<T>& a, const tensor<T>& b) {
    REQUIRE(a.shape() == b.shape());
    std::size_t n = 0;
    for (std::size_t i = 0; i < a.size(); ++i) n += a.flat(i) != b.flat(i);
    return n;
}

}  // namespace knit::test
