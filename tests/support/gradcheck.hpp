// Central-difference gradient checks in double, over every parameter and every input
// element.
//
// For a layer f with parameters p, the scalar L = sum(G .* f(x; p)) with a fixed random
// G has dL/dy = G, so backward(G) must return dL/dx and add dL/dp. Before the analytic
// pass every parameter gradient is pre-filled with random values and those are
// subtracted afterwards: the same pass proves that backward accumulates (+=) rather
// than overwrites. Points on kinks (ReLU at 0, max-pool ties, hard_sigmoid's corners)
// are the caller's job to avoid when drawing x.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "knit/core/params.hpp"
#include "knit/core/random.hpp"
#include "knit/core/tensor.hpp"
#include "knit/nn/layer.hpp"

namespace knit::test {

struct gradcheck_result {
    double max_error = 0;        // largest |analytic - numeric| / (atol + rtol * scale)
    std::string worst;           // which element, with both values
    std::size_t checked = 0;     // how many partial derivatives were compared
    bool ok() const { return max_error <= 1.0; }
};

struct gradcheck_options {
    double eps = 1e-6;
    double atol = 1e-7;
    double rtol = 1e-5;
    nn::mode forward_mode = nn::mode::train;
    bool check_input = true;
    // 0 checks every element of every parameter tensor. A whole-model check of a large
    // network may instead check up to this many elements per tensor, evenly spread and
    // always including the first and the last, so every tensor is still covered (every
    // layer is also checked on its own over every element).
    std::size_t max_elements_per_view = 0;
};

namespace detail {
inline void compare(gradcheck_result& r, const gradcheck_options& o, double analytic,
                    double numeric, const std::string& where) {
    const double scale = std::max(std::abs(analytic), std::abs(numeric));
    const double err = std::abs(analytic - numeric) / (o.atol + o.rtol * scale);
    ++r.checked;
    if (err > r.max_error || !std::isfinite(err)) {
        r.max_error = std::isfinite(err) ? err : 1e300;
        std::ostringstream out;
        out << where << ": analytic " << analytic << ", numeric " << numeric;
        r.worst = out.str();
    }
}
}  // namespace detail

// A random tensor of the given shape, entries uniform in [lo, hi).
inline tensor<double> random_tensor(const shape_t& shape, rng& g, double lo = -1, double hi = 1) {
    tensor<double> t = tensor<double>::from_shape(shape);
    for (auto& v : t) v = g.uniform(lo, hi);
    return t;
}

// Checks a built and bound layer at input x. `store` holds the layer's parameters.
inline gradcheck_result check_layer_gradients(nn::layer<double>& l, param_store<double>& store,
                                              tensor<double> x, rng& g,
                                              const gradcheck_options& o = {}) {
    const shape_t out_shape = to_shape(l.forward(x, o.forward_mode).shape());
    const tensor<double> upstream = random_tensor(out_shape, g);
    auto objective = [&]() {
        const tensor<double>& y = l.forward(x, o.forward_mode);
        double s = 0;
        for (std::size_t i = 0; i < y.size(); ++i) s += upstream.data()[i] * y.data()[i];
        return s;
    };

    // Analytic pass, on top of random pre-filled gradients.
    std::vector<double> prefill(store.size());
    for (auto& v : prefill) v = g.uniform(-1, 1);
    std::copy(prefill.begin(), prefill.end(), store.grads());
    l.forward(x, o.forward_mode);
    const tensor<double> dx = l.backward(upstream);
    std::vector<double> param_grad(store.size());
    for (std::size_t i = 0; i < store.size(); ++i) param_grad[i] = store.grads()[i] - prefill[i];

    gradcheck_result r;
    for (const auto& view : store.views()) {
        const std::size_t limit = o.max_elements_per_view;
        const std::size_t count = (limit == 0 || view.size <= limit) ? view.size : limit;
        for (std::size_t j = 0; j < count; ++j) {
            const std::size_t k = count == view.size ? j : (count == 1 ? 0 : j * (view.size - 1) / (count - 1));
            double& p = view.value[k];
            const double saved = p;
            p = saved + o.eps;
            const double plus = objective();
            p = saved - o.eps;
            const double minus = objective();
            p = saved;
            const std::size_t flat = static_cast<std::size_t>(&view.value[k] - store.values());
            detail::compare(r, o, param_grad[flat], (plus - minus) / (2 * o.eps),
                            view.name + "[" + std::to_string(k) + "]");
        }
    }
    if (o.check_input) {
        for (std::size_t k = 0; k < x.size(); ++k) {
            const double saved = x.data()[k];
            x.data()[k] = saved + o.eps;
            const double plus = objective();
            x.data()[k] = saved - o.eps;
            const double minus = objective();
            x.data()[k] = saved;
            detail::compare(r, o, dx.data()[k], (plus - minus) / (2 * o.eps),
                            "input[" + std::to_string(k) + "]");
        }
    }
    return r;
}

// Checks d(value)/d(input) of a scalar function given with its analytic gradient:
// used for losses, whose backward returns dL/dprediction.
inline gradcheck_result check_scalar_gradient(const std::function<double(const tensor<double>&)>& value,
                                              const tensor<double>& analytic, tensor<double> x,
                                              const gradcheck_options& o = {}) {
    gradcheck_result r;
    for (std::size_t k = 0; k < x.size(); ++k) {
        const double saved = x.data()[k];
        x.data()[k] = saved + o.eps;
        const double plus = value(x);
        x.data()[k] = saved - o.eps;
        const double minus = value(x);
        x.data()[k] = saved;
        detail::compare(r, o, analytic.data()[k], (plus - minus) / (2 * o.eps),
                        "input[" + std::to_string(k) + "]");
    }
    return r;
}

}  // namespace knit::test
