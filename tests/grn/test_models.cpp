#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "knit/core/error.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/grn/models/ae_nn.hpp"
#include "knit/grn/models/cnn.hpp"
#include "knit/grn/models/rnn.hpp"
#include "knit/grn/protocol.hpp"
#include "knit/nn/dropout.hpp"
#include "support/dream4.hpp"
#include "support/gradcheck.hpp"

using namespace knit;
using namespace knit::grn;

namespace {
// A small network with a planted chain: G(k+1) copies G(k) one step later, plus a little
// noise. Negatives include the reversed pairs and the two-step (indirect) pairs.
constexpr std::size_t chain = 5;
time_series_data toy_series(std::size_t genes, std::size_t experiments, std::uint64_t seed) {
    rng g(seed);
    time_series_data d;
    for (std::size_t i = 0; i < genes; ++i) d.genes.push_back("G" + std::to_string(i + 1));
    for (std::size_t e = 0; e < experiments; ++e) {
        time_series_experiment ex;
        ex.values = tensor<double>::from_shape({21, genes});
        for (std::size_t t = 0; t < 21; ++t) {
            ex.times.push_back(50.0 * double(t));
            for (std::size_t k = 0; k < genes; ++k) ex.values(t, k) = g.uniform(0, 1);
            if (t > 0)
                for (std::size_t k = 1; k < chain; ++k) {
                    const double prev = ex.values(t - 1, k - 1);
                    ex.values(t, k) = prev + 0.02 * g.normal();
                }
        }
        d.experiments.push_back(ex);
    }
    return d;
}
gold_standard toy_gold(const time_series_data& d) {
    gold_standard gs(d.genes);
    for (std::size_t k = 1; k < chain; ++k) gs.add_edge(k - 1, k, +1);
    return gs;
}

void check_model_gradients(nn::sequential<double>& net, const shape_t& input, std::size_t per_view, std::uint64_t seed) {
    rng g(seed);
    net.build(net.declared_input_shape());
    param_store<double> store;
    nn::bind_layers<double>({&net}, store, g);
    for (std::size_t i = 0; i < net.size(); ++i)
        if (auto* d = dynamic_cast<nn::dropout<double>*>(&net.at(i))) d->freeze_mask(true);
    // Zero biases put a ReLU unit whose inputs are all zero exactly on its kink; random
    // biases keep every unit off it, as trained networks are.
    for (const auto& view : store.views())
        if (view.name.size() >= 4 && view.name.compare(view.name.size() - 4, 4, "bias") == 0)
            for (std::size_t k = 0; k < view.size; ++k) view.value[k] = g.uniform(-0.2, 0.2);
    test::gradcheck_options o;
    o.max_elements_per_view = per_view;
    auto r = test::check_layer_gradients(net, store, test::random_tensor(with_batch(2, input), g, 0, 1), g, o);
    INFO(r.worst);
    CHECK(r.ok());
    CHECK(r.checked > 0);
}
}  // namespace

TEST_CASE("the paper's models have the paper's parameter counts") {
    CHECK(rnn_model::build<float>({}, 21, 0)->parameter_count() == 2038);
    CHECK(cnn_model::build<float>(21)->parameter_count() == 44162);
    CHECK(ae_nn_model::build_autoencoder<float>(21, 3)->model().parameter_count() == 7192);
    CHECK(ae_nn_model::build_classifier<float>(3)->parameter_count() == 107665);
    auto rnn = rnn_model::build<float>({}, 21, 0);
    rnn->compile(1);
    CHECK(rnn->summary().find("Total params: 2,038") != std::string::npos);
    auto cnn = cnn_model::build<float>(21);
    cnn->compile(1);
    const std::string s = cnn->summary();
    CHECK(s.find("Total params: 44,162") != std::string::npos);
    CHECK(s.find("(N, 180)") != std::string::npos);  // Flatten(180)
    CHECK(make_pair_model("ae-nn")->parameter_count() == 7192 + 107665);
    CHECK_THROWS_AS(make_pair_model("svm"), value_error);
}

