#include <doctest/doctest.h>

#include <cmath>

#include "knit/nn/dense.hpp"
#include "knit/nn/dropout.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/optim/sgd.hpp"
#include "knit/nn/sequential.hpp"
#include "knit/nn/trainer.hpp"
#include "support/gradcheck.hpp"

using namespace knit;

namespace {
tensor<float> xor_x() { return {{0.f, 0.f}, {0.f, 1.f}, {1.f, 0.f}, {1.f, 1.f}}; }
tensor<float> xor_y() {
    tensor<float> y = {0.f, 1.f, 1.f, 0.f};
    y.reshape({4, 1});
    return y;
}

std::unique_ptr<nn::sequential<float>> xor_model(std::uint64_t seed) {
    auto m = std::make_unique<nn::sequential<float>>(shape_t{2});
    m->add(nn::dense<float>(8, nn::activation::tanh));
    m->add(nn::dense<float>(1, nn::activation::sigmoid));
    m->compile(seed);
    return m;
}
}  // namespace

TEST_CASE("XOR learns to 100 % accuracy") {
    auto model = xor_model(1);
    nn::binary_crossentropy<float> loss;
    nn::adam<float> opt(nn::adam_options{0.05});
    nn::fit_options<float> o;
    o.epochs = 400;
    o.batch_size = 4;
    o.metrics = {nn::metric::binary_accuracy};
    auto h = nn::fit(*model, xor_x(), xor_y(), loss, opt, o);
    CHECK(h.epochs.size() == 400);
    CHECK(h.epochs.back().loss < 0.05);
    CHECK(h.epochs.back().loss < h.epochs.front().loss / 10);
    auto e = nn::evaluate(*model, xor_x(), xor_y(), loss, {nn::metric::binary_accuracy});
    CHECK(e.metrics["binary_accuracy"] == 1.0);
    const tensor<float> p = nn::predict(*model, xor_x());
    CHECK(p(0, 0) < 0.5f);
    CHECK(p(1, 0) > 0.5f);
    CHECK(p(2, 0) > 0.5f);
    CHECK(p(3, 0) < 0.5f);
}

TEST_CASE("a small regression learns y = sin(x)") {
    const std::size_t n = 256;
    tensor<double> x = tensor<double>::from_shape({n, 1}), y = tensor<double>::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) {
        x(i, 0) = -3.0 + 6.0 * double(i) / double(n - 1);
        y(i, 0) = std::sin(x(i, 0));
    }
    nn::sequential<double> model({1});
    model.add(nn::dense<double>(32, nn::activation::tanh));
    model.add(nn::dense<double>(1));
    model.compile(3);
    nn::mean_squared_error<double> loss;
    nn::adam<double> opt(nn::adam_options{0.01});
    nn::fit_options<double> o;
    o.epochs = 150;
    o.batch_size = 32;
    o.seed = 5;
    o.validation_split = 0.1;
    auto h = nn::fit(model, x, y, loss, opt, o);
    CHECK(h.epochs.front().loss > 0.1);
    CHECK(h.epochs.back().loss < 0.005);
    CHECK(std::isfinite(h.epochs.back().val_loss));
}

TEST_CASE("the same seed gives bit-identical weights after training") {
    auto train = [](std::uint64_t seed) {
        auto m = xor_model(seed);
        nn::binary_crossentropy<float> loss;
        nn::adam<float> opt(nn::adam_options{0.01});
        nn::fit_options<float> o;
        o.epochs = 20;
        o.batch_size = 2;
        o.seed = seed;
        nn::fit(*m, xor_x(), xor_y(), loss, opt, o);
        return std::vector<float>(m->store().values(), m->store().values() + m->store().size());
    };
    const auto a = train(11), b = train(11), c = train(12);
    CHECK(a == b);
    CHECK(a != c);
}

