#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "knit/nn/conv2d.hpp"
#include "knit/nn/dense.hpp"
#include "knit/nn/pool2d.hpp"
#include "knit/nn/reshape.hpp"
#include "nn/window_test_util.hpp"
#include "support/simd_levels.hpp"
#include "support/contract.hpp"
#include "support/fixtures.hpp"
#include "support/gradcheck.hpp"

using namespace knit;
using nn::conv_algorithm;
using nn::extent2d;
using nn::padding2d;

namespace {

nn::conv2d_options options_of(nn::activation act, padding2d pad, extent2d stride = {1, 1},
                              extent2d dilation = {1, 1}, bool bias = true,
                              conv_algorithm algo = conv_algorithm::gemm) {
    nn::conv2d_options o;
    o.act = act;
    o.padding = pad;
    o.stride = stride;
    o.dilation = dilation;
    o.use_bias = bias;
    o.bias_init = nn::init::uniform(-0.5, 0.5);  // non-zero, so the bias path is exercised
    o.algorithm = algo;
    return o;
}

struct conv_case {
    const char* name;
    shape_t input;  // (C, H, W)
    std::size_t filters;
    extent2d kernel;
    nn::conv2d_options options;
};

std::vector<conv_case> gradcheck_cases(conv_algorithm algo) {
    using nn::activation;
    return {
        {"valid 3x3", {2, 5, 4}, 3, {3, 3}, options_of(activation::linear, padding2d::valid(), {1, 1}, {1, 1}, true, algo)},
        {"keras same 2x3 relu", {2, 4, 6}, 3, {2, 3}, options_of(activation::relu, padding2d::same(), {1, 1}, {1, 1}, true, algo)},
        {"same 2x3 stride 2", {3, 5, 7}, 2, {2, 3}, options_of(activation::tanh, padding2d::same(), {2, 2}, {1, 1}, true, algo)},
        {"same 2x2 (even) no bias", {1, 4, 5}, 2, {2, 2}, options_of(activation::sigmoid, padding2d::same(), {1, 1}, {1, 1}, false, algo)},
        {"sides + dilation + stride", {2, 6, 7}, 2, {3, 2}, options_of(activation::linear, padding2d::sides(1, 0, 2, 1), {1, 2}, {2, 1}, true, algo)},
    };
}

// The CNN of the paper (REFERENCE §3) in NCHW: (1, 2, 21) -> ... -> (2).
std::vector<std::unique_ptr<nn::layer<double>>> paper_cnn() {
    using nn::activation;
    std::vector<std::unique_ptr<nn::layer<double>>> net;
    net.push_back(std::make_unique<nn::zero_pad2d<double>>(1, 1, 1, 2));
    for (std::size_t filters : {50u, 25u, 15u}) {
        net.push_back(std::make_unique<nn::conv2d<double>>(filters, extent2d{2, 3}, activation::relu, padding2d::same()));
        net.push_back(std::make_unique<nn::max_pool2d<double>>(extent2d{1, 2}));
    }
    net.push_back(std::make_unique<nn::flatten<double>>());
    net.push_back(std::make_unique<nn::dense<double>>(120, activation::relu));
    net.push_back(std::make_unique<nn::dense<double>>(100, activation::relu));
    net.push_back(std::make_unique<nn::dense<double>>(2, activation::softmax));
    return net;
}

}  // namespace

TEST_CASE("conv2d passes the gradient check (im2col + GEMM and direct)") {
    for (auto algo : {conv_algorithm::gemm, conv_algorithm::direct}) {
        for (const auto& c : gradcheck_cases(algo)) {
            CAPTURE(c.name);
            CAPTURE(algo == conv_algorithm::gemm ? "gemm" : "direct");
            rng g(7);
            nn::conv2d<double> layer(c.filters, c.kernel, c.options);
            const shape_t out = layer.build(c.input);
            param_store<double> store;
            nn::bind_layers<double>({&layer}, store, g);
            const std::size_t n = 2;
            auto r = test::check_layer_gradients(layer, store, test::random_tensor(with_batch(n, c.input), g), g);
            INFO(r.worst);
            const std::size_t weights = c.filters * c.input[0] * c.kernel.h * c.kernel.w;
            CHECK(r.checked == weights + (c.options.use_bias ? c.filters : 0) + n * shape_size(c.input));
            CHECK(r.ok());
            (void)out;
        }
    }
}

