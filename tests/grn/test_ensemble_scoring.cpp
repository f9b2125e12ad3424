// score_pair_rows and pair_model::score_all_pairs: the same scores, bit for bit, for every
// thread count; the scores of one forward pass over all rows up to the products' last bits
// (bit for bit with a single block); and the whole-network models' score_all_pairs is the
// pair score score() gives each of the pair's records.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/core/random.hpp"
#include "knit/grn/models/context_mlp.hpp"
#include "knit/grn/models/ensemble_scoring.hpp"
#include "knit/grn/models/evidence_mlp.hpp"
#include "knit/grn/pairs.hpp"
#include "knit/nn/dense.hpp"
#include "support/simulated.hpp"
#include "support/tensors.hpp"

using namespace knit;
using namespace knit::grn;
using knit::test::differing;

namespace {

constexpr std::size_t features = 6;

std::unique_ptr<nn::sequential<float>> small_member() {
    auto net = std::make_unique<nn::sequential<float>>(shape_t{features});
    net->add(nn::dense<float>(5, nn::activation::relu));
    net->add(nn::dense<float>(1, nn::activation::sigmoid));
    return net;
}

// The pair-model scores through the records: score() on every record, mean per pair.
tensor<double> through_records(pair_model& model, const experiment_set& data) {
    pair_records records;
    records.add_network(data, gold_standard(data.genes));
    const auto all = records.all_indices();
    return pair_score_matrix(records, 0, aggregate_pair_scores(records, all, model.score(records, all)));
}

}  // namespace

TEST_CASE("score_pair_rows equals one forward pass over all rows for every block size and thread count") {
    const std::size_t genes = 13, rows = genes * genes;
    rng g(7);
    tensor<float> table = tensor<float>::from_shape({rows, features});
    for (auto& v : table) v = float(g.normal());
    std::vector<std::unique_ptr<nn::sequential<float>>> members;
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        members.push_back(small_member());
        members.back()->compile(seed);
    }
    // The reference: each member over the whole table at once, added in member order.
    tensor<double> reference = xt::zeros<double>({genes, genes});
    for (auto& m : members) {
        const tensor<float>& p = m->forward(table, nn::mode::infer);
        for (std::size_t r = 0; r < genes; ++r)
            for (std::size_t t = 0; t < genes; ++t)
                if (r != t) reference(r, t) += double(p(r * genes + t, 0)) / 3.0;
    }
    const feature_fill fill = [&](std::size_t begin, std::size_t end, float* out) {
        for (std::size_t i = begin * features; i < end * features; ++i) *out++ = table.data()[i];
    };
    for (std::size_t block : {std::size_t(1), std::size_t(7), std::size_t(64), rows, rows + 5}) {
        const tensor<double> serial = score_pair_rows(members, genes, features, fill, small_member, {1, block});
        for (std::size_t d = 0; d < genes; ++d) CHECK(serial(d, d) == 0.0);
        for (std::size_t threads : {2u, 3u}) {
            INFO("block " << block << ", threads " << threads);
            CHECK(differing(score_pair_rows(members, genes, features, fill, small_member, {threads, block}), serial) == 0);
        }
        INFO("block " << block);
        // One block is one pass, bit for bit. Smaller blocks may move a last float bit
        // (OpenBLAS picks its kernels by the product's size), no more.
        if (block >= rows) CHECK(differing(serial, reference) == 0);
        else CHECK(xt::amax(xt::abs(serial - reference))() < 1e-6);
    }
    // Units of several blocks per fill() call: the same scores, bit for bit.
    pair_scoring_options grouped{2, 7};
    grouped.fill_blocks = 3;
    CHECK(differing(score_pair_rows(members, genes, features, fill, small_member, grouped),
                    score_pair_rows(members, genes, features, fill, small_member, {1, 7})) == 0);
    // Some regulators' rows, in list order with a repeat: (R, G), each row the regulator's.
    // One row per block on both sides, so every row is the same one-row pass.
    const std::vector<std::size_t> chosen{5, 2, 5};
    const feature_fill chosen_fill = [&](std::size_t begin, std::size_t end, float* out) {
        for (std::size_t row = begin; row < end; ++row)
            for (std::size_t f = 0; f < features; ++f)
                *out++ = table.data()[(chosen[row / genes] * genes + row % genes) * features + f];
    };
    const tensor<double> one_row_each = score_pair_rows(members, genes, features, fill, small_member, {1, 1});
    pair_scoring_options some_options{2, 1};
    some_options.fill_blocks = 4;
    const tensor<double> some = score_pair_rows(members, chosen, genes, features, chosen_fill, small_member, some_options);
    REQUIRE(some.shape(0) == 3);
    REQUIRE(some.shape(1) == genes);
    std::size_t moved = 0;
    for (std::size_t i = 0; i < chosen.size(); ++i)
        for (std::size_t t = 0; t < genes; ++t) moved += some(i, t) != one_row_each(chosen[i], t);
    CHECK(moved == 0);
    CHECK(some(0, 5) == 0.0);
    CHECK(some(1, 2) == 0.0);
    CHECK_THROWS_AS(score_pair_rows(members, std::vector<std::size_t>{genes}, genes, features, chosen_fill, small_member),
                    value_error);

    // Scores are probabilities and vary from pair to pair: the test would see a row mix-up.
    CHECK(xt::amax(reference)() < 1.0);
    CHECK(xt::amax(reference)() - xt::amin(reference + xt::eye<double>(genes))() > 0.05);

    CHECK_THROWS_AS(score_pair_rows({}, genes, features, fill, small_member), state_error);
    CHECK_THROWS_AS(score_pair_rows(members, genes, features, fill, small_member, {0, 8}), value_error);
    CHECK_THROWS_AS(score_pair_rows(members, genes, features, fill, small_member, {1, 0}), value_error);
}