TEST_CASE("each model's network passes an end-to-end gradient check in double") {
    auto rnn = rnn_model::build<double>({}, 21, 3);
    check_model_gradients(*rnn, {21, 2}, 0, 1);  // every parameter element
    auto cnn = cnn_model::build<double>(21);
    check_model_gradients(*cnn, {1, 4, 24}, 40, 2);  // 40 per tensor, all tensors
    auto cls = ae_nn_model::build_classifier<double>(3);
    check_model_gradients(*cls, {6}, 40, 3);
    auto ae = ae_nn_model::build_autoencoder<double>(21, 3);
    check_model_gradients(ae->model(), {21}, 0, 4);
}

TEST_CASE("the models learn a planted rule, score deterministically and round-trip through files") {
    const time_series_data data = toy_series(7, 40, 1);
    pair_records records(data, toy_gold(data));
    const auto all = records.all_indices();
    std::vector<std::size_t> train;
    for (std::size_t i : all)
        if (records.record(i).experiment < 28) train.push_back(i);
    std::vector<std::size_t> test;
    for (std::size_t i : all)
        if (records.record(i).experiment >= 28) test.push_back(i);
    rng g(5);
    const auto balanced = balance_records(records, train, g, 3.0);

    rnn_settings rs;
    rs.epochs = 60;
    cnn_settings cs;
    cs.epochs = 1;  // 50 full-batch updates
    ae_nn_settings as;
    as.autoencoder_epochs = 10;
    as.epochs = 10;
    std::vector<std::unique_ptr<pair_model>> models;
    models.push_back(std::make_unique<rnn_model>(rs));
    models.push_back(std::make_unique<cnn_model>(cs));
    models.push_back(std::make_unique<ae_nn_model>(as));
    const std::string path = (std::filesystem::temp_directory_path() / "knit_test_model.knit").string();
    for (auto& m : models) {
        CAPTURE(m->name());
        m->fit(records, balanced, {7});
        const auto scores = m->score(records, test);
        REQUIRE(scores.size() == test.size());
        std::vector<int> labels;
        for (std::size_t i : test) labels.push_back(records.label(i));
        const double auc = roc_auc(scores, labels);
        MESSAGE(m->name() << " toy AUROC " << auc);
        // The planted one-step lag is visible to the LSTM and to the CNN's 2x3 kernels. The
        // AE-NN codes each series on its own, so the lag between two series is lost: no
        // claim for it here beyond training and scoring (its learning is asserted in the
        // next test case, on a rule it can see).
        if (m->name() != "ae-nn") CHECK(auc > 0.8);
        // Records enough for several chunks of every model (2,048 to 8,192 records a chunk),
        // scored as 2 and 3 parallel tasks: the scores of one, bit for bit, each in its
        // record's place (copy k of the test records scores as the test records did).
        std::vector<std::size_t> many;
        for (int copy = 0; copy < 20; ++copy) many.insert(many.end(), test.begin(), test.end());
        const auto serial = m->score(records, many);
        for (std::size_t threads : {2u, 3u}) {
            CAPTURE(threads);
            CHECK(m->score(records, many, {threads}) == serial);
        }
        double moved = 0;
        for (std::size_t i = 0; i < many.size(); ++i) moved = std::max(moved, std::abs(serial[i] - scores[i % test.size()]));
        CHECK(moved < 1e-5);
        CHECK_THROWS_AS(m->score(records, test, {0}), value_error);
        m->save(path);
        auto again = load_pair_model(path);
        CHECK(again->name() == m->name());
        CHECK(again->score(records, test) == scores);
    }
    // The same seed trains to the same scores.
    rnn_model a(rs), b(rs);
    a.fit(records, balanced, {11});
    b.fit(records, balanced, {11});
    CHECK(a.score(records, test) == b.score(records, test));
    std::filesystem::remove(path);
    rnn_model untrained;
    CHECK_THROWS_AS(untrained.score(records, test), state_error);
    CHECK_THROWS_AS(untrained.save(path), state_error);
}