TEST_CASE("a whole sequential model passes the gradient check as one layer") {
    rng g(8);
    nn::sequential<double> model({5});
    model.add(nn::dense<double>(7, nn::activation::tanh));
    auto& drop = model.add(nn::dropout<double>(0.2, 4));
    drop.freeze_mask(true);
    model.add(nn::dense<double>(3, nn::activation::softmax));
    model.build({5});
    param_store<double> store;
    nn::bind_layers<double>({&model}, store, g);
    CHECK(store.size() == 5 * 7 + 7 + 7 * 3 + 3);
    CHECK(store.views()[0].name == "0.sequential.0.dense.weight");
    auto r = test::check_layer_gradients(model, store, test::random_tensor({4, 5}, g), g);
    INFO(r.worst);
    CHECK(r.checked == store.size() + 20);
    CHECK(r.ok());
}

TEST_CASE("sequential refuses misuse with clear errors") {
    nn::sequential<float> m({3});
    CHECK_THROWS_AS(m.compile(1), state_error);  // no layers
    m.add(nn::dense<float>(2));
    tensor<float> x = xt::zeros<float>({2, 3});
    CHECK_THROWS_AS(m.forward(x, nn::mode::infer), state_error);  // not compiled
    m.compile(1);
    CHECK_THROWS_AS(m.add(nn::dense<float>(2)), state_error);
    tensor<float> bad = xt::zeros<float>({2, 4});
    CHECK_THROWS_AS(m.forward(bad, nn::mode::infer), shape_error);
    nn::sequential<float> m2({3});
    CHECK_THROWS_AS(m2.add(nn::dense<float>(2, nn::activation::relu)).build({3}), state_error);
}

TEST_CASE("summary lists layers, output shapes and the parameter total") {
    nn::sequential<float> m({34});
    m.add(nn::dense<float>(128, nn::activation::relu));
    m.add(nn::dropout<float>(0.5));
    m.add(nn::dense<float>(1, nn::activation::sigmoid));
    m.compile(0);
    const std::string s = m.summary();
    CHECK(s.find("0 (dense)") != std::string::npos);
    CHECK(s.find("(N, 128)") != std::string::npos);
    CHECK(s.find("4,480") != std::string::npos);
    CHECK(s.find("Total params: 4,609") != std::string::npos);
    CHECK(m.parameter_count() == 34 * 128 + 128 + 129);
}

TEST_CASE("fit: validation data, metrics, early stopping, and a non-finite loss") {
    tensor<float> x = xor_x(), y = xor_y();
    auto model = xor_model(2);
    nn::binary_crossentropy<float> loss;
    nn::sgd<float> opt(nn::sgd_options{0.0});  // a zero learning rate never improves
    nn::fit_options<float> o;
    o.epochs = 50;
    o.validation_x = &x;
    o.validation_y = &y;
    o.metrics = {nn::metric::binary_accuracy};
    o.stop.enabled = true;
    o.stop.patience = 3;
    auto h = nn::fit(*model, x, y, loss, opt, o);
    CHECK(h.stopped_early);
    CHECK(h.epochs.size() == 5);  // best at epoch 0, then patience 3 exceeded at epoch 4
    CHECK(h.epochs[0].val_metrics.count("binary_accuracy") == 1);

    tensor<float> y_nan = y;
    y_nan(1, 0) = std::nanf("");
    nn::mean_squared_error<float> mse;
    nn::fit_options<float> one;
    one.batch_size = 4;
    CHECK_THROWS_WITH_AS(nn::fit(*model, x, y_nan, mse, opt, one),
                         doctest::Contains("loss became"), value_error);
    tensor<float> short_y = xt::zeros<float>({3, 1});
    CHECK_THROWS_AS(nn::fit(*model, x, short_y, loss, opt, one), shape_error);

    int calls = 0;
    nn::fit_options<float> cb;
    cb.epochs = 10;
    cb.on_epoch_end = [&](std::size_t epoch) { ++calls; return epoch < 2; };
    CHECK(nn::fit(*model, x, y, loss, opt, cb).epochs.size() == 3);
    CHECK(calls == 3);
}

