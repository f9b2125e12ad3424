// Helpers shared by the conv2d, pooling and reshape tests: comparing against PyTorch
// fixtures and drawing inputs without max-pool ties.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "knit/core/random.hpp"
#include "knit/core/tensor.hpp"

namespace knit::test {

// Every element within rtol relative (atol absolute near zero) and the same shape.
inline void check_close(const double* got, const tensor<double>& want, const std::string& what,
                        double rtol = 1e-5, double atol = 1e-10) {
    double worst = 0;
    std::size_t worst_at = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double err = std::abs(got[i] - want.data()[i]) / (atol + rtol * std::abs(want.data()[i]));
        if (!(err <= worst)) {
            worst = std::isfinite(err) ? err : 1e300;
            worst_at = i;
        }
    }
    INFO(what << ": worst element " << worst_at << " got " << got[worst_at] << ", expected "
              << want.data()[worst_at]);
    CHECK(worst <= 1.0);
}

inline void check_close(const tensor<double>& got, const tensor<double>& want, const std::string& what,
                        double rtol = 1e-5, double atol = 1e-10) {
    INFO(what << " shape " << shape_to_string(got.shape()) << " vs " << shape_to_string(want.shape()));
    REQUIRE(got.shape() == want.shape());
    check_close(got.data(), want, what, rtol, atol);
}

// Distinct values spread over [-2, 2) in random order, at least 4/size apart: no window
// has a tie, so max-pooling is differentiable at the drawn point with room for eps.
inline tensor<double> untied_tensor(const shape_t& shape, rng& g) {
    tensor<double> t = tensor<double>::from_shape(shape);
    std::vector<std::size_t> order(t.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    g.shuffle(order.begin(), order.end());
    for (std::size_t i = 0; i < t.size(); ++i)
        t.data()[i] = -2.0 + 4.0 * (double(order[i]) + 0.5 * g.uniform()) / double(t.size());
    return t;
}

}  // namespace knit::test
