#include <doctest/doctest.h>

#include "knit/nn/dropout.hpp"
#include "support/contract.hpp"
#include "support/gradcheck.hpp"

using namespace knit;

TEST_CASE("dropout is the identity at inference and inverted-scaled in training") {
    nn::dropout<double> d(0.25, 3);
    d.build({1000});
    tensor<double> x = xt::ones<double>({4, 1000});
    const auto& y_inf = d.forward(x, nn::mode::infer);
    CHECK(y_inf == x);
    const auto& y = d.forward(x, nn::mode::train);
    std::size_t dropped = 0;
    double total = 0;
    for (double v : y) {
        REQUIRE((v == 0.0 || v == doctest::Approx(1 / 0.75)));
        dropped += v == 0.0;
        total += v;
    }
    CHECK(double(dropped) / 4000 == doctest::Approx(0.25).epsilon(0.1));
    CHECK(total / 4000 == doctest::Approx(1.0).epsilon(0.05));  // expectation kept
    // The gradient flows through exactly the kept units, with the same scale.
    tensor<double> dy = xt::ones<double>({4, 1000});
    const auto& dx = d.backward(dy);
    CHECK(dx == y);
}

TEST_CASE("dropout masks are reproducible from the seed") {
    nn::dropout<double> a(0.5, 9), b(0.5, 9);
    a.build({50});
    b.build({50});
    tensor<double> x = xt::ones<double>({3, 50});
    CHECK(a.forward(x, nn::mode::train) == b.forward(x, nn::mode::train));
    CHECK(a.forward(x, nn::mode::train) == b.forward(x, nn::mode::train));
}

TEST_CASE("dropout gradient check with a frozen mask, and the contract") {
    rng g(4);
    nn::dropout<double> d(0.3, 1);
    d.freeze_mask(true);
    d.build({6});
    param_store<double> store;
    nn::bind_layers<double>({&d}, store, g);
    auto r = test::check_layer_gradients(d, store, test::random_tensor({4, 6}, g), g);
    INFO(r.worst);
    CHECK(r.checked == 24);
    CHECK(r.ok());
    test::check_layer_contract([] { return std::make_unique<nn::dropout<double>>(0.3, 2); }, {5});
    CHECK_THROWS_AS(nn::dropout<double>(1.0), value_error);
    CHECK_THROWS_AS(nn::dropout<double>(-0.1), value_error);
}
