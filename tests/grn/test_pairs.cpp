// Pair records: indexing, direction-aware labels, materialised layouts, balancing and
// pair-level aggregation.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "knit/core/error.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/pairs.hpp"
#include "support/dream4.hpp"
#include "support/series.hpp"

using namespace knit;
using namespace knit::grn;

namespace {

// value(e, k, g) = 100 e + 10 k + g: every element says where it came from.
time_series_data coded_series(std::size_t genes, std::size_t experiments, std::size_t steps) {
    return test::make_series(genes, experiments, steps,
                             [](std::size_t e, std::size_t k, std::size_t g) { return 100.0 * e + 10.0 * k + g; });
}

gold_standard small_gs() {
    gold_standard gs({"G1", "G2", "G3"});
    gs.add_edge(0, 1, +1);  // G1 -> G2 activation
    gs.add_edge(2, 0, -1);  // G3 -> G1 repression
    return gs;
}

}  // namespace

TEST_CASE("pair records: index order, round trip, direction-aware labels") {
    const pair_records records(coded_series(3, 2, 4), small_gs());
    REQUIRE(records.size() == 3 * 2 * 2);
    CHECK(records.network_count() == 1);
    CHECK(records.time_points() == 4);
    CHECK(records.positives() == 4);  // 2 edges x 2 experiments
    // Order: regulator, then target (skipping it), then experiment.
    const std::vector<std::array<std::size_t, 3>> expected = {
        {0, 1, 0}, {0, 1, 1}, {0, 2, 0}, {0, 2, 1}, {1, 0, 0}, {1, 0, 1},
        {1, 2, 0}, {1, 2, 1}, {2, 0, 0}, {2, 0, 1}, {2, 1, 0}, {2, 1, 1}};
    for (std::size_t i = 0; i < records.size(); ++i) {
        const pair_record r = records.record(i);
        CHECK(r.regulator == expected[i][0]);
        CHECK(r.target == expected[i][1]);
        CHECK(r.experiment == expected[i][2]);
        CHECK(records.index_of(r) == i);
    }
    // G1 -> G2 is an edge, G2 -> G1 is not; G3 -> G1 is, G1 -> G3 is not.
    CHECK(records.label(0));
    CHECK(records.sign(0) == 1);
    CHECK_FALSE(records.label(4));
    CHECK(records.label(8));
    CHECK(records.sign(8) == -1);
    CHECK_FALSE(records.label(2));
    CHECK(records.sign(2) == 0);
    CHECK_THROWS_AS(records.record(12), value_error);
    CHECK_THROWS_AS(records.index_of({0, 1, 1, 0}), value_error);  // a self pair
}

TEST_CASE("pair records: the three layouts hold [x_r(p); x_t(p)]") {
    const pair_records records(coded_series(3, 2, 4), small_gs());
    const std::vector<std::size_t> pick = {9, 0, 6};  // (2,0,1), (0,1,0), (1,2,0)
    tensor<double> a, b, c;
    records.gather(pick, 0, 3, record_layout::series_by_time, a);
    records.gather(pick, 0, 3, record_layout::time_by_series, b);
    records.gather(pick, 0, 3, record_layout::image, c);
    REQUIRE(to_shape(a.shape()) == shape_t{3, 2, 4});
    REQUIRE(to_shape(b.shape()) == shape_t{3, 4, 2});
    REQUIRE(to_shape(c.shape()) == shape_t{3, 1, 2, 4});
    for (std::size_t n = 0; n < 3; ++n) {
        const pair_record r = records.record(pick[n]);
        for (std::size_t k = 0; k < 4; ++k) {
            const double xr = 100.0 * r.experiment + 10.0 * k + r.regulator;
            const double xt = 100.0 * r.experiment + 10.0 * k + r.target;
            CHECK(a(n, 0, k) == xr);
            CHECK(a(n, 1, k) == xt);
            CHECK(b(n, k, 0) == xr);
            CHECK(b(n, k, 1) == xt);
            CHECK(c(n, 0, 0, k) == xr);
            CHECK(c(n, 0, 1, k) == xt);
        }
    }
    // A sub-range, in float, into a buffer of the right shape keeps the buffer.
    tensor<float> f = tensor<float>::from_shape({1, 4, 2});
    const float* storage = f.data();
    records.gather(pick, 2, 3, record_layout::time_by_series, f);
    CHECK(f.data() == storage);
    CHECK(f(0, 3, 0) == 31.0f);  // G2 at k = 3 in experiment 0
    CHECK(f(0, 3, 1) == 32.0f);
    tensor<double> y, y2;
    records.gather_labels(pick, 0, 3, y);
    records.gather_labels(pick, 0, 3, y2, true);
    REQUIRE(to_shape(y.shape()) == shape_t{3, 1});
    REQUIRE(to_shape(y2.shape()) == shape_t{3, 2});
    const double labels[] = {1, 1, 0};
    for (std::size_t n = 0; n < 3; ++n) {
        CHECK(y(n, 0) == labels[n]);
        CHECK(y2(n, 0) == 1 - labels[n]);
        CHECK(y2(n, 1) == labels[n]);
    }
    CHECK_THROWS_AS(records.gather(pick, 2, 4, record_layout::image, a), value_error);
}

