// context-mlp and its whole-network features: the Granger-style partial correlation and
// CLR against hand computations, feature shapes and per-network standardisation, and the
// model learning on simulated networks (train on two, rank the pairs of a third it never
// saw) well above random, with save/load and its errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "knit/core/error.hpp"
#include "knit/grn/dynamics_features.hpp"
#include "knit/grn/features.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/grn/models/context_mlp.hpp"
#include "knit/grn/pairs.hpp"
#include "knit/grn/simulate.hpp"
#include "support/series.hpp"

using namespace knit;
using namespace knit::grn;

namespace {

// Two experiments of 3 genes where G1 drives G2 one step later and G3 is noise.
time_series_data driven_series() {
    time_series_data d;
    d.genes = {"G1", "G2", "G3"};
    rng g(7);
    for (int e = 0; e < 2; ++e) {
        time_series_experiment ex;
        const std::size_t points = 21;
        ex.values = xt::zeros<double>({points, std::size_t(3)});
        for (std::size_t k = 0; k < points; ++k) {
            ex.times.push_back(50.0 * double(k));
            ex.values(k, 0) = g.uniform();
            ex.values(k, 1) = k == 0 ? 0.5 : 0.8 * ex.values(k - 1, 0) + 0.05 * g.uniform();
            ex.values(k, 2) = g.uniform();
        }
        d.experiments.push_back(ex);
    }
    return d;
}

struct simulated_set {
    std::vector<simulated_dataset> data;
};

simulated_dataset simulate(std::uint64_t seed, std::size_t genes) {
    network_options no;
    no.genes = genes;
    no.seed = seed;
    const network net = generate_network(no);
    experiment_options eo;
    eo.seed = seed + 100;
    eo.time_series = 10;
    eo.wildtype = eo.knockouts = eo.knockdowns = false;
    eo.multifactorial = 0;
    return simulate_dream4_like(net, eo);
}

}  // namespace

TEST_CASE("granger_scores is the partial correlation of x_r(k) and x_t(k + 1) given x_t(k)") {
    const time_series_data d = driven_series();
    const tensor<double> g = granger_scores(d, 1);
    REQUIRE(g.shape() == shape_t{3, 3});
    // Recompute [0, 1] and [2, 1] from the pooled lagged vectors.
    for (std::size_t r : {std::size_t(0), std::size_t(2)}) {
        std::vector<double> xr, xt_now, xt_next;
        for (const auto& e : d.experiments)
            for (std::size_t k = 0; k + 1 < e.time_points(); ++k) {
                xr.push_back(e.values(k, r));
                xt_now.push_back(e.values(k, 1));
                xt_next.push_back(e.values(k + 1, 1));
            }
        const double c1 = test::naive_pearson(xr, xt_next), c0 = test::naive_pearson(xr, xt_now),
                     a = test::naive_pearson(xt_now, xt_next);
        const double expected = (c1 - c0 * a) / std::sqrt((1 - c0 * c0) * (1 - a * a));
        CHECK(g(r, 1) == doctest::Approx(expected).epsilon(1e-10));
    }
    CHECK(std::abs(g(0, 1)) > 0.9);   // the driver
    CHECK(std::abs(g(2, 1)) < 0.5);   // noise
    CHECK(g(1, 1) == 0.0);
}