TEST_CASE("the AE-NN learns a rule it can see in each series alone, well above chance") {
    // The AE-NN codes every series on its own, so its rule must live in single series:
    // regulators G1-G3 rise, targets G4-G6 fall, G7-G10 are noise, and the edges are the
    // nine regulator -> target pairs. Negatives include target -> regulator, regulator ->
    // regulator and every pair with a noise gene.
    constexpr std::size_t genes = 10, experiments = 40;
    rng g(21);
    time_series_data d;
    for (std::size_t i = 0; i < genes; ++i) d.genes.push_back("G" + std::to_string(i + 1));
    for (std::size_t e = 0; e < experiments; ++e) {
        time_series_experiment ex;
        ex.values = tensor<double>::from_shape({21, genes});
        for (std::size_t k = 0; k < genes; ++k) {
            const double amplitude = g.uniform(0.5, 1.0);
            for (std::size_t t = 0; t < 21; ++t) {
                const double ramp = amplitude * double(t) / 20.0;
                ex.values(t, k) = k < 3 ? ramp + 0.05 * g.uniform(0, 1)
                                : k < 6 ? amplitude - ramp + 0.05 * g.uniform(0, 1)
                                        : g.uniform(0, 1);
            }
        }
        for (std::size_t t = 0; t < 21; ++t) ex.times.push_back(10.0 * double(t));
        d.experiments.push_back(ex);
    }
    gold_standard gs(d.genes);
    for (std::size_t r = 0; r < 3; ++r)
        for (std::size_t t = 3; t < 6; ++t) gs.add_edge(r, t, +1);
    pair_records records(d, gs);
    std::vector<std::size_t> train, test;
    for (std::size_t i : records.all_indices()) (records.record(i).experiment < 28 ? train : test).push_back(i);
    rng split(5);
    const auto balanced = balance_records(records, train, split, 3.0);
    ae_nn_settings as;
    as.autoencoder_epochs = 10;
    as.epochs = 10;
    ae_nn_model m(as);
    m.fit(records, balanced, {7});
    const auto scores = m.score(records, test);
    std::vector<int> labels;
    for (std::size_t i : test) labels.push_back(records.label(i));
    const double auc = roc_auc(scores, labels), ap = average_precision(scores, labels);
    MESSAGE("AE-NN, rising regulators and falling targets: AUROC " << auc << ", AP " << ap);
    // Chance: AUROC 0.5, AP 9/90 = 0.1 (measured at 1fd2eec: 0.97 and 0.68).
    CHECK(auc > 0.9);
    CHECK(ap > 0.4);
}

KNIT_DREAM4_TEST_CASE("a short RNN run on DREAM4 network 1 lifts seed-protocol AUROC above 0.75") {
    const std::string dir = test::dream4_dir().value();
    const auto data = read_time_series(dream4_path(dir, 100, 1, dream4_file::time_series));
    const auto gs = read_gold_standard(dream4_path(dir, 100, 1, dream4_file::gold_standard), data.genes);
    pair_records records(data, gs);
    const record_split split = seed_protocol_split(records, 0, 1);
    CHECK(split.train.size() == 2816);
    CHECK(split.test.size() == 704);  // the paper's test-set size for network 1
    rnn_settings s;
    s.epochs = 8;
    rnn_model m(s);
    m.fit(records, split.train, {1});
    const auto scores = m.score(records, split.test);
    std::vector<int> labels;
    for (std::size_t i : split.test) labels.push_back(records.label(i));
    const double auc = roc_auc(scores, labels);
    MESSAGE("RNN, 8 epochs, seed protocol, network 1: AUROC " << auc);
    // 0.80 at 3759e5a (the standard schedule gives 0.841 on network 1, docs/results.md); chance is 0.5.
    CHECK(auc > 0.75);
}
