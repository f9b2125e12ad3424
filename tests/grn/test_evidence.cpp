// Evidence features and evidence-mlp: the steady-state transforms against naive
// computations (path explanation, deconvolution of a known cascade, normalisations, the
// ridge regression identity), the evidence table's layout and standardisation, its
// transposed and per-gene columns against naive broadcasts, the rows on demand against the
// table, and the
// model: it learns on simulated networks, ranks data with fewer kinds than it was trained
// with (saying so), round-trips through a file, and refuses what it cannot use.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>

#include "knit/core/error.hpp"
#include "knit/grn/evaluation.hpp"
#include "knit/grn/evidence_features.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/grn/models/evidence_mlp.hpp"
#include "knit/grn/pairs.hpp"
#include "knit/grn/prediction.hpp"
#include "knit/grn/protocol.hpp"
#include "knit/grn/simulate.hpp"
#include "support/simulated.hpp"
#include "support/tensors.hpp"
#include "knit/grn/steady_state_features.hpp"

using namespace knit;
using namespace knit::grn;

namespace {

tensor<double> random_square(std::size_t g, std::uint64_t seed, double low = 0, double high = 1) {
    rng draws(seed);
    tensor<double> m = tensor<double>::from_shape({g, g});
    for (auto& v : m) v = draws.uniform(low, high);
    for (std::size_t i = 0; i < g; ++i) m(i, i) = 0;
    return m;
}

using test::simulated;

// One simulated network with every kind, as an experiment set.
simulated simulate_all(std::uint64_t seed, std::size_t genes) { return test::simulate_network_data(seed, genes); }

double aupr_of(const tensor<double>& scores, const experiment_set& data, const gold_standard& gold) {
    return score_dream(rank_edges(scores, data.genes), gold, nullptr).aupr;
}

}  // namespace

TEST_CASE("path explanation equals the naive max-min over every intermediate gene") {
    // Large diagonal entries: a path through i or ending at k itself must not count. Odd
    // sizes leave the vectorised pass a remainder.
    for (const std::size_t g : {7u, 33u}) {
        CAPTURE(g);
        tensor<double> s = random_square(g, 3);
        for (std::size_t i = 0; i < g; ++i) s(i, i) = 5.0;
        const tensor<double> p = path_explanation(s);
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < g; ++i)
            for (std::size_t j = 0; j < g; ++j) {
                double best = 0;
                for (std::size_t k = 0; k < g; ++k)
                    if (k != i && k != j && i != j) best = std::max(best, std::min(s(i, k), s(k, j)));
                wrong += p(i, j) != best;
            }
        CHECK(wrong == 0);
    }
}

TEST_CASE("deconvolution recovers the direct edges of a linear cascade from its total effects") {
    // Direct effects D: 0 -> 1 -> 2 -> 3 with weight 0.5, plus 0 -> 3 directly (0.3).
    Eigen::Matrix4d d = Eigen::Matrix4d::Zero();
    d(0, 1) = d(1, 2) = d(2, 3) = 0.5;
    d(0, 3) = 0.3;
    const Eigen::Matrix4d total = d * (Eigen::Matrix4d::Identity() - d).inverse();  // D + D^2 + ...
    tensor<double> t = tensor<double>::from_shape({4, 4});
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 4; ++j) t(i, j) = total(Eigen::Index(i), Eigen::Index(j));
    REQUIRE(t(0, 2) == doctest::Approx(0.25));  // indirect through 1
    // The total effects of a DAG have spectral radius 0, so no rescaling happens: exact.
    const tensor<double> direct = deconvolved_effects(t);
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 4; ++j) CHECK(direct(i, j) == doctest::Approx(std::abs(d(Eigen::Index(i), Eigen::Index(j)))).epsilon(1e-9));
    CHECK_THROWS_AS(deconvolved_effects(t, 1.0), value_error);
}