namespace {

// The primal ridge system (Z'Z / n + lambda I) B = Z'Y / n solved by textbook Gauss-Jordan
// elimination with partial pivoting, on the standardised lagged samples.
tensor<double> naive_ridge(const time_series_data& data, double lambda) {
    tensor<double> now, later;
    lagged_samples(data, 1, {}, now, later);
    for (tensor<double>* m : {&now, &later})
        for (std::size_t g = 0; g < m->shape(1); ++g) {
            double mean = 0, sq = 0;
            for (std::size_t s = 0; s < m->shape(0); ++s) mean += (*m)(s, g) / double(m->shape(0));
            for (std::size_t s = 0; s < m->shape(0); ++s) sq += ((*m)(s, g) - mean) * ((*m)(s, g) - mean);
            const double sd = std::sqrt(sq / double(m->shape(0)));
            for (std::size_t s = 0; s < m->shape(0); ++s) (*m)(s, g) = sd > 0 ? ((*m)(s, g) - mean) / sd : 0.0;
        }
    const std::size_t n = now.shape(0), genes = now.shape(1);
    // Augmented [A | R] with A = Z'Z / n + lambda I and R = Z'Y / n.
    std::vector<std::vector<double>> a(genes, std::vector<double>(2 * genes, 0.0));
    for (std::size_t i = 0; i < genes; ++i)
        for (std::size_t j = 0; j < genes; ++j)
            for (std::size_t s = 0; s < n; ++s) {
                a[i][j] += now(s, i) * now(s, j) / double(n);
                a[i][genes + j] += now(s, i) * later(s, j) / double(n);
            }
    for (std::size_t i = 0; i < genes; ++i) a[i][i] += lambda;
    for (std::size_t c = 0; c < genes; ++c) {
        std::size_t pivot = c;
        for (std::size_t r = c + 1; r < genes; ++r)
            if (std::abs(a[r][c]) > std::abs(a[pivot][c])) pivot = r;
        std::swap(a[c], a[pivot]);
        const double d = a[c][c];
        for (auto& v : a[c]) v /= d;
        for (std::size_t r = 0; r < genes; ++r)
            if (r != c) {
                const double f = a[r][c];
                for (std::size_t j = 0; j < 2 * genes; ++j) a[r][j] -= f * a[c][j];
            }
    }
    tensor<double> out = tensor<double>::from_shape({genes, genes});
    for (std::size_t i = 0; i < genes; ++i)
        for (std::size_t j = 0; j < genes; ++j) out(i, j) = i == j ? 0.0 : std::abs(a[i][genes + j]);
    return out;
}

}  // namespace

TEST_CASE("lagged_ridge_scores solves the ridge system, in the primal (samples >= genes) and dual (fewer) forms") {
    rng g(11);
    // 12 genes: 2 experiments x 8 points give 14 lagged samples (primal), 1 x 8 give 7 (dual).
    for (const std::size_t experiments : {std::size_t(2), std::size_t(1)}) {
        CAPTURE(experiments);
        const time_series_data d = test::make_series(12, experiments, 8, [&](std::size_t, std::size_t, std::size_t) { return g.uniform(); });
        for (const double lambda : {0.1, 1.0}) {
            const tensor<double> fast = lagged_ridge_scores(d, lambda), slow = naive_ridge(d, lambda);
            REQUIRE(fast.shape() == slow.shape());
            double largest = 0;
            for (std::size_t i = 0; i < fast.size(); ++i) {
                CHECK(fast.data()[i] == doctest::Approx(slow.data()[i]).epsilon(1e-9).scale(1e-12));
                largest = std::max(largest, slow.data()[i]);
            }
            CHECK(largest > 0.05);  // a real regression, not all zeros
        }
    }
}

TEST_CASE("clr_normalise: per-row and per-column z-scores, negatives cut, combined") {
    tensor<double> s = {{0, 1, 2}, {3, 0, 5}, {4, 8, 0}};
    const tensor<double> c = clr_normalise(s);
    // Row 1 has off-diagonal {3, 5}: z(5) = 1; column 2 has {2, 5}: z(5) = 1.
    CHECK(c(1, 2) == doctest::Approx(std::sqrt(2.0)));
    // (0, 1) = 1: row {1, 2} z = -1 -> 0; column {1, 8} z = -1 -> 0.
    CHECK(c(0, 1) == doctest::Approx(0.0));
    CHECK(c(2, 2) == 0.0);
    CHECK_THROWS_AS(clr_normalise(tensor<double>{{1, 2}, {3, 4}}), shape_error);
}