TEST_CASE("a moved model keeps working: its layers' views still point into its buffer") {
    auto make = [] {
        nn::sequential<double> m({3});
        m.add(nn::dense<double>(4, nn::activation::tanh));
        m.add(nn::dense<double>(1));
        m.compile(5);
        return m;
    };
    nn::sequential<double> moved = make();
    tensor<double> x = {{0.1, 0.2, 0.3}};
    const double y = moved.forward(x, nn::mode::infer)(0, 0);
    auto& d = dynamic_cast<nn::dense<double>&>(moved.at(0));
    CHECK(d.weight().value == moved.store().values());
    moved.store().values()[0] += 1.0;  // the layer sees the change through its view
    CHECK(moved.forward(x, nn::mode::infer)(0, 0) != y);
}

TEST_CASE("rule 7: a model passes 'no input gradient' down to its first layer with parameters") {
    nn::sequential<double> model(shape_t{3});
    auto& scale = model.add(nn::activation_layer<double>(nn::activation::tanh));
    auto& first = model.add(nn::dense<double>(4, nn::activation::relu));
    auto& second = model.add(nn::dense<double>(2));
    model.compile(5);
    CHECK(model.input_grad());
    CHECK(scale.input_grad());
    CHECK(first.input_grad());

    model.set_input_grad(false);
    CHECK_FALSE(scale.input_grad());   // reads the data
    CHECK_FALSE(first.input_grad());   // reads tanh(data): nothing to learn below it
    CHECK(second.input_grad());        // first's weights need dL/d(first's output)

    rng g(2);
    const tensor<double> x = test::random_tensor({5, 3}, g), dy = test::random_tensor({5, 2}, g);
    model.zero_grad();
    model.forward(x, nn::mode::train);
    CHECK(model.backward(dy).size() == 0);
    const std::vector<double> skipped(model.store().grads(), model.store().grads() + model.store().size());

    model.set_input_grad(true);
    CHECK(first.input_grad());
    model.zero_grad();
    model.forward(x, nn::mode::train);
    CHECK(to_shape(model.backward(dy).shape()) == shape_t{5, 3});
    for (std::size_t i = 0; i < skipped.size(); ++i)
        CHECK(model.store().grads()[i] == doctest::Approx(skipped[i]).epsilon(1e-14));

    // fit turns it off while training and restores the caller's setting afterwards.
    nn::mean_squared_error<double> loss;
    nn::sgd<double> opt(nn::sgd_options{0.01});
    nn::fit_options<double> o;
    o.epochs = 1;
    o.batch_size = 5;
    o.verbose = nn::verbosity::silent;
    nn::fit(model, x, test::random_tensor({5, 2}, g), loss, opt, o);
    CHECK(model.input_grad());
    CHECK(first.input_grad());
}

TEST_CASE("rule 8: a layer copies its input unless the caller keeps it; models keep their inner inputs") {
    // A dense layer used alone copies x: backward is right after x is overwritten.
    rng g(4);
    nn::dense<double> alone(3);
    alone.build({2});
    param_store<double> store;
    nn::bind_layers<double>({&alone}, store, g);
    CHECK_FALSE(alone.input_kept());
    tensor<double> x = test::random_tensor({4, 2}, g);
    const tensor<double> x_seen = x, dy = test::random_tensor({4, 3}, g);
    alone.forward(x, nn::mode::train);
    x.fill(123.0);  // the caller reuses its buffer before backward
    store.zero_grad();
    alone.backward(dy);
    // dW = x^T dy with the x of the forward
    for (std::size_t a = 0; a < 2; ++a)
        for (std::size_t u = 0; u < 3; ++u) {
            double expected = 0;
            for (std::size_t r = 0; r < 4; ++r) expected += x_seen(r, a) * dy(r, u);
            CHECK(alone.weight().grad[a * 3 + u] == doctest::Approx(expected).epsilon(1e-14));
        }

    nn::sequential<double> model(shape_t{2});
    auto& first = model.add(nn::dense<double>(4, nn::activation::tanh));
    auto& second = model.add(nn::dense<double>(1));
    model.compile(3);
    CHECK_FALSE(first.input_kept());  // reads the caller's x
    CHECK(second.input_kept());       // reads first's output buffer
    {
        const nn::training_scope<double> scope(model);
        CHECK(first.input_kept());
        CHECK_FALSE(first.input_grad());
    }
    CHECK_FALSE(first.input_kept());
    CHECK(first.input_grad());
}