TEST_CASE("conv2d: the im2col + GEMM path equals the direct-loop reference, in chunks too") {
    rng g(11);
    for (const auto& c : gradcheck_cases(conv_algorithm::gemm)) {
        CAPTURE(c.name);
        for (std::size_t max_col : {std::size_t(1), std::size_t(300), std::size_t(1) << 22}) {
            CAPTURE(max_col);  // 1: one sample per chunk; 300: a few samples per chunk
            nn::conv2d_options fast = c.options, slow = c.options;
            fast.max_col_elements = max_col;
            slow.algorithm = conv_algorithm::direct;
            nn::conv2d<double> a(c.filters, c.kernel, fast), b(c.filters, c.kernel, slow);
            a.build(c.input);
            b.build(c.input);
            param_store<double> sa, sb;
            rng ga(3), gb(3);
            nn::bind_layers<double>({&a}, sa, ga);
            nn::bind_layers<double>({&b}, sb, gb);
            const auto x = test::random_tensor(with_batch(5, c.input), g);
            const tensor<double> ya = a.forward(x, nn::mode::train);
            const tensor<double> yb = b.forward(x, nn::mode::train);
            test::check_close(ya, yb, "y", 1e-12, 1e-12);
            const auto dy = test::random_tensor(to_shape(ya.shape()), g);
            const tensor<double> dxa = a.backward(dy);
            const tensor<double> dxb = b.backward(dy);
            test::check_close(dxa, dxb, "dx", 1e-12, 1e-12);
            tensor<double> grads_b = xt::adapt(sb.grads(), sb.size(), xt::no_ownership(), shape_t{sb.size()});
            test::check_close(sa.grads(), grads_b, "parameter gradients", 1e-12, 1e-12);
        }
    }
}

TEST_CASE("conv2d float matches double") {
    rng g(5);
    nn::conv2d_options o = options_of(nn::activation::relu, padding2d::same(), {2, 1});
    nn::conv2d<float> f(4, {2, 3}, o);
    nn::conv2d<double> d(4, {2, 3}, o);
    f.build({3, 4, 9});
    d.build({3, 4, 9});
    param_store<float> sf;
    param_store<double> sd;
    rng gf(9), gd(9);
    nn::bind_layers<float>({&f}, sf, gf);
    nn::bind_layers<double>({&d}, sd, gd);
    const auto x = test::random_tensor({3, 3, 4, 9}, g);
    const tensor<float> xf = xt::cast<float>(x);
    const tensor<double> yf = xt::cast<double>(f.forward(xf, nn::mode::train));
    test::check_close(yf, d.forward(x, nn::mode::train), "float output", 1e-4, 1e-5);
    const auto dy = test::random_tensor(to_shape(yf.shape()), g);
    const tensor<double> dxf = xt::cast<double>(f.backward(xt::cast<float>(dy)));
    test::check_close(dxf, d.backward(dy), "float dx", 1e-4, 1e-5);
}