TEST_CASE("row and column normalisation are z-scores over the off-diagonal entries") {
    const tensor<double> s = random_square(5, 9);
    const tensor<double> rows = row_normalised(s), cols = column_normalised(s);
    for (std::size_t a = 0; a < 5; ++a) {
        double rmean = 0, rsq = 0, cmean = 0, csq = 0;
        for (std::size_t b = 0; b < 5; ++b)
            if (a != b) rmean += rows(a, b) / 4, cmean += cols(b, a) / 4, rsq += rows(a, b) * rows(a, b) / 4, csq += cols(b, a) * cols(b, a) / 4;
        CHECK(rmean == doctest::Approx(0).epsilon(1e-12));
        CHECK(cmean == doctest::Approx(0).epsilon(1e-12));
        CHECK(rsq == doctest::Approx(1));
        CHECK(csq == doctest::Approx(1));
        CHECK(rows(a, a) == 0);
    }
    CHECK((rows(1, 3) > rows(1, 2)) == (s(1, 3) > s(1, 2)));
}

TEST_CASE("regression scores equal the ridge regression of each gene on all others") {
    rng draws(4);
    const std::size_t samples = 30, genes = 5;
    tensor<double> x = tensor<double>::from_shape({samples, genes});
    for (std::size_t s = 0; s < samples; ++s) {
        for (std::size_t g = 0; g < genes; ++g) x(s, g) = draws.normal(0.0, 1.0);
        x(s, 3) += 0.8 * x(s, 1);  // gene 1 drives gene 3
    }
    const double lambda = 0.3;
    const tensor<double> beta = regression_scores(x, lambda);
    // Direct: standardise, then solve (C_oo + lambda I) b = C_oj for target j.
    Eigen::MatrixXd z(samples, genes);
    for (std::size_t g = 0; g < genes; ++g) {
        double m = 0, sq = 0;
        for (std::size_t s = 0; s < samples; ++s) m += x(s, g) / double(samples);
        for (std::size_t s = 0; s < samples; ++s) sq += (x(s, g) - m) * (x(s, g) - m) / double(samples);
        for (std::size_t s = 0; s < samples; ++s) z(Eigen::Index(s), Eigen::Index(g)) = (x(s, g) - m) / std::sqrt(sq);
    }
    const Eigen::MatrixXd c = z.transpose() * z / double(samples);
    for (Eigen::Index j = 0; j < Eigen::Index(genes); ++j) {
        std::vector<Eigen::Index> others;
        for (Eigen::Index i = 0; i < Eigen::Index(genes); ++i)
            if (i != j) others.push_back(i);
        Eigen::MatrixXd a(4, 4);
        Eigen::VectorXd rhs(4);
        for (int u = 0; u < 4; ++u) {
            rhs(u) = c(others[std::size_t(u)], j);
            for (int v = 0; v < 4; ++v) a(u, v) = c(others[std::size_t(u)], others[std::size_t(v)]) + (u == v ? lambda : 0);
        }
        const Eigen::VectorXd b = a.ldlt().solve(rhs);
        for (int u = 0; u < 4; ++u)
            CHECK(beta(std::size_t(others[std::size_t(u)]), std::size_t(j)) == doctest::Approx(std::abs(b(u))).epsilon(1e-9));
    }
    for (std::size_t i : {0, 2, 4}) CHECK(beta(1, 3) > 2 * beta(i, 3));  // gene 1 explains gene 3
}

