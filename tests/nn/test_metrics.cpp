#include <doctest/doctest.h>

#include <cmath>

#include "knit/core/ranking.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/metrics.hpp"
#include "knit/nn/optim/sgd.hpp"
#include "knit/nn/trainer.hpp"
#include "training_test_util.hpp"

using namespace knit;

namespace {
std::unique_ptr<nn::sequential<float>> plain_model(std::size_t outputs) {
    auto m = std::make_unique<nn::sequential<float>>(shape_t{4});
    m->add(nn::dense<float>(8, nn::activation::tanh));
    m->add(nn::dense<float>(outputs, nn::activation::sigmoid));
    m->compile(3);
    return m;
}
// Every element as one decision, as the ranking metrics see them.
std::pair<std::vector<double>, std::vector<int>> flatten(const tensor<float>& p, const tensor<float>& y) {
    std::vector<double> s(p.begin(), p.end());
    std::vector<int> l;
    for (float v : y) l.push_back(v > 0.5f ? 1 : 0);
    return {s, l};
}
}  // namespace

TEST_CASE("roc_auc and average_precision in evaluate() and fit() are knit::ranking's over every element") {
    const auto d = test::two_class_data(70, 1);
    auto model = plain_model(1);
    nn::binary_crossentropy<float> loss;
    const std::vector<nn::metric> ranking{nn::metric::roc_auc, nn::metric::average_precision};
    const auto e = nn::evaluate(*model, d.x, d.y, loss, ranking, 16);  // pooled over 5 batches
    const auto [scores, labels] = flatten(nn::predict(*model, d.x), d.y);
    CHECK(e.metrics.at("roc_auc") == knit::ranking::roc_auc(scores, labels));
    CHECK(e.metrics.at("average_precision") == knit::ranking::average_precision(scores, labels));
    CHECK(e.metrics.at("roc_auc") > 0.3);  // a real number, not a default
    CHECK(e.metrics.at("roc_auc") < 0.95);

    // Training-batch metrics pool the epoch's predictions; with a zero learning rate and
    // no dropout they equal the inference ones, and validation reports the same again.
    nn::sgd<float> frozen(nn::sgd_options{0.0});
    nn::fit_options<float> o;
    o.batch_size = 16;
    o.metrics = ranking;
    o.validation_x = &d.x;
    o.validation_y = &d.y;
    o.verbose = nn::verbosity::silent;
    const auto h = nn::fit(*model, d.x, d.y, loss, frozen, o);
    CHECK(h.epochs[0].metrics.at("roc_auc") == e.metrics.at("roc_auc"));
    CHECK(h.epochs[0].val_metrics.at("average_precision") == e.metrics.at("average_precision"));

    // Several outputs: every element of the (N, 3) prediction is one decision.
    auto wide = plain_model(3);
    tensor<float> y3 = tensor<float>::from_shape({70, 3});
    for (std::size_t i = 0; i < 70; ++i)
        for (std::size_t j = 0; j < 3; ++j) y3(i, j) = float((i + j) % 3 == 0);
    const auto [s3, l3] = flatten(nn::predict(*wide, d.x), y3);
    CHECK(nn::evaluate(*wide, d.x, y3, loss, ranking).metrics.at("roc_auc") == knit::ranking::roc_auc(s3, l3));
}

TEST_CASE("ranking metrics are NaN where undefined; accuracies still pool as counts") {
    const auto d = test::two_class_data(20, 2);
    auto model = plain_model(1);
    nn::binary_crossentropy<float> loss;
    const tensor<float> ones = xt::ones<float>({20, 1});
    const auto e = nn::evaluate(*model, d.x, ones, loss, {nn::metric::roc_auc, nn::metric::average_precision});
    CHECK(std::isnan(e.metrics.at("roc_auc")));             // one class only
    CHECK_FALSE(std::isnan(e.metrics.at("average_precision")));  // AP needs positives only
    const tensor<float> zeros = xt::zeros<float>({20, 1});
    CHECK(std::isnan(nn::evaluate(*model, d.x, zeros, loss, {nn::metric::average_precision}).metrics.at("average_precision")));

    auto column = [](std::vector<float> v) {
        tensor<float> t = tensor<float>::from_shape({v.size(), 1});
        std::copy(v.begin(), v.end(), t.begin());
        return t;
    };
    nn::metric_accumulator<float> acc(nn::metric::binary_accuracy);
    acc.add(column({0.9f, 0.1f}), column({1.f, 1.f}));
    acc.add(column({0.2f}), column({0.f}));
    CHECK(acc.result() == doctest::Approx(2.0 / 3));
    nn::metric_accumulator<float> auc(nn::metric::roc_auc);
    auc.add(column({0.9f, std::nanf("")}), column({1.f, 0.f}));
    CHECK(std::isnan(auc.result()));
    CHECK_THROWS_AS(nn::metric_counts(nn::metric::roc_auc, ones, ones), value_error);
    CHECK(nn::to_string(nn::metric::average_precision) == "average_precision");
}