TEST_CASE("conv2d matches PyTorch (F.conv2d, float64 fixtures)") {
    const auto fx = test::load_fixture("conv_conv2d.txt");
    struct spec {
        const char* name;
        nn::activation act;
        padding2d pad;
        extent2d stride, dilation;
        bool bias;
    };
    const spec specs[] = {
        {"valid3x3", nn::activation::linear, padding2d::valid(), {1, 1}, {1, 1}, true},
        {"same2x3_relu", nn::activation::relu, padding2d::same(), {1, 1}, {1, 1}, true},
        {"same2x3_stride2", nn::activation::linear, padding2d::same(), {2, 2}, {1, 1}, true},
        {"sides_dilated_nobias", nn::activation::linear, padding2d::sides(1, 0, 2, 1), {1, 2}, {2, 1}, false},
        {"same4x4_stride3_dilated", nn::activation::linear, padding2d::same(), {3, 3}, {1, 2}, true},
    };
    // valid3x3 takes the grid kernels, same2x3_relu the plane ones: both their paths.
    test::for_each_simd_level([&] {
        for (const auto& s : specs) {
            for (auto algo : {conv_algorithm::gemm, conv_algorithm::direct}) {
                const std::string name = s.name;
                CAPTURE(name);
                const auto& x = test::get(fx, name + ".x");
                const auto& w = test::get(fx, name + ".weight");
                nn::conv2d<double> layer(w.shape()[0], {w.shape()[2], w.shape()[3]},
                                         options_of(s.act, s.pad, s.stride, s.dilation, s.bias, algo));
                layer.build(without_batch(x.shape()));
                param_store<double> store;
                rng g(1);
                nn::bind_layers<double>({&layer}, store, g);
                REQUIRE(layer.weight().size == w.size());
                std::copy(w.begin(), w.end(), layer.weight().value);
                if (s.bias) {
                    const auto& b = test::get(fx, name + ".bias");
                    std::copy(b.begin(), b.end(), layer.bias().value);
                }
                test::check_close(layer.forward(x, nn::mode::train), test::get(fx, name + ".y"), name + " y");
                const tensor<double> dx = layer.backward(test::get(fx, name + ".g"));
                test::check_close(dx, test::get(fx, name + ".dx"), name + " dx");
                test::check_close(layer.weight().grad, test::get(fx, name + ".dweight"), name + " dweight");
                if (s.bias) test::check_close(layer.bias().grad, test::get(fx, name + ".dbias"), name + " dbias");
            }
        }
    });
}

TEST_CASE("conv2d keeps the layer contract") {
    test::check_layer_contract([] { return std::make_unique<nn::conv2d<double>>(3, extent2d{2, 3}, nn::activation::relu, padding2d::same()); }, {2, 4, 5});
    test::check_layer_contract([] { return std::make_unique<nn::conv2d<double>>(2, extent2d{3, 3}, options_of(nn::activation::linear, padding2d::valid(), {2, 2}, {1, 1}, false)); }, {1, 7, 6});
    test::check_layer_contract([] { return std::make_unique<nn::conv2d<double>>(2, extent2d{2, 2}, options_of(nn::activation::tanh, padding2d::same(), {1, 1}, {1, 1}, true, conv_algorithm::direct)); }, {3, 3, 4});
}

TEST_CASE("conv2d output shapes: valid, Keras same (even kernels, strides), sides, dilation") {
    auto out_of = [](shape_t in, extent2d k, nn::conv2d_options o) {
        nn::conv2d<double> l(4, k, o);
        return l.build(in);
    };
    using nn::activation;
    CHECK(out_of({1, 4, 24}, {2, 3}, options_of(activation::relu, padding2d::same())) == shape_t{4, 4, 24});
    CHECK(out_of({1, 4, 24}, {2, 3}, options_of(activation::relu, padding2d::valid())) == shape_t{4, 3, 22});
    CHECK(out_of({1, 7, 8}, {2, 3}, options_of(activation::relu, padding2d::same(), {2, 2})) == shape_t{4, 4, 4});
    CHECK(out_of({1, 10, 10}, {3, 3}, options_of(activation::relu, padding2d::sides(1, 2, 0, 3), {1, 1}, {2, 2})) == shape_t{4, 9, 9});

    // Keras same for a 2x3 kernel, stride 1: 0 rows above, 1 below, 1 column each side.
    nn::conv2d<double> l(1, {2, 3}, nn::activation::linear, padding2d::same());
    l.build({1, 4, 24});
    CHECK(l.geometry().pad_top == 0);
    CHECK(l.geometry().pad_bottom == 1);
    CHECK(l.geometry().pad_left == 1);
    CHECK(l.geometry().pad_right == 1);
    // 4x4 kernel, same: total 3 -> 1 before, 2 after (the extra one at the end).
    nn::conv2d<double> e(1, {4, 4}, nn::activation::linear, padding2d::same());
    e.build({1, 6, 6});
    CHECK(e.geometry().pad_top == 1);
    CHECK(e.geometry().pad_bottom == 2);
}