TEST_CASE("evidence table: fixed layout, standardised columns, absent families zero with a 0 indicator") {
    const simulated net = simulate_all(5, 20);
    const evidence_table all = evidence_features(net.data);
    const evidence_table layout = evidence_layout();
    CHECK(all.columns == layout.columns);
    CHECK(all.families == evidence_family_names());
    CHECK(std::all_of(all.present.begin(), all.present.end(), [](bool p) { return p; }));
    CHECK(all.used == experiment_kinds::all());
    const std::size_t g = 20, pairs = g * (g - 1);
    for (std::size_t c = 0; c + all.families.size() < all.columns.size(); ++c) {
        double mean = 0, sq = 0;
        for (std::size_t r = 0; r < g; ++r)
            for (std::size_t t = 0; t < g; ++t)
                if (r != t) mean += all.values(r * g + t, c) / double(pairs);
        for (std::size_t r = 0; r < g; ++r)
            for (std::size_t t = 0; t < g; ++t)
                if (r != t) sq += (all.values(r * g + t, c) - mean) * (all.values(r * g + t, c) - mean) / double(pairs);
        CAPTURE(all.columns[c]);
        CHECK(mean == doctest::Approx(0).epsilon(1e-9));
        CHECK((sq == doctest::Approx(1).epsilon(1e-9) || sq == doctest::Approx(0)));
        CHECK(all.values(3 * g + 3, c) == 0);  // diagonal rows stay 0
    }

    const evidence_table ko_only = evidence_features(net.data.restricted_to({experiment_kind::knockouts}));
    CHECK(ko_only.used == experiment_kinds{experiment_kind::knockouts});
    for (std::size_t c = 0; c < ko_only.columns.size(); ++c) {
        const std::string& family = ko_only.families[ko_only.column_family[c]];
        const bool present = family == "knockout" || family == "steady-pooled";
        CAPTURE(ko_only.columns[c]);
        double norm = 0;
        for (std::size_t row = 0; row < g * g; ++row) norm += std::abs(ko_only.values(row, c));
        if (!present) CHECK(norm == 0);
        // Every gene was knocked out, so "was the regulator knocked out" is constant: 0.
        else if (ko_only.columns[c] != "ko-perturbed") CHECK(norm > 0);
    }
    CHECK(ko_only.values(1, ko_only.columns.size() - 1) == 0.0);  // has-timeseries
    CHECK_THROWS_AS(evidence_features(net.data, evidence_options{{"knockouts"}}), value_error);  // the family is "knockout"
}

namespace {
// Column `name` of a table, as a (G, G) matrix.
tensor<double> column_of(const evidence_table& table, const std::string& name, std::size_t g) {
    const auto it = std::find(table.columns.begin(), table.columns.end(), name);
    REQUIRE(it != table.columns.end());
    const std::size_t c = std::size_t(it - table.columns.begin());
    tensor<double> m = tensor<double>::from_shape({g, g});
    for (std::size_t row = 0; row < g * g; ++row) m(row / g, row % g) = table.values(row, c);
    return m;
}

// The naive standardisation of a (G, G) matrix of values, as the table's columns are
// defined: mean and population deviation over the off-diagonal pairs, the diagonal 0.
tensor<double> standardised_naively(const tensor<double>& v) {
    const std::size_t g = v.shape(0);
    double mean = 0, sq = 0;
    for (std::size_t r = 0; r < g; ++r)
        for (std::size_t t = 0; t < g; ++t)
            if (r != t) mean += v(r, t) / double(g * (g - 1));
    for (std::size_t r = 0; r < g; ++r)
        for (std::size_t t = 0; t < g; ++t)
            if (r != t) sq += (v(r, t) - mean) * (v(r, t) - mean) / double(g * (g - 1));
    tensor<double> out = xt::zeros<double>({g, g});
    for (std::size_t r = 0; r < g; ++r)
        for (std::size_t t = 0; t < g; ++t)
            if (r != t) out(r, t) = (v(r, t) - mean) / std::sqrt(sq);
    return out;
}
}  // namespace

