#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "knit/nn/autoencoder.hpp"
#include "knit/nn/branches.hpp"
#include "knit/nn/dense.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/serialize.hpp"
#include "support/contract.hpp"
#include "support/gradcheck.hpp"

using namespace knit;

namespace {
template <class T>
std::unique_ptr<nn::branches<T>> two_branches(std::size_t hidden) {
    auto b = std::make_unique<nn::branches<T>>();
    b->add_branch(0, 3).add(nn::dense<T>(hidden, nn::activation::tanh));
    auto& right = b->add_branch(2, 5);  // overlaps the left branch in column 2
    right.add(nn::dense<T>(hidden, nn::activation::relu));
    right.add(nn::dense<T>(2, nn::activation::sigmoid));
    return b;
}

// The paper's AE-NN (REFERENCE §3): two branches of Dense 256-128-64-32-32 over the 3-D
// codes of regulator and target, concatenated, then 200-20-1.
template <class T>
void build_ae_nn(nn::sequential<T>& m) {
    auto b = std::make_unique<nn::branches<T>>();
    for (std::size_t side = 0; side < 2; ++side) {
        auto& branch = b->add_branch(3 * side, 3 * side + 3);
        for (std::size_t units : {256, 128, 64, 32, 32}) branch.add(nn::dense<T>(units, nn::activation::relu));
    }
    m.add(std::unique_ptr<nn::layer<T>>(std::move(b)));
    m.add(nn::dense<T>(200, nn::activation::relu));
    m.add(nn::dense<T>(20, nn::activation::relu));
    m.add(nn::dense<T>(1, nn::activation::sigmoid));
}

// The paper's autoencoder: 21 -> 64 -> 32 -> 3 (relu code) -> 32 -> 64 -> 21 tanh.
template <class T>
nn::autoencoder<T> paper_autoencoder() {
    auto enc = std::make_unique<nn::sequential<T>>(shape_t{21});
    enc->add(nn::dense<T>(64, nn::activation::relu));
    enc->add(nn::dense<T>(32, nn::activation::relu));
    enc->add(nn::dense<T>(3, nn::activation::relu));
    auto dec = std::make_unique<nn::sequential<T>>(shape_t{3});
    dec->add(nn::dense<T>(32, nn::activation::relu));
    dec->add(nn::dense<T>(64, nn::activation::relu));
    dec->add(nn::dense<T>(21, nn::activation::tanh));
    return nn::autoencoder<T>(std::move(enc), std::move(dec));
}
}  // namespace

TEST_CASE("branches pass the gradient check, with overlapping column slices") {
    rng g(3);
    auto b = two_branches<double>(4);
    CHECK(b->build({5}) == shape_t{6});
    param_store<double> store;
    nn::bind_layers<double>({b.get()}, store, g);
    CHECK(store.views().front().name == "0.branches.0.0.dense.weight");
    auto r = test::check_layer_gradients(*b, store, test::random_tensor({3, 5}, g), g);
    INFO(r.worst);
    CHECK(r.checked == store.size() + 15);
    CHECK(r.ok());
}

TEST_CASE("branches keep the layer contract and refuse bad column ranges") {
    test::check_layer_contract([] { return two_branches<double>(3); }, {5});
    nn::branches<double> empty;
    CHECK_THROWS_AS(empty.build({4}), state_error);
    nn::branches<double> wide;
    wide.add_branch(0, 6).add(nn::dense<double>(2));
    CHECK_THROWS_AS(wide.build({4}), shape_error);
    CHECK_THROWS_AS(wide.add_branch(3, 3), value_error);
}