TEST_CASE("conv2d refuses bad settings and inputs with clear errors") {
    CHECK_THROWS_AS(nn::conv2d<double>(0, {2, 3}), knit::value_error);
    CHECK_THROWS_AS(nn::conv2d<double>(2, {0, 3}), knit::value_error);
    {
        nn::conv2d<double> l(2, {3, 3});
        CHECK_THROWS_AS(l.build({1, 2, 5}), knit::shape_error);  // valid 3x3 on 2 rows
    }
    {
        nn::conv2d<double> l(2, {3, 3});
        CHECK_THROWS_AS(l.build({5, 5}), knit::shape_error);  // not (C, H, W)
    }
    {
        nn::conv2d_options o;
        o.stride = {0, 1};
        nn::conv2d<double> l(2, {3, 3}, o);
        CHECK_THROWS_AS(l.build({1, 5, 5}), knit::value_error);
    }
    nn::conv2d<double> l(2, {2, 3}, nn::activation::relu, padding2d::same());
    l.build({1, 4, 24});
    param_store<double> store;
    rng g(1);
    nn::bind_layers<double>({&l}, store, g);
    try {
        l.forward(tensor<double>::from_shape({3, 2, 4, 24}), nn::mode::train);
        FAIL("expected a shape_error");
    } catch (const knit::shape_error& e) {
        const std::string what = e.what();
        CHECK(what.find("got (3, 2, 4, 24)") != std::string::npos);
        CHECK(what.find("expected (N, 1, 4, 24)") != std::string::npos);
    }
}

TEST_CASE("conv2d initialisers: Keras Glorot fans (C*kh*kw, O*kh*kw) and PyTorch's default") {
    auto weights_of = [](nn::conv2d_options o) {
        nn::conv2d<double> l(50, {2, 3}, o);
        l.build({25, 4, 12});
        param_store<double> store;
        rng g(2);
        nn::bind_layers<double>({&l}, store, g);
        double peak = 0;
        for (std::size_t i = 0; i < l.weight().size; ++i) peak = std::max(peak, std::abs(l.weight().value[i]));
        double bias_peak = 0;
        for (std::size_t i = 0; i < l.bias().size; ++i) bias_peak = std::max(bias_peak, std::abs(l.bias().value[i]));
        return std::make_pair(peak, bias_peak);
    };
    const double glorot = std::sqrt(6.0 / (25 * 6 + 50 * 6));
    auto [keras_peak, keras_bias] = weights_of(nn::conv2d_options{});
    CHECK(keras_peak <= glorot);
    CHECK(keras_peak > 0.98 * glorot);  // 7,500 draws come close to the edge
    CHECK(keras_bias == 0.0);
    const double torch_bound = 1.0 / std::sqrt(25.0 * 6);
    auto [torch_peak, torch_bias] = weights_of(nn::conv2d_options::torch(nn::activation::relu));
    CHECK(torch_peak <= torch_bound);
    CHECK(torch_peak > 0.98 * torch_bound);
    CHECK(torch_bias <= torch_bound);
    CHECK(torch_bias > 0.5 * torch_bound);
}

