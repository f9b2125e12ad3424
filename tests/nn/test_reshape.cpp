#include <doctest/doctest.h>

#include <memory>

#include "knit/nn/reshape.hpp"
#include "nn/window_test_util.hpp"
#include "support/contract.hpp"
#include "support/fixtures.hpp"
#include "support/gradcheck.hpp"

using namespace knit;

TEST_CASE("zero_pad2d and flatten pass the gradient check") {
    rng g(4);
    {
        nn::zero_pad2d<double> pad(1, 1, 1, 2);
        CHECK(pad.build({2, 2, 5}) == shape_t{2, 4, 8});
        param_store<double> store;
        nn::bind_layers<double>({&pad}, store, g);
        auto r = test::check_layer_gradients(pad, store, test::random_tensor({3, 2, 2, 5}, g), g);
        INFO(r.worst);
        CHECK(r.checked == 3 * 2 * 2 * 5);
        CHECK(r.ok());
    }
    {
        nn::flatten<double> flat;
        CHECK(flat.build({3, 2, 4}) == shape_t{24});
        param_store<double> store;
        nn::bind_layers<double>({&flat}, store, g);
        auto r = test::check_layer_gradients(flat, store, test::random_tensor({2, 3, 2, 4}, g), g);
        INFO(r.worst);
        CHECK(r.checked == 2 * 24);
        CHECK(r.ok());
    }
}

TEST_CASE("zero_pad2d and flatten match PyTorch (F.pad, torch.flatten)") {
    const auto fx = test::load_fixture("conv_reshape.txt");
    // The paper's padding: 2 x 21 -> 4 x 24 (one row above and below, one column left, two right).
    nn::zero_pad2d<double> pad(1, 1, 1, 2);
    CHECK(pad.build({1, 2, 21}) == shape_t{1, 4, 24});
    test::check_close(pad.forward(test::get(fx, "pad.x"), nn::mode::train), test::get(fx, "pad.y"), "pad y");
    test::check_close(pad.backward(test::get(fx, "pad.g")), test::get(fx, "pad.dx"), "pad dx");

    nn::flatten<double> flat;
    CHECK(flat.build({15, 4, 3}) == shape_t{180});  // the paper's Flatten(180)
    test::check_close(flat.forward(test::get(fx, "flatten.x"), nn::mode::train), test::get(fx, "flatten.y"), "flatten y");
    test::check_close(flat.backward(test::get(fx, "flatten.g")), test::get(fx, "flatten.dx"), "flatten dx");
}

TEST_CASE("zero_pad2d puts zeros in the border and the input at (top, left)") {
    nn::zero_pad2d<double> pad(2, 0, 0, 1);
    pad.build({1, 1, 2});
    tensor<double> x = {{{{5.0, 6.0}}}};
    const auto& y = pad.forward(x, nn::mode::infer);
    REQUIRE(to_shape(y.shape()) == shape_t{1, 1, 3, 3});
    const double expected[] = {0, 0, 0, 0, 0, 0, 5, 6, 0};
    for (std::size_t i = 0; i < 9; ++i) CHECK(y.data()[i] == expected[i]);
}

TEST_CASE("zero_pad2d and flatten keep the layer contract and refuse bad shapes") {
    test::check_layer_contract([] { return std::make_unique<nn::zero_pad2d<double>>(1, 1, 1, 2); }, {2, 2, 5});
    test::check_layer_contract([] { return std::make_unique<nn::zero_pad2d<double>>(0); }, {1, 3, 3});
    test::check_layer_contract([] { return std::make_unique<nn::flatten<double>>(); }, {3, 2, 2});
    test::check_layer_contract([] { return std::make_unique<nn::flatten<double>>(); }, {5});
    nn::zero_pad2d<double> pad(1);
    CHECK_THROWS_AS(pad.build({4, 4}), knit::shape_error);
    nn::flatten<double> flat;
    CHECK_THROWS_AS(flat.build({3, 0}), knit::shape_error);
}