TEST_CASE("dynamics_features: one standardised row per ordered pair, zero diagonal rows") {
    const time_series_data d = driven_series();
    const tensor<double> f = dynamics_features(d);
    const std::size_t features = dynamics_feature_names().size();
    REQUIRE(f.shape() == shape_t{9, features});
    for (std::size_t c = 0; c < features; ++c) {
        double mean = 0, sq = 0;
        for (std::size_t r = 0; r < 3; ++r) {
            CHECK(f(r * 3 + r, c) == 0.0);
            for (std::size_t t = 0; t < 3; ++t)
                if (r != t) mean += f(r * 3 + t, c) / 6.0;
        }
        for (std::size_t r = 0; r < 3; ++r)
            for (std::size_t t = 0; t < 3; ++t)
                if (r != t) sq += (f(r * 3 + t, c) - mean) * (f(r * 3 + t, c) - mean) / 6.0;
        CHECK(mean == doctest::Approx(0.0).epsilon(1e-9));
        CHECK((sq == doctest::Approx(1.0).epsilon(1e-9) || sq == doctest::Approx(0.0)));
    }
    CHECK(release_points(d, 500.0) == std::vector<std::size_t>(d.experiment_count(), 10));
    CHECK(release_points(d, 260.0).front() == 6);  // the first time >= 260 is 300
    CHECK(release_points(d, 5000.0).front() == 0); // never reached: the whole series
    CHECK_THROWS_AS(lagged_ridge_scores(d, 0.0), value_error);
}

// The naive reference of dynamics_features: every score matrix, then the whole table of
// log(v + 1e-6), then each column standardised down the off-diagonal rows.
tensor<double> dynamics_table_reference(const time_series_data& data) {
    const std::size_t genes = data.gene_count();
    const auto release = release_points(data);
    auto abs_of = [](tensor<double> m) { return tensor<double>(xt::abs(m)); };
    const tensor<double> lag1 = abs_of(lag_correlation_scores(data, 1)), granger1 = abs_of(granger_scores(data, 1));
    const tensor<double> lag2 = abs_of(lag_correlation_scores(data, 2)), granger2 = abs_of(granger_scores(data, 2));
    tensor<double> now, later;
    lagged_samples(data, 1, release, now, later);
    tensor<double> lag1_post = abs_of(cross_correlation(now, later));
    for (std::size_t g = 0; g < genes; ++g) lag1_post(g, g) = 0;
    const tensor<double> granger1_post = abs_of(granger_scores(data, 1, release));
    const tensor<double> ridge_small = lagged_ridge_scores(data, 0.1), ridge_large = lagged_ridge_scores(data, 1.0);
    const tensor<double> clr_granger1 = clr_normalise(granger1), clr_lag1_post = clr_normalise(lag1_post);
    const tensor<double> all = data.stacked();
    std::vector<double> sd(genes), relax(genes, 0), out_mean(genes, 0), in_mean(genes, 0);
    for (std::size_t g = 0; g < genes; ++g) {
        double mean = 0, sq = 0;
        for (std::size_t s = 0; s < all.shape(0); ++s) mean += all(s, g);
        mean /= double(all.shape(0));
        for (std::size_t s = 0; s < all.shape(0); ++s) sq += (all(s, g) - mean) * (all(s, g) - mean);
        sd[g] = std::sqrt(sq / double(all.shape(0)));
        for (std::size_t e = 0; e < data.experiment_count(); ++e) {
            const auto& ex = data.experiments[e];
            relax[g] += std::abs(ex.values(release[e], g) - ex.values(ex.time_points() - 1, g)) / double(data.experiment_count());
        }
    }
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) out_mean[r] += granger1(r, t) / double(genes - 1), in_mean[t] += granger1(r, t) / double(genes - 1);
    const std::size_t features = dynamics_feature_names().size();
    tensor<double> out = xt::zeros<double>({genes * genes, features});
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) {
                const double v[] = {lag1(r, t),      granger1(r, t),      lag2(r, t),        granger2(r, t),
                                    lag1_post(r, t), granger1_post(r, t), ridge_small(r, t), ridge_large(r, t),
                                    granger1(t, r),  lag1(t, r),          sd[r],             sd[t],
                                    relax[r],        relax[t],            out_mean[r],       in_mean[t],
                                    clr_granger1(r, t), clr_lag1_post(r, t)};
                for (std::size_t f = 0; f < features; ++f) out(r * genes + t, f) = std::log(v[f] + 1e-6);
            }
    const double pairs = double(genes * (genes - 1));
    for (std::size_t f = 0; f < features; ++f) {
        double mean = 0, sq = 0;
        for (std::size_t row = 0; row < genes * genes; ++row)
            if (row / genes != row % genes) mean += out(row, f);
        mean /= pairs;
        for (std::size_t row = 0; row < genes * genes; ++row)
            if (row / genes != row % genes) sq += (out(row, f) - mean) * (out(row, f) - mean);
        const double dev = std::sqrt(sq / pairs);
        for (std::size_t row = 0; row < genes * genes; ++row)
            if (row / genes != row % genes) out(row, f) = dev > 0 ? (out(row, f) - mean) / dev : 0.0;
    }
    return out;
}