TEST_CASE("the paper's CNN: shapes and 44,162 parameters") {
    auto net = paper_cnn();
    shape_t shape{1, 2, 21};
    std::vector<shape_t> shapes;
    std::vector<nn::layer<double>*> raw;
    for (auto& l : net) {
        shape = l->build(shape);
        shapes.push_back(shape);
        raw.push_back(l.get());
    }
    CHECK(shapes[0] == shape_t{1, 4, 24});
    CHECK(shapes[1] == shape_t{50, 4, 24});
    CHECK(shapes[2] == shape_t{50, 4, 12});
    CHECK(shapes[4] == shape_t{25, 4, 6});
    CHECK(shapes[6] == shape_t{15, 4, 3});
    CHECK(shapes[7] == shape_t{180});
    CHECK(shapes.back() == shape_t{2});
    param_store<double> store;
    rng g(1);
    nn::bind_layers(raw, store, g);
    CHECK(store.size() == 44162);
    // The whole chain runs forward and backward at a batch of 3.
    tensor<double> x = test::random_tensor({3, 1, 2, 21}, g);
    const tensor<double>* h = &x;
    for (auto* l : raw) h = &l->forward(*h, nn::mode::train);
    CHECK(to_shape(h->shape()) == shape_t{3, 2});
    tensor<double> d = test::random_tensor({3, 2}, g);
    const tensor<double>* grad = &d;
    for (auto it = raw.rbegin(); it != raw.rend(); ++it) grad = &(*it)->backward(*grad);
    CHECK(to_shape(grad->shape()) == shape_t{3, 1, 2, 21});
}

// Horizontal vs vertical bars on 8x8 images with noise: a small LeNet-style network
// (conv -> pool -> conv -> pool -> flatten -> dense softmax) trained by plain SGD on the
// mean softmax cross-entropy must classify held-out images.
TEST_CASE("a small CNN learns horizontal vs vertical bars") {
    using nn::activation;
    const std::size_t side = 8;
    auto make_images = [&](std::size_t n, rng& g, tensor<double>& x, std::vector<int>& label) {
        x = tensor<double>::from_shape({n, 1, side, side});
        label.assign(n, 0);
        for (std::size_t s = 0; s < n; ++s) {
            label[s] = static_cast<int>(g.below(2));
            const std::size_t at = g.below(side), length = 3 + g.below(4), from = g.below(side - length + 1);
            for (std::size_t i = 0; i < side * side; ++i) x.data()[s * side * side + i] = g.uniform(-0.3, 0.3);
            for (std::size_t t = from; t < from + length; ++t) {
                const std::size_t r = label[s] ? t : at, c = label[s] ? at : t;  // 1 = vertical
                x(s, 0, r, c) += 1.0;
            }
        }
    };
    rng g(2024);
    nn::conv2d<double> c1(4, {3, 3}, activation::relu, padding2d::same());
    nn::max_pool2d<double> p1({2, 2});
    nn::conv2d<double> c2(6, {3, 3}, activation::relu, padding2d::same());
    nn::max_pool2d<double> p2({2, 2});
    nn::flatten<double> fl;
    nn::dense<double> out(2);
    std::vector<nn::layer<double>*> net{&c1, &p1, &c2, &p2, &fl, &out};
    shape_t shape{1, side, side};
    for (auto* l : net) shape = l->build(shape);
    param_store<double> store;
    nn::bind_layers(net, store, g);

    tensor<double> train_x, test_x;
    std::vector<int> train_y, test_y;
    make_images(128, g, train_x, train_y);
    make_images(200, g, test_x, test_y);

    auto run = [&](const tensor<double>& x) -> const tensor<double>& {
        const tensor<double>* h = &x;
        for (auto* l : net) h = &l->forward(*h, nn::mode::train);
        return *h;
    };
    auto accuracy = [&](const tensor<double>& x, const std::vector<int>& y) {
        const auto& logits = run(x);
        std::size_t right = 0;
        for (std::size_t s = 0; s < y.size(); ++s)
            right += (logits(s, 1) > logits(s, 0)) == (y[s] == 1);
        return double(right) / double(y.size());
    };
    const double before = accuracy(test_x, test_y);
    const double lr = 0.1;
    double first_loss = 0, last_loss = 0;
    for (int step = 0; step < 150; ++step) {
        const auto& logits = run(train_x);
        const std::size_t n = train_y.size();
        // Softmax cross-entropy written inline (the loss module is not this test's subject):
        // L = -mean log softmax(z)_y,  dL/dz = (softmax(z) - onehot(y)) / N.
        tensor<double> dz = tensor<double>::from_shape({n, 2});
        double loss = 0;
        for (std::size_t s = 0; s < n; ++s) {
            const double m = std::max(logits(s, 0), logits(s, 1));
            const double e0 = std::exp(logits(s, 0) - m), e1 = std::exp(logits(s, 1) - m);
            const double p1v = e1 / (e0 + e1);
            loss -= std::log(train_y[s] ? p1v : 1 - p1v) / double(n);
            dz(s, 1) = (p1v - (train_y[s] == 1)) / double(n);
            dz(s, 0) = -dz(s, 1);
        }
        if (step == 0) first_loss = loss;
        last_loss = loss;
        store.zero_grad();
        const tensor<double>* grad = &dz;
        for (auto it = net.rbegin(); it != net.rend(); ++it) grad = &(*it)->backward(*grad);
        for (std::size_t i = 0; i < store.size(); ++i) store.values()[i] -= lr * store.grads()[i];
    }
    const double after = accuracy(test_x, test_y);
    INFO("accuracy before " << before << ", after " << after << "; loss " << first_loss << " -> " << last_loss);
    CHECK(last_loss < 0.5 * first_loss);
    CHECK(after >= 0.95);
}

