#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

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

TEST_CASE("float dense (vectorised bias + activation passes) matches double dense") {
    // 37 rows of 21 units leave remainders at every vector width.
    for (auto act : {nn::activation::linear, nn::activation::relu, nn::activation::sigmoid,
                     nn::activation::tanh, nn::activation::softmax}) {
        for (bool bias : {true, false}) {
            CAPTURE(nn::to_string(act));
            CAPTURE(bias);
            const std::size_t n = 37, f = 5, u = 21;
            rng g(9);
            nn::dense<double> wide(u, nn::dense_options{act, bias});
            nn::dense<float> narrow(u, nn::dense_options{act, bias});
            wide.build({f});
            narrow.build({f});
            param_store<double> wide_store;
            param_store<float> narrow_store;
            nn::bind_layers<double>({&wide}, wide_store, g);
            nn::bind_layers<float>({&narrow}, narrow_store, g);
            for (std::size_t i = 0; i < wide_store.size(); ++i) {
                wide_store.values()[i] = static_cast<float>(g.uniform(-1, 1));  // float-exact values
                narrow_store.values()[i] = static_cast<float>(wide_store.values()[i]);
            }
            tensor<double> x = test::random_tensor({n, f}, g, -2, 2), dy = test::random_tensor({n, u}, g);
            for (auto& v : x) v = static_cast<float>(v);
            for (auto& v : dy) v = static_cast<float>(v);
            tensor<float> xf = tensor<float>::from_shape({n, f}), dyf = tensor<float>::from_shape({n, u});
            std::copy(x.begin(), x.end(), xf.begin());
            std::copy(dy.begin(), dy.end(), dyf.begin());
            wide_store.zero_grad();
            narrow_store.zero_grad();
            const tensor<double>& y = wide.forward(x, nn::mode::train);
            const tensor<float>& yf = narrow.forward(xf, nn::mode::train);
            const tensor<double>& dx = wide.backward(dy);
            const tensor<float>& dxf = narrow.backward(dyf);
            auto close = [](double a, double b, double scale) { return std::abs(a - b) <= 1e-5 * scale; };
            double y_scale = 0, dx_scale = 0, g_scale = 0;
            for (double v : y) y_scale = std::max(y_scale, std::abs(v));
            for (double v : dx) dx_scale = std::max(dx_scale, std::abs(v));
            for (std::size_t i = 0; i < wide_store.size(); ++i) g_scale = std::max(g_scale, std::abs(wide_store.grads()[i]));
            REQUIRE(y_scale > 0);
            REQUIRE(g_scale > 0);
            for (std::size_t i = 0; i < y.size(); ++i) CHECK(close(yf.data()[i], y.data()[i], y_scale));
            for (std::size_t i = 0; i < dx.size(); ++i) CHECK(close(dxf.data()[i], dx.data()[i], dx_scale));
            for (std::size_t i = 0; i < wide_store.size(); ++i)
                CHECK(close(narrow_store.grads()[i], wide_store.grads()[i], g_scale));
        }
    }
}

TEST_CASE("dense skips dL/dx when its input needs no gradient (rule 7)") {
    rng g(9);
    nn::dense<double> layer(3);
    layer.build({5});
    param_store<double> store;
    nn::bind_layers<double>({&layer}, store, g);
    const tensor<double> x = test::random_tensor({4, 5}, g), dy = test::random_tensor({4, 3}, g);
    layer.forward(x, nn::mode::train);
    CHECK(layer.backward(dy).size() == 20);
    layer.set_input_grad(false);
    layer.forward(x, nn::mode::train);
    CHECK(layer.backward(dy).size() == 0);
}