TEST_CASE("pair records: gene alignment and shape checks") {
    // The data's gene order rules; the gold standard is matched by name.
    time_series_data d = coded_series(3, 1, 2);
    std::swap(d.genes[0], d.genes[1]);  // column 0 is now "G2"
    const pair_records records(d, small_gs());
    // Record (0 -> 1) is G2 -> G1: not an edge. (1 -> 0) is G1 -> G2: an edge.
    CHECK_FALSE(records.label(records.index_of({0, 0, 1, 0})));
    CHECK(records.label(records.index_of({0, 1, 0, 0})));

    time_series_data other = coded_series(3, 1, 2);
    other.genes[2] = "X";
    pair_records r2;
    CHECK_THROWS_AS(r2.add_network(other, small_gs()), value_error);
    r2.add_network(coded_series(3, 1, 2), small_gs());
    const std::size_t second = r2.add_network(coded_series(3, 3, 2), small_gs());
    CHECK(second == 1);
    CHECK(r2.size() == 6 + 18);
    CHECK(r2.network_begin(1) == 6);
    CHECK(r2.record(6).network == 1);
    CHECK(r2.record(23).experiment == 2);
    CHECK(r2.time_points() == 2);
    tensor<double> x;
    r2.gather(r2.all_indices(), 0, 24, record_layout::series_by_time, x);
    CHECK(x.shape(2) == 2);
    // Another number of time points is accepted (context models read any grid), but record
    // arrays, which need one common T, are then refused with a message that says why.
    r2.add_network(coded_series(3, 1, 3), small_gs());
    CHECK_FALSE(r2.common_time_points().has_value());
    CHECK_THROWS_WITH_AS(r2.gather(r2.all_indices(), 0, 1, record_layout::series_by_time, x),
                         doctest::Contains("unequal lengths"), value_error);
}

TEST_CASE("pair records: a network without time series has one record per pair") {
    experiment_set only_knockouts;
    only_knockouts.genes = {"G1", "G2", "G3"};
    only_knockouts.time_series.genes = only_knockouts.genes;
    steady_state_data ko;
    ko.genes = only_knockouts.genes;
    ko.kind = steady_state_kind::knockouts;
    ko.values = tensor<double>{{0.0, 0.5, 0.5}, {0.5, 0.0, 0.5}};
    ko.perturbed = {2, 0};  // a user's table: G3 and G1 knocked out, in that order
    add_steady_state(only_knockouts, ko, "ko.tsv");
    const pair_records records(only_knockouts, small_gs());
    CHECK(records.size() == 6);
    CHECK(records.records_per_pair(0) == 1);
    CHECK(records.common_kinds() == experiment_kinds{experiment_kind::knockouts});
    CHECK(records.record(5).experiment == 0);
    CHECK(records.label(records.index_of({0, 0, 1, 0})) == small_gs().is_edge(0, 1));
    tensor<float> x;
    CHECK_THROWS_WITH_AS(records.gather(records.all_indices(), 0, 1, record_layout::image, x),
                         doctest::Contains("no time series"), value_error);
}