namespace {

// Runs one conv2d configuration through the fast path and the direct-loop reference on
// the same weights and inputs, over a sequence of batch sizes (so the grid buffers are
// reallocated and reused), and checks y, dx and every parameter gradient. Without
// input_grad the fast layer skips dx (rule 7) and only y and the gradients are checked.
template <class T>
void check_fast_equals_direct(const shape_t& input, std::size_t filters, extent2d kernel,
                              nn::conv2d_options o, double tol, bool input_grad = true) {
    nn::conv2d_options slow = o;
    slow.algorithm = conv_algorithm::direct;
    nn::conv2d<T> a(filters, kernel, o), b(filters, kernel, slow);
    a.build(input);
    b.build(input);
    param_store<T> sa, sb;
    rng ga(3), gb(3), g(17);
    nn::bind_layers<T>({&a}, sa, ga);
    nn::bind_layers<T>({&b}, sb, gb);
    a.set_input_grad(input_grad);
    for (std::size_t n : {3u, 1u, 3u, 5u}) {
        CAPTURE(n);
        const tensor<double> x = test::random_tensor(with_batch(n, input), g);
        const tensor<T> xt = xt::cast<T>(x);
        const tensor<T> other = xt::cast<T>(test::random_tensor(with_batch(n, input), g));
        a.forward(other, nn::mode::infer);  // another input first: its cache must be replaced
        const tensor<double> ya = xt::cast<double>(a.forward(xt, nn::mode::train));
        const tensor<double> yb = xt::cast<double>(b.forward(xt, nn::mode::train));
        test::check_close(ya, yb, "y", tol, tol);
        const tensor<double> dy = test::random_tensor(to_shape(ya.shape()), g);
        const tensor<double> dxa = xt::cast<double>(a.backward(xt::cast<T>(dy)));
        const tensor<double> dxb = xt::cast<double>(b.backward(xt::cast<T>(dy)));
        if (input_grad)
            test::check_close(dxa, dxb, "dx", tol, tol);
        else
            CHECK(dxa.size() == 0);
        tensor<double> ga_t = xt::cast<double>(xt::adapt(sa.grads(), sa.size(), xt::no_ownership(), shape_t{sa.size()}));
        tensor<double> gb_t = xt::cast<double>(xt::adapt(sb.grads(), sb.size(), xt::no_ownership(), shape_t{sb.size()}));
        test::check_close(ga_t, gb_t, "parameter gradients (accumulated over the batches)", tol, tol);
    }
}

}  // namespace

