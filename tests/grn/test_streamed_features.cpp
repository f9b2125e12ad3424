// streamed_dynamics_features: the rows of chosen regulators, made in passes without any
// (G, G) matrix, against dynamics_feature_rows (which keeps the ten (G, G) matrices).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/grn/dynamics_features.hpp"
#include "knit/grn/streamed_dynamics_features.hpp"
#include "knit/grn/simulate.hpp"

using namespace knit;
using namespace knit::grn;

namespace {

time_series_data series(std::uint64_t seed, std::size_t genes, std::size_t experiments) {
    network_options no;
    no.genes = genes;
    no.seed = seed;
    experiment_options design;
    design.seed = seed + 1000;
    design.time_series = experiments;
    design.knockouts = design.knockdowns = design.wildtype = false;
    design.multifactorial = 0;
    return simulate_dream4_like(generate_network(no), design).time_series;
}

// The largest |difference| between the streamed rows of `regulators` and the whole-network
// rows of the same pairs, over every feature.
double largest_difference(const streamed_dynamics_features& streamed, const dynamics_feature_rows& whole,
                          const std::vector<std::size_t>& regulators) {
    const std::size_t genes = whole.gene_count(), features = whole.feature_count();
    std::vector<double> got(regulators.size() * genes * features), expected(genes * features);
    streamed.fill_rows(regulators, 0, regulators.size() * genes, got.data());
    double worst = 0;
    for (std::size_t i = 0; i < regulators.size(); ++i) {
        whole.fill(regulators[i] * genes, (regulators[i] + 1) * genes, expected.data());
        for (std::size_t k = 0; k < genes * features; ++k)
            worst = std::max(worst, std::abs(got[i * genes * features + k] - expected[k]));
    }
    return worst;
}

}  // namespace

TEST_CASE("streamed features: dynamics_feature_rows' rows of the chosen regulators, primal and dual ridge") {
    // 30 genes and 200 lagged samples: the ridge in its primal form; 90 genes and 3
    // experiments (60 samples): the dual form, as on every genome. Pass blocks of one row,
    // of uneven sizes that divide neither gene count, and one block for all rows.
    struct shape {
        std::size_t genes, experiments;
        bool dual;
    };
    for (const shape s : {shape{30, 10, false}, shape{90, 3, true}}) {
        const std::size_t genes = s.genes;
        CAPTURE(genes);
        const time_series_data d = series(41, genes, s.experiments);
        tensor<double> now, later;
        lagged_samples(d, 1, {}, now, later);
        REQUIRE((now.shape(0) < genes) == s.dual);
        const dynamics_feature_rows whole(d);
        for (const std::size_t pass : {std::size_t(1), std::size_t(7), genes + 5}) {
            CAPTURE(pass);
            const streamed_dynamics_features streamed(d, {}, 1, nullptr, pass);
            REQUIRE(streamed.gene_count() == genes);
            REQUIRE(streamed.feature_count() == whole.feature_count());
            // Unsorted, with a repeat: rows follow the list.
            const std::vector<std::size_t> regulators{genes - 1, 0, 13, 5, 13, genes / 2};
            CHECK(largest_difference(streamed, whole, regulators) < 1e-9);
            // Every row at once.
            std::vector<std::size_t> every(genes);
            for (std::size_t g = 0; g < genes; ++g) every[g] = g;
            CHECK(largest_difference(streamed, whole, every) < 1e-9);
        }
    }
    // The smallest network the features take: 3 genes.
    const time_series_data tiny = series(42, 3, 5);
    CHECK(largest_difference(streamed_dynamics_features(tiny, {}, 2, nullptr, 2), dynamics_feature_rows(tiny),
                             {2, 0, 1}) < 1e-9);
}

TEST_CASE("streamed features: the statistics cover every pair, not the chosen regulators' rows") {
    // A feature source that standardised over the chosen rows only, or took the CLR
    // column statistics from them, would move these rows by far more than rounding: the
    // columns' means over the 3 rows differ from those over all 40 by whole deviations.
    const time_series_data d = series(43, 40, 10);
    const dynamics_feature_rows whole(d);
    const streamed_dynamics_features streamed(d, {}, 1, nullptr, 16);
    const std::vector<std::size_t> regulators{2, 3, 4};
    std::vector<double> rows(3 * 40 * whole.feature_count());
    streamed.fill_rows(regulators, 0, 3 * 40, rows.data());
    // Over the chosen rows alone, the standardised columns are far from mean 0 in some feature.
    const std::size_t features = whole.feature_count();
    double largest_mean = 0;
    for (std::size_t f = 0; f < features; ++f) {
        double mean = 0;
        for (std::size_t k = 0; k < 3 * 40; ++k) mean += rows[k * features + f] / (3 * 39);
        largest_mean = std::max(largest_mean, std::abs(mean));
    }
    CHECK(largest_mean > 0.1);
    CHECK(largest_difference(streamed, whole, regulators) < 1e-9);
}

TEST_CASE("streamed features: the same rows, bit for bit, on 1 to 3 threads; any slice of the rows") {
    const time_series_data d = series(47, 50, 10);
    const streamed_dynamics_features one(d, {}, 1, nullptr, 8);
    const std::vector<std::size_t> regulators{7, 1, 49, 20};
    const std::size_t features = one.feature_count(), rows = regulators.size() * 50;
    std::vector<float> reference(rows * features);
    one.fill_rows(regulators, 0, rows, reference.data());
    for (std::size_t threads : {2u, 3u}) {
        const streamed_dynamics_features parallel(d, {}, threads, nullptr, 8);
        CHECK(parallel.means() == one.means());
        CHECK(parallel.deviations() == one.deviations());
        std::vector<float> got(rows * features);
        parallel.fill_rows(regulators, 0, rows, got.data());
        CHECK(got == reference);
    }
    // Slices that start and end inside a regulator's row: the same rows, to rounding (a
    // slice's products have other shapes, which BLAS may sum in another order).
    std::vector<double> whole_rows(rows * features), sliced(rows * features);
    one.fill_rows(regulators, 0, rows, whole_rows.data());
    for (std::size_t begin = 0; begin < rows; begin += 37) {
        const std::size_t end = std::min(rows, begin + 37);
        one.fill_rows(regulators, begin, end, sliced.data() + begin * features);
    }
    double worst = 0;
    for (std::size_t i = 0; i < sliced.size(); ++i) worst = std::max(worst, std::abs(sliced[i] - whole_rows[i]));
    CHECK(worst < 1e-12);
}

TEST_CASE("streamed features: refusals") {
    const time_series_data d = series(53, 12, 5);
    CHECK_THROWS_AS(streamed_dynamics_features(d, {}, 0), value_error);
    CHECK_THROWS_AS(streamed_dynamics_features(d, {}, 1, nullptr, 0), value_error);
    const streamed_dynamics_features streamed(d);
    std::vector<double> out(13 * streamed.feature_count());
    CHECK_THROWS_AS(streamed.fill_rows({1}, 0, 13, out.data()), value_error);  // past the one row
    CHECK_THROWS_AS(streamed.fill_rows({12}, 0, 12, out.data()), value_error);  // not a gene
}