TEST_CASE("dynamics_feature_rows: dynamics_features's rows, bit for bit, block by block, in float and double") {
    const time_series_data d = simulate(31, 17).time_series;
    const tensor<double> reference = dynamics_table_reference(d);
    const tensor<double> table = dynamics_features(d);
    REQUIRE(table.shape() == reference.shape());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < table.size(); ++i) differing += table.flat(i) != reference.flat(i);
    CHECK(differing == 0);
    const dynamics_feature_rows rows(d);
    CHECK(rows.gene_count() == 17);
    REQUIRE(rows.feature_count() == dynamics_feature_names().size());
    const std::size_t features = rows.feature_count();
    std::vector<float> block(7 * features);
    differing = 0;
    for (std::size_t begin = 0; begin < 17 * 17; begin += 7) {
        const std::size_t end = std::min<std::size_t>(17 * 17, begin + 7);
        rows.fill(begin, end, block.data());
        for (std::size_t i = 0; i < (end - begin) * features; ++i)
            differing += block[i] != static_cast<float>(reference.flat(begin * features + i));
    }
    CHECK(differing == 0);
    // Built on 2 and 3 threads: the same rows.
    for (std::size_t threads : {2u, 3u}) {
        const dynamics_feature_rows parallel(d, {}, threads);
        std::vector<double> all(17 * 17 * features);
        parallel.fill(0, 17 * 17, all.data());
        differing = 0;
        for (std::size_t i = 0; i < all.size(); ++i) differing += all[i] != reference.flat(i);
        CHECK(differing == 0);
    }
    CHECK_THROWS_AS(dynamics_feature_rows(d, {}, 0), value_error);
    // The table varies (a constant or all-zero one would match any broken layout).
    CHECK(xt::amax(reference)() > 1.0);
    CHECK_THROWS_AS(rows.fill(0, 17 * 17 + 1, block.data()), value_error);
}

// The experiments of `data` cut to points [begin, end), or every `step`-th point.
time_series_data cut(const time_series_data& data, std::size_t begin, std::size_t end, std::size_t step = 1) {
    time_series_data out = data;
    for (auto& e : out.experiments) {
        std::vector<double> times;
        std::vector<std::size_t> keep;
        for (std::size_t k = begin; k < end; k += step) keep.push_back(k), times.push_back(e.times[k]);
        tensor<double> values = tensor<double>::from_shape({keep.size(), e.values.shape(1)});
        for (std::size_t i = 0; i < keep.size(); ++i)
            for (std::size_t g = 0; g < e.values.shape(1); ++g) values(i, g) = e.values(keep[i], g);
        e.times = times;
        e.values = values;
    }
    return out;
}

TEST_CASE("release detection finds a release wherever it is, and none in relaxing or perturbed-throughout series") {
    // Simulated like DREAM4 (with intrinsic noise): perturbed from t = 0, released at t = 500.
    const time_series_data d = simulate(21, 40).time_series;
    CHECK(release_points(d) == std::vector<std::size_t>(d.experiment_count(), 10));
    // Another grid: every other point (t = 0, 100, ..., 1000) puts the release at point 5.
    CHECK(release_points(cut(d, 0, 21, 2)) == std::vector<std::size_t>(d.experiment_count(), 5));
    // The second half relaxes from a perturbed start; the first half stays perturbed.
    CHECK(release_points(cut(d, 10, 21)) == std::vector<std::size_t>(d.experiment_count(), 0));
    CHECK(release_points(cut(d, 0, 11)) == std::vector<std::size_t>(d.experiment_count(), 0));
    // Experiments on different grids are read separately: a mixed set gets both answers.
    time_series_data mixed = d;
    mixed.experiments.resize(5);
    const time_series_data relaxing = cut(d, 10, 21);
    for (std::size_t e = 0; e < 5; ++e) mixed.experiments.push_back(relaxing.experiments[e]);
    const auto points = release_points(mixed);
    CHECK(std::count(points.begin(), points.begin() + 5, 10u) == 5);
    CHECK(std::count(points.begin() + 5, points.end(), 0u) == 5);
    CHECK_FALSE(detect_release(cut(d, 0, 5).experiments.front()).has_value());  // too short to tell
}