TEST_CASE("evidence columns read transposed or per gene equal their naive (G, G) broadcasts; rows equal the table") {
    const std::size_t g = 15;
    const simulated net = simulate_all(8, g);
    const evidence_table table = evidence_features(net.data);
    const tensor<double> z = perturbation_z_scores(net.data, experiment_kind::knockouts);
    const std::vector<double> self =
        self_responses(net.data, experiment_kind::knockouts, steady_state_reference(net.data, experiment_kind::knockouts));
    tensor<double> log_strength = tensor<double>::from_shape({g, g}), reverse = log_strength, regulator_self = log_strength,
                   target_reach = log_strength;
    for (std::size_t r = 0; r < g; ++r)
        for (std::size_t t = 0; t < g; ++t) {
            log_strength(r, t) = std::log(std::abs(z(r, t)) + 1e-6);
            reverse(r, t) = std::log(std::abs(z(t, r)) + 1e-6);
            regulator_self(r, t) = self[r];
            double reach = 0;  // how many regulators the target t responds to, over G - 1
            for (std::size_t u = 0; u < g; ++u)
                if (u != t && std::abs(z(u, t)) > evidence_options{}.responds_at) reach += 1.0 / double(g - 1);
            target_reach(r, t) = reach;
        }
    // Rounding aside: the naive sums run in the same order, so only the last bits may move.
    const auto near = [](const tensor<double>& a, const tensor<double>& b) { return xt::amax(xt::abs(a - b))() < 1e-12; };
    CHECK(near(column_of(table, "ko-abs-z", g), standardised_naively(log_strength)));
    CHECK(near(column_of(table, "ko-reverse", g), standardised_naively(reverse)));
    CHECK(near(column_of(table, "ko-regulator-self", g), standardised_naively(regulator_self)));
    CHECK(near(column_of(table, "ko-target-reach", g), standardised_naively(target_reach)));
    // A reverse column is its forward one transposed (its sums run in another order).
    CHECK(near(column_of(table, "mf-reverse-regression", g), xt::transpose(column_of(table, "mf-regression", g))));
    CHECK(near(column_of(table, "ko-reverse", g), xt::transpose(column_of(table, "ko-abs-z", g))));
    CHECK_FALSE(near(column_of(table, "ko-reverse", g), column_of(table, "ko-abs-z", g)));

    // Rows on demand, any slice, as doubles and as floats: the table's rows.
    const evidence_feature_rows rows(net.data, {}, 2);
    CHECK(rows.column_count() == table.columns.size());
    CHECK(rows.layout().columns == table.columns);
    CHECK(rows.layout().present == table.present);
    for (const auto& [begin, end] : std::vector<std::pair<std::size_t, std::size_t>>{{0, g * g}, {17, 18}, {100, 161}}) {
        const std::size_t width = table.columns.size();
        std::vector<double> wide((end - begin) * width);
        std::vector<float> narrow(wide.size());
        rows.fill(begin, end, wide.data());
        rows.fill(begin, end, narrow.data());
        std::size_t differ = 0, differ_float = 0;
        for (std::size_t row = begin; row < end; ++row)
            for (std::size_t c = 0; c < width; ++c) {
                const double want = table.values(row, c);
                differ += wide[(row - begin) * width + c] != want;
                differ_float += narrow[(row - begin) * width + c] != static_cast<float>(want);
            }
        CHECK(differ == 0);
        CHECK(differ_float == 0);
    }
    std::vector<double> one(table.columns.size());
    CHECK_THROWS_AS(rows.fill(g * g - 1, g * g + 1, one.data()), value_error);
    CHECK_THROWS_AS(evidence_feature_rows(net.data, {}, 0), value_error);
}

TEST_CASE("evidence table: the same, bit for bit, on 1, 2 and 3 threads, and with fewer kinds") {
    const simulated net = simulate_all(6, 17);
    for (const experiment_kinds kinds : {experiment_kinds::all(), experiment_kinds{experiment_kind::knockdowns}}) {
        const evidence_table serial = evidence_features(net.data.restricted_to(kinds), {}, 1);
        for (std::size_t threads : {2u, 3u}) {
            CAPTURE(threads);
            const evidence_table parallel = evidence_features(net.data.restricted_to(kinds), {}, threads);
            CHECK(parallel.present == serial.present);
            CHECK(parallel.used == serial.used);
            CHECK(test::differing(parallel.values, serial.values) == 0);
        }
        CHECK(xt::amax(xt::abs(serial.values))() > 1.0);  // standardised columns, not zeros
    }
    CHECK_THROWS_AS(evidence_features(net.data, {}, 0), value_error);
}