TEST_CASE("a two-branch network learns a task that needs both inputs") {
    // Label: do vectors a and b have sums of the same sign? Neither half alone says.
    const std::size_t n = 2000;
    rng g(12);
    tensor<float> x = tensor<float>::from_shape({n, 6}), y = tensor<float>::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) {
        float sa = 0, sb = 0;
        for (std::size_t j = 0; j < 3; ++j) sa += (x(i, j) = float(g.uniform(-1, 1)));
        for (std::size_t j = 3; j < 6; ++j) sb += (x(i, j) = float(g.uniform(-1, 1)));
        y(i, 0) = (sa > 0) == (sb > 0) ? 1.f : 0.f;
    }
    nn::sequential<float> model({6});
    auto b = std::make_unique<nn::branches<float>>();
    b->add_branch(0, 3).add(nn::dense<float>(8, nn::activation::tanh));
    b->add_branch(3, 6).add(nn::dense<float>(8, nn::activation::tanh));
    model.add(std::unique_ptr<nn::layer<float>>(std::move(b)));
    model.add(nn::dense<float>(16, nn::activation::tanh));
    model.add(nn::dense<float>(1, nn::activation::sigmoid));
    model.compile(4);
    nn::binary_crossentropy<float> loss;
    nn::adam<float> opt(nn::adam_options{0.01});
    nn::fit_options<float> o;
    o.epochs = 40;
    o.batch_size = 32;
    o.validation_split = 0.2;
    o.metrics = {nn::metric::binary_accuracy};
    auto h = nn::fit(model, x, y, loss, opt, o);
    CHECK(h.epochs.front().val_metrics.at("binary_accuracy") < 0.8);
    CHECK(h.epochs.back().val_metrics.at("binary_accuracy") >= 0.93);
}

TEST_CASE("the autoencoder compresses noisy curves through a 3-D code") {
    // Curves with two latent factors (frequency, phase) plus noise, 21 points each.
    const std::size_t n = 800;
    rng g(21);
    tensor<float> x = tensor<float>::from_shape({n, 21});
    for (std::size_t i = 0; i < n; ++i) {
        const double freq = g.uniform(0.5, 1.5), phase = g.uniform(0, 3);
        for (std::size_t t = 0; t < 21; ++t) x(i, t) = float(0.8 * std::sin(freq * 0.3 * double(t) + phase) + 0.03 * g.normal());
    }
    auto ae = paper_autoencoder<float>();
    ae.compile(2);
    nn::mean_squared_error<float> mse;
    const double before = nn::evaluate(ae.model(), x, x, mse).loss;
    nn::adam<float> opt(nn::adam_options{2e-3});
    nn::fit_options<float> o;
    o.epochs = 60;
    o.batch_size = 32;
    auto h = ae.fit(x, mse, opt, o);
    const double after = nn::evaluate(ae.model(), x, x, mse).loss;
    CHECK(before > 0.2);
    CHECK(after < 0.15 * before);
    CHECK(h.epochs.back().loss < h.epochs.front().loss);

    const tensor<float> codes = ae.encode(x);
    CHECK(to_shape(codes.shape()) == shape_t{n, 3});
    // encode then decode is what reconstruct does in one go.
    const tensor<float> via_codes = ae.decode(codes), direct = ae.reconstruct(x);
    CHECK(via_codes == direct);

    // Save/load covers both halves.
    const std::string path = (std::filesystem::temp_directory_path() / "knit_test_ae.knit").string();
    nn::save(ae.model(), path);
    auto other = paper_autoencoder<float>();
    other.compile(99);
    nn::load(other.model(), path);
    CHECK(other.encode(x) == codes);
    std::filesystem::remove(path);
}

TEST_CASE("autoencoder refuses halves that do not fit together") {
    auto enc = std::make_unique<nn::sequential<double>>(shape_t{5});
    enc->add(nn::dense<double>(2));
    auto dec = std::make_unique<nn::sequential<double>>(shape_t{3});
    dec->add(nn::dense<double>(5));
    CHECK_THROWS_AS(nn::autoencoder<double>(std::move(enc), std::move(dec)), shape_error);
}

TEST_CASE("summary reproduces the paper's parameter counts for the autoencoder and AE-NN") {
    auto ae = paper_autoencoder<float>();
    ae.compile(1);
    CHECK(ae.model().parameter_count() == 7192);
    CHECK(ae.model().summary().find("Total params: 7,192") != std::string::npos);

    nn::sequential<float> ae_nn({6});
    build_ae_nn(ae_nn);
    ae_nn.compile(1);
    CHECK(ae_nn.parameter_count() == 107665);
    const std::string s = ae_nn.summary();
    CHECK(s.find("Total params: 107,665") != std::string::npos);
    CHECK(s.find("0 (branches)") != std::string::npos);
    CHECK(s.find("(N, 64)") != std::string::npos);  // the concatenated branch outputs
}