TEST_CASE("balancing: all positives plus an equal seeded draw of negatives") {
    // 6 genes, 5 experiments: 30 pairs x 5 = 150 records, 3 edges -> 15 positive records.
    gold_standard gs({"G1", "G2", "G3", "G4", "G5", "G6"});
    gs.add_edge(0, 1);
    gs.add_edge(1, 2);
    gs.add_edge(4, 3);
    const pair_records records(coded_series(6, 5, 3), gs);
    const auto all = records.all_indices();
    rng g1(11), g2(11), g3(12);
    const auto b1 = balance_records(records, all, g1);
    const auto b2 = balance_records(records, all, g2);
    const auto b3 = balance_records(records, all, g3);
    CHECK(b1 == b2);
    CHECK(b1 != b3);
    REQUIRE(b1.size() == 30);
    CHECK(std::is_sorted(b1.begin(), b1.end()));
    CHECK(std::set<std::size_t>(b1.begin(), b1.end()).size() == 30);
    std::size_t positives = 0;
    for (auto i : b1) positives += records.label(i);
    CHECK(positives == 15);
    // Two negatives per positive; more than available takes them all.
    rng g4(1);
    CHECK(balance_records(records, all, g4, 2.0).size() == 45);
    CHECK(balance_records(records, all, g4, 100.0).size() == 150);
    // Every negative is drawn about equally often (uniform sampling without replacement):
    // 135 negatives, 15 drawn per call -> expected count 2000 * 15 / 135 = 222.2 each.
    std::vector<int> hits(records.size(), 0);
    rng g5(3);
    for (int rep = 0; rep < 2000; ++rep)
        for (auto i : balance_records(records, all, g5))
            if (!records.label(i)) ++hits[i];
    for (std::size_t i = 0; i < records.size(); ++i)
        if (!records.label(i)) {
            CHECK(hits[i] > 160);
            CHECK(hits[i] < 290);
        }
}

TEST_CASE("pair-level aggregation: mean and max over a pair's records") {
    const pair_records records(coded_series(3, 2, 4), small_gs());
    const auto all = records.all_indices();
    std::vector<double> scores(all.size());
    for (std::size_t i = 0; i < all.size(); ++i) scores[i] = static_cast<double>(i * i % 7);
    // Shuffle the order the scores come in: aggregation must not depend on it.
    std::vector<std::size_t> order = all;
    rng g(5);
    g.shuffle(order.begin(), order.end());
    std::vector<double> shuffled(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) shuffled[i] = scores[order[i]];

    const auto mean = aggregate_pair_scores(records, order, shuffled, pair_aggregation::mean);
    const auto max = aggregate_pair_scores(records, order, shuffled, pair_aggregation::max);
    REQUIRE(mean.size() == 6);
    for (std::size_t p = 0; p < 6; ++p) {
        // Pair p owns records 2p and 2p + 1.
        const double a = scores[2 * p], b = scores[2 * p + 1];
        CHECK(mean[p].score == doctest::Approx((a + b) / 2).epsilon(1e-15));
        CHECK(max[p].score == std::max(a, b));
        CHECK(mean[p].records == 2);
        CHECK(mean[p].label == records.label(2 * p));
    }
    CHECK(mean[0].regulator == 0);
    CHECK(mean[0].target == 1);
    CHECK(mean[5].regulator == 2);
    CHECK(mean[5].target == 1);

    const tensor<double> m = pair_score_matrix(records, 0, mean);
    CHECK(m(0, 0) == 0.0);
    CHECK(m(2, 1) == mean[5].score);
    CHECK(m(1, 0) == mean[2].score);
    // A missing pair is an error, as is a non-finite score or a length mismatch.
    const std::vector<pair_score> partial(mean.begin(), mean.begin() + 5);
    CHECK_THROWS_AS(pair_score_matrix(records, 0, partial), value_error);
    shuffled[3] = NAN;
    CHECK_THROWS_AS(aggregate_pair_scores(records, order, shuffled), value_error);
    const std::vector<double> too_few(3, 1.0);
    CHECK_THROWS_AS(aggregate_pair_scores(records, order, too_few), value_error);
}

KNIT_DREAM4_TEST_CASE("pair records of DREAM4 size 100: 99,000 records per network") {
    const std::string root = knit::test::dream4_dir().value();
    const std::size_t edges[] = {176, 249, 195, 211, 193};
    pair_records all;
    for (int n = 1; n <= 5; ++n) {
        const time_series_data d = read_time_series(dream4_path(root, 100, n, dream4_file::time_series));
        const gold_standard gs = read_gold_standard(dream4_path(root, 100, n, dream4_file::gold_standard), d.genes);
        const pair_records records(d, gs);
        CHECK(records.size() == 99000);
        CHECK(records.positives() == edges[n - 1] * 10);
        all.add_network(d, gs);
        if (n == 1) {
            // G1 -> G2 in experiment 3, checked against the data directly.
            const std::size_t i = records.index_of({0, 0, 1, 3});
            const tensor<double> x = records.gather<double>({i}, record_layout::time_by_series);
            for (std::size_t k = 0; k < 21; ++k) {
                CHECK(x(0, k, 0) == d.experiments[3].values(k, 0));
                CHECK(x(0, k, 1) == d.experiments[3].values(k, 1));
            }
            CHECK(records.label(i) == gs.is_edge(0, 1));
        }
    }
    CHECK(all.size() == 5 * 99000);
    CHECK(all.positives() == (176 + 249 + 195 + 211 + 193) * 10);
}
