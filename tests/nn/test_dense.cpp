#include <doctest/doctest.h>

#include "knit/nn/dense.hpp"
#include "support/contract.hpp"
#include "support/gradcheck.hpp"

using namespace knit;

TEST_CASE("dense passes the gradient check for every activation") {
    for (auto act : {nn::activation::linear, nn::activation::relu, nn::activation::sigmoid,
                     nn::activation::tanh, nn::activation::softmax}) {
        CAPTURE(nn::to_string(act));
        rng g(42);
        nn::dense<double> layer(3, act);
        layer.build({4});
        param_store<double> store;
        nn::bind_layers<double>({&layer}, store, g);
        auto r = test::check_layer_gradients(layer, store, test::random_tensor({5, 4}, g), g);
        INFO(r.worst);
        CHECK(r.checked == 4 * 3 + 3 + 5 * 4);
        CHECK(r.ok());
    }
}

TEST_CASE("dense keeps the layer contract") {
    test::check_layer_contract([] { return std::make_unique<nn::dense<double>>(3, nn::activation::tanh); }, {4});
    test::check_layer_contract([] { return std::make_unique<nn::dense<double>>(2, nn::dense_options{nn::activation::linear, false}); }, {3});
}
