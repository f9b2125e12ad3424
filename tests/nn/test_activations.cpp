#include <doctest/doctest.h>

#include <cmath>

#include "knit/nn/activations.hpp"
#include "support/contract.hpp"
#include "support/gradcheck.hpp"

using namespace knit;

namespace {
// hard_sigmoid has kinks at x = +-2.5: draw inputs in (-2.4, 2.4) or beyond +-2.6.
tensor<double> off_kinks(const shape_t& s, rng& g) {
    tensor<double> t = test::random_tensor(s, g, -4, 4);
    for (auto& v : t)
        if (std::abs(std::abs(v) - 2.5) < 0.1) v = v > 0 ? v + 0.3 : v - 0.3;
    for (auto& v : t)
        if (std::abs(v) < 1e-3) v = 0.5;  // and off ReLU's kink at 0
    return t;
}
}  // namespace

TEST_CASE("every activation layer passes the gradient check and keeps the contract") {
    for (auto act : {nn::activation::linear, nn::activation::relu, nn::activation::sigmoid,
                     nn::activation::hard_sigmoid, nn::activation::tanh, nn::activation::softmax}) {
        CAPTURE(nn::to_string(act));
        rng g(5);
        nn::activation_layer<double> layer(act);
        layer.build({3, 4});
        param_store<double> store;
        nn::bind_layers<double>({&layer}, store, g);
        auto r = test::check_layer_gradients(layer, store, off_kinks({2, 3, 4}, g), g);
        INFO(r.worst);
        CHECK(r.checked == 24);
        CHECK(r.ok());
        test::check_layer_contract([act] { return std::make_unique<nn::activation_layer<double>>(act); }, {3, 4}, off_kinks);
    }
}

TEST_CASE("activation values: hard_sigmoid is Keras 2.2's, sigmoid and softmax are stable") {
    CHECK(nn::hard_sigmoid(0.0) == 0.5);
    CHECK(nn::hard_sigmoid(1.0) == doctest::Approx(0.7));
    CHECK(nn::hard_sigmoid(3.0) == 1.0);
    CHECK(nn::hard_sigmoid(-2.5) == 0.0);
    CHECK(nn::sigmoid(1e4) == 1.0);
    CHECK(nn::sigmoid(-1e4) == 0.0);
    CHECK(nn::sigmoid(-745.0) >= 0.0);
    CHECK(nn::sigmoid(0.3f) == doctest::Approx(1 / (1 + std::exp(-0.3))));

    const double x[4] = {1e4, 0, -1e4, 1e4};
    double y[4];
    nn::activation_forward(nn::activation::softmax, x, y, 4, 2);
    CHECK(y[0] == 1.0);
    CHECK(y[1] == 0.0);
    CHECK(y[2] == 0.0);
    CHECK(y[3] == 1.0);
    const double z[3] = {1, 2, 3};
    double p[3];
    nn::activation_forward(nn::activation::softmax, z, p, 3, 3);
    const double total = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
    CHECK(p[2] == doctest::Approx(std::exp(3.0) / total));
    CHECK(nn::activation_from_string("tanh") == nn::activation::tanh);
    CHECK_THROWS_AS(nn::activation_from_string("swish"), value_error);
}