TEST_CASE("context-mlp and evidence-mlp: score_all_pairs is score()'s pair score, the same on 1 and 2 threads") {
    test::simulated train = test::simulate_network_data(611, 12);
    test::simulated other = test::simulate_network_data(612, 14);
    pair_records records;
    records.add_network(train.data, train.gold);
    const auto all = records.all_indices();

    // Three members: a member's share p / 3 is inexact, so the pair score carries all 53
    // bits and the mean over a pair's E equal record scores may round it (below).
    context_mlp_model context;
    context.configure("ensemble", "3");
    context.configure("epochs", "2");
    context.configure("hidden", "4");
    context.fit(records, all, {5});
    evidence_mlp_model evidence;
    evidence.configure("ensemble", "3");
    evidence.configure("epochs", "2");
    evidence.configure("hidden", "6");
    evidence.fit(records, all, {5});

    pair_records scored;
    scored.add_network(other.data, gold_standard(other.data.genes));
    for (pair_model* model : {static_cast<pair_model*>(&context), static_cast<pair_model*>(&evidence)}) {
        INFO(model->name());
        const tensor<double> serial = model->score_all_pairs(other.data, {1, pair_scoring_options{}.block_rows});
        // score() gives every record of a pair the pair's score, through the same blocks.
        const std::vector<double> per_record = model->score(scored, scored.all_indices());
        std::size_t mismatched = 0;
        for (std::size_t i = 0; i < per_record.size(); ++i) {
            const pair_record r = scored.record(i);
            mismatched += per_record[i] != serial(r.regulator, r.target);
        }
        CHECK(mismatched == 0);
        // The record path's mean over the E copies: the same up to its rounding.
        CHECK(xt::amax(xt::abs(through_records(*model, other.data) - serial))() <= 4.5e-16);
        for (std::size_t threads : {1u, 2u})
            for (std::size_t block : {std::size_t(5), std::size_t(64), pair_scoring_options{}.block_rows}) {
                INFO("threads " << threads << ", block " << block);
                const tensor<double> got = model->score_all_pairs(other.data, {threads, block});
                if (block == pair_scoring_options{}.block_rows) CHECK(differing(got, serial) == 0);
                else CHECK(xt::amax(xt::abs(got - serial))() < 1e-6);
            }
        CHECK(xt::amax(serial)() > xt::amin(serial + xt::eye<double>(14))());
    }
    // context-mlp reads time series: a set without them is refused, naming them.
    experiment_set steady = other.data.restricted_to({experiment_kind::knockouts});
    CHECK_THROWS_AS(context.score_all_pairs(steady), value_error);
}