TEST_CASE("conv2d: the shifted-grid path (stride 1) equals the direct-loop reference") {
    using nn::activation;
    const auto relu_same = options_of(activation::relu, padding2d::same());
    SUBCASE("the paper's three layers, float and double") {
        // (C, H, W) -> filters: 1 -> 50 (rows blocked 6+...+5), 50 -> 25 (5 x 5), 25 -> 15
        const std::pair<shape_t, std::size_t> layers[] = {{{1, 4, 24}, 50}, {{50, 4, 12}, 25}, {{25, 4, 6}, 15}};
        for (const auto& layer : layers) {
            // Not a structured binding: CAPTURE's lambda cannot capture one in C++17 (clang).
            const shape_t& input = layer.first;
            const std::size_t filters = layer.second;
            CAPTURE(filters);
            check_fast_equals_direct<double>(input, filters, {2, 3}, relu_same, 1e-12);
            check_fast_equals_direct<float>(input, filters, {2, 3}, relu_same, 1e-4);
        }
    }
    SUBCASE("padding wider than the kernel's reach, dilation, 9 and 1 taps, no bias") {
        // kernel 1x1 with 2+1 rows and 3+2 columns of padding: the output is wider and
        // taller than the padded input rows, so the grid's row and stride come from it.
        // Outputs larger or smaller than the input take the grid kernels, here on both their
        // paths (AVX-512, portable); the last, same-padded case takes the plane kernels.
        test::for_each_simd_level([&] {
            check_fast_equals_direct<double>({2, 3, 4}, 3, {1, 1},
                                             options_of(activation::linear, padding2d::sides(2, 1, 3, 2)), 1e-12);
            const auto tanh_dilated = options_of(activation::tanh, padding2d::sides(0, 2, 1, 0), {1, 1}, {2, 2}, false);
            check_fast_equals_direct<double>({3, 6, 7}, 7, {3, 3}, tanh_dilated, 1e-12);
            check_fast_equals_direct<float>({3, 6, 7}, 7, {3, 3}, tanh_dilated, 1e-4);  // float grid kernels
            check_fast_equals_direct<float>({4, 5, 5}, 2, {2, 2},
                                            options_of(activation::sigmoid, padding2d::same(), {1, 1}, {1, 2}), 1e-4);
        });
    }
}

TEST_CASE("conv2d: the plane path (stride 1, output as large as the input) equals the direct-loop reference") {
    using nn::activation;
    // The plane path reads x and dz in place with lane masks for the taps that fall in the
    // padding. Shapes chosen for its edge cases: planes of 1 to 5 vectors (float 16 lanes,
    // double 8) with partial last vectors, row blocks of 1..12 filters, taps above, below,
    // left and right of the output (symmetric padding), dilation, and 30 filters on a
    // one-vector plane.
    const auto relu_sides = options_of(activation::relu, padding2d::sides(1, 1, 1, 1));
    // Both paths of the plane kernels (AVX-512, portable); relu_sides also takes relu_backward_rows.
    test::for_each_simd_level([&] {
        check_fast_equals_direct<double>({3, 5, 13}, 13, {3, 3}, relu_sides, 1e-12);
        check_fast_equals_direct<float>({3, 5, 13}, 13, {3, 3}, relu_sides, 1e-4);
        check_fast_equals_direct<double>({2, 3, 5}, 30, {2, 3}, options_of(activation::relu, padding2d::same()), 1e-12);
        check_fast_equals_direct<float>({2, 3, 5}, 30, {2, 3}, options_of(activation::relu, padding2d::same()), 1e-4);
        check_fast_equals_direct<double>({4, 6, 7}, 5, {3, 2},
                                         options_of(activation::tanh, padding2d::same(), {1, 1}, {2, 2}, false), 1e-12);
        check_fast_equals_direct<float>({1, 1, 40}, 9, {1, 5}, options_of(activation::linear, padding2d::same()), 1e-4);
    });
}