TEST_CASE("evidence-mlp learns on simulated networks, ranks with fewer kinds, round-trips, and says what differs") {
    const std::size_t genes = 30;
    std::vector<simulated> nets;
    for (std::uint64_t seed : {31, 32, 33}) nets.push_back(simulate_all(seed, genes));
    pair_records records;
    for (const auto& n : nets) records.add_network(n.data, n.gold);
    const network_fold fold = leave_one_network_out(records, 2, 7, false);
    evidence_mlp_settings s;
    s.ensemble = 2;
    s.epoch_candidates = {20};
    evidence_mlp_model model(s);
    model.fit(records, fold.train, {1});
    CHECK(model.trained_families() == evidence_family_names());

    const simulated& held = nets[2];
    const tensor<double> scores = model.score_network(held.data);
    const double aupr = aupr_of(scores, held.data, held.gold);
    const double knockout_z = aupr_of(baseline_scores("knockout-z", held.data), held.data, held.gold);
    MESSAGE("held-out AUPR: evidence-mlp " << aupr << ", knockout-z " << knockout_z);
    CHECK(aupr > knockout_z + 0.05);
    CHECK(model.warnings(held.data).empty());

    // Knockouts only: the model ranks from its knockout evidence and says what is missing.
    const experiment_set knockouts = held.data.restricted_to({experiment_kind::knockouts, experiment_kind::wildtype});
    const auto notes = model.warnings(knockouts);
    REQUIRE(!notes.empty());
    CHECK(notes.front().find("no timeseries,knockdowns,multifactorial") != std::string::npos);
    const double ko_aupr = aupr_of(model.score_network(knockouts), held.data, held.gold);
    MESSAGE("knockouts and wild type only: AUPR " << ko_aupr);
    CHECK(ko_aupr > 0.5 * knockout_z);

    // Time series only, on another grid (every other point): ranks, above random.
    experiment_set series = held.data.restricted_to({experiment_kind::time_series});
    for (auto& e : series.time_series.experiments) {
        tensor<double> v = tensor<double>::from_shape({11, genes});
        std::vector<double> t;
        for (std::size_t k = 0; k < 11; ++k) {
            t.push_back(e.times[2 * k]);
            for (std::size_t g = 0; g < genes; ++g) v(k, g) = e.values(2 * k, g);
        }
        e.times = t;
        e.values = v;
    }
    const auto series_notes = model.warnings(series);
    CHECK(std::any_of(series_notes.begin(), series_notes.end(),
                      [](const std::string& w) { return w.find("time points per experiment: 11, trained on 21") != std::string::npos; }));
    const double ts_aupr = aupr_of(model.score_network(series), held.data, held.gold);
    MESSAGE("time series only, 11 points: AUPR " << ts_aupr);
    CHECK(ts_aupr > 2.0 * double(held.gold.positives()) / double(held.gold.pairs()));

    // Save and load: identical scores.
    const std::string path = (std::filesystem::temp_directory_path() / "knit_evidence_mlp_test.knit").string();
    model.save(path);
    auto loaded = load_pair_model(path);
    CHECK(loaded->name() == "evidence-mlp");
    CHECK(dynamic_cast<evidence_mlp_model&>(*loaded).score_network(held.data) == scores);
    CHECK(dynamic_cast<evidence_mlp_model&>(*loaded).trained_design().to_text() == model.trained_design().to_text());
    std::filesystem::remove(path);

    // Settings: known keys apply before training, unknown ones are refused.
    evidence_mlp_model fresh;
    fresh.configure("hidden", "16");
    fresh.configure("families", "knockout,timeseries");
    CHECK(fresh.settings().hidden == std::vector<std::size_t>{16});
    CHECK_THROWS_AS(fresh.configure("depth", "3"), value_error);
    CHECK_THROWS_AS(fresh.configure("families", "knockouts"), value_error);
    CHECK_THROWS_AS(model.configure("hidden", "8"), state_error);
}