TEST_CASE("context-mlp trained on two simulated networks ranks the edges of a third well above random") {
    const std::size_t genes = 30;
    const simulated_dataset a = simulate(11, genes), b = simulate(12, genes), held = simulate(13, genes);
    pair_records records;
    records.add_network(a.time_series, a.gold);
    records.add_network(b.time_series, b.gold);
    records.add_network(held.time_series, held.gold);
    rng g(3);
    std::vector<std::size_t> train;
    for (std::size_t k = 0; k < 2; ++k) {
        const auto balanced = balance_records(records, records.network_indices(k), g);
        train.insert(train.end(), balanced.begin(), balanced.end());
    }
    context_mlp_settings s;
    s.ensemble = 1;
    s.epoch_candidates = {20, 60};
    context_mlp_model model(s);
    CHECK_THROWS_AS(model.score(records, train), state_error);
    model.fit(records, train, {5, false});
    CHECK((model.chosen_epochs() == 20 || model.chosen_epochs() == 60));
    CHECK(model.cross_validation().size() == 2);

    const auto test = records.network_indices(2);
    const auto scores = model.score(records, test);
    const auto pairs = aggregate_pair_scores(records, test, scores);
    std::vector<double> pair_scores, lag1;
    std::vector<int> labels;
    const tensor<double> baseline = xt::abs(lag_correlation_scores(held.time_series, 1));
    for (const auto& p : pairs) {
        pair_scores.push_back(p.score);
        labels.push_back(p.label);
        lag1.push_back(baseline(p.regulator, p.target));
    }
    double positives = 0;
    for (int l : labels) positives += l;
    const double rate = positives / double(labels.size());
    const double auroc = roc_auc(pair_scores, labels), ap = average_precision(pair_scores, labels);
    MESSAGE("held-out simulated network: AUROC " << auroc << ", AP " << ap << " (positive rate " << rate
                                                 << "); |lag-1| AUROC " << roc_auc(lag1, labels) << ", AP "
                                                 << average_precision(lag1, labels));
    // Stated margins: random gives AUROC 0.5 and AP = the positive rate; the model must beat
    // the |lag-1| correlation it sees among its features by 0.05 in AUROC and by half again
    // in AP (measured at 1fd2eec: 0.765 against 0.645, 0.293 against 0.153).
    CHECK(auroc > roc_auc(lag1, labels) + 0.05);
    CHECK(ap > 3.0 * rate);
    CHECK(ap > 1.5 * average_precision(lag1, labels));

    // A file round trip scores identically.
    const std::string path = (std::filesystem::temp_directory_path() / "knit_context_mlp_test.knit").string();
    model.save(path);
    auto loaded = load_pair_model(path);
    CHECK(loaded->name() == "context-mlp");
    const std::vector<std::size_t> some(test.begin(), test.begin() + 200);
    const auto before = model.score(records, some), after = loaded->score(records, some);
    for (std::size_t i = 0; i < some.size(); ++i) CHECK(after[i] == before[i]);
    std::filesystem::remove(path);
}

TEST_CASE("context-mlp refuses bad settings and one-class training sets") {
    context_mlp_settings s;
    s.hidden = 0;
    CHECK_THROWS_AS(context_mlp_model{s}, value_error);
    s = {};
    s.epoch_candidates = {};
    CHECK_THROWS_AS(context_mlp_model{s}, value_error);
    const time_series_data d = driven_series();
    pair_records records(d, gold_standard(d.genes));
    context_mlp_model m;
    CHECK_THROWS_AS(m.fit(records, records.all_indices(), {}), value_error);
    CHECK(make_pair_model("context-mlp")->name() == "context-mlp");
}