TEST_CASE("conv2d: the plane path's fused relu weight gradient (one input channel) equals the direct-loop reference") {
    using nn::activation;
    // One input channel, relu, at most 6 taps and whole vectors (plane % 16 for float, % 8
    // for double): dz, dL/db and dL/dW come from one sweep of y and dy, and dz is written
    // only for dx. Row blocks of 1..3 filters (7 = 3 + 2 + 2, 50 = 17 blocks, 1), with
    // and without dx, with and without bias; a 3x3 kernel (9 taps) keeps the separate pass.
    const auto relu_same = options_of(activation::relu, padding2d::same());
    const auto relu_no_bias = options_of(activation::relu, padding2d::same(), {1, 1}, {1, 1}, false);
    test::for_each_simd_level([&] {
        for (bool dx : {true, false}) {
            CAPTURE(dx);
            check_fast_equals_direct<double>({1, 4, 24}, 50, {2, 3}, relu_same, 1e-12, dx);
            check_fast_equals_direct<float>({1, 4, 24}, 50, {2, 3}, relu_same, 1e-4, dx);
            check_fast_equals_direct<double>({1, 2, 8}, 7, {2, 3}, relu_no_bias, 1e-12, dx);
            check_fast_equals_direct<float>({1, 2, 16}, 7, {1, 3}, relu_same, 1e-4, dx);
            check_fast_equals_direct<float>({1, 4, 8}, 1, {2, 2}, relu_same, 1e-4, dx);
            check_fast_equals_direct<double>({1, 4, 8}, 5, {3, 3}, relu_same, 1e-12, dx);
        }
    });
}

TEST_CASE("conv2d rule 7: without an input gradient, backward skips dx on every path and keeps dW, db") {
    using nn::activation;
    struct path_case {
        const char* name;
        extent2d stride;
        padding2d pad;
        conv_algorithm algo;
    };
    const path_case paths[] = {
        {"plane (same, stride 1)", {1, 1}, padding2d::same(), conv_algorithm::gemm},
        {"grid (valid, stride 1)", {1, 1}, padding2d::valid(), conv_algorithm::gemm},
        {"im2col + GEMM (stride 2)", {2, 2}, padding2d::same(), conv_algorithm::gemm},
        {"direct", {1, 1}, padding2d::same(), conv_algorithm::direct},
    };
    for (const auto& p : paths) {
        CAPTURE(p.name);
        const shape_t input{3, 4, 6};
        nn::conv2d<double> with(4, {2, 3}, options_of(activation::relu, p.pad, p.stride, {1, 1}, true, p.algo));
        nn::conv2d<double> without(4, {2, 3}, options_of(activation::relu, p.pad, p.stride, {1, 1}, true, p.algo));
        with.build(input);
        without.build(input);
        param_store<double> sa, sb;
        rng ga(5), gb(5), g(9);
        nn::bind_layers<double>({&with}, sa, ga);
        nn::bind_layers<double>({&without}, sb, gb);
        without.set_input_grad(false);
        const auto x = test::random_tensor(with_batch(2, input), g);
        const tensor<double> y = with.forward(x, nn::mode::train);
        without.forward(x, nn::mode::train);
        const auto dy = test::random_tensor(to_shape(y.shape()), g);
        CHECK(with.backward(dy).size() == 2 * shape_size(input));
        CHECK(without.backward(dy).size() == 0);
        for (std::size_t i = 0; i < sa.size(); ++i) CHECK(sb.grads()[i] == sa.grads()[i]);
    }
}
