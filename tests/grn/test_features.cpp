// Classic all-pairs scores against naive per-pair references, closed-form cases, and the
// |lag-1 correlation| baseline of REFERENCE §7 on DREAM4 size 100.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "knit/core/error.hpp"
#include "knit/core/random.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/features.hpp"
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/grn/prediction.hpp"
#include "support/dream4.hpp"
#include "support/series.hpp"

using namespace knit;
using namespace knit::grn;

namespace {

// Plug-in MI from probabilities with the documented binning, by maps (no shared code).
double naive_mi(const std::vector<double>& a, const std::vector<double>& b, std::size_t bins) {
    auto bin = [bins](const std::vector<double>& x) {
        const double lo = *std::min_element(x.begin(), x.end());
        const double hi = *std::max_element(x.begin(), x.end());
        std::vector<int> out;
        for (double v : x) {
            int k = hi > lo ? static_cast<int>(std::floor((v - lo) / (hi - lo) * bins)) : 0;
            out.push_back(std::min(k, static_cast<int>(bins) - 1));
        }
        return out;
    };
    const auto ca = bin(a), cb = bin(b);
    std::map<int, double> pa, pb;
    std::map<std::pair<int, int>, double> pab;
    const double n = static_cast<double>(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        pa[ca[i]] += 1 / n;
        pb[cb[i]] += 1 / n;
        pab[{ca[i], cb[i]}] += 1 / n;
    }
    double mi = 0;
    for (const auto& [key, p] : pab) mi += p * std::log(p / (pa[key.first] * pb[key.second]));
    return mi;
}

time_series_data random_series(std::size_t genes, const std::vector<std::size_t>& lengths, rng& g) {
    time_series_data d;
    for (std::size_t i = 0; i < genes; ++i) d.genes.push_back("G" + std::to_string(i + 1));
    for (std::size_t steps : lengths) {
        time_series_experiment ex;
        ex.values = tensor<double>::from_shape({steps, genes});
        for (std::size_t k = 0; k < steps; ++k) ex.times.push_back(static_cast<double>(k));
        for (auto& v : ex.values) v = g.uniform();
        d.experiments.push_back(ex);
    }
    // Gene 2 follows gene 0 one step later (inside each experiment), plus noise.
    for (auto& ex : d.experiments)
        for (std::size_t k = 1; k < ex.time_points(); ++k)
            ex.values(k, 2) = ex.values(k - 1, 0) + 0.1 * g.uniform();
    return d;
}

std::vector<double> column(const time_series_data& d, std::size_t gene, std::size_t skip_front,
                           std::size_t skip_back) {
    std::vector<double> out;
    for (const auto& ex : d.experiments)
        for (std::size_t k = skip_front; k + skip_back < ex.time_points(); ++k)
            out.push_back(ex.values(k, gene));
    return out;
}

}  // namespace

TEST_CASE("pearson and lag-k correlation equal the naive pooled formulas") {
    rng g(3);
    const time_series_data d = random_series(6, {7, 5, 9, 1}, g);  // a 1-point experiment too
    const tensor<double> p = pearson_scores(d);
    const tensor<double> lag1 = lag_correlation_scores(d);
    const tensor<double> lag2 = lag_correlation_scores(d, 2);
    REQUIRE(to_shape(p.shape()) == shape_t{6, 6});
    for (std::size_t r = 0; r < 6; ++r)
        for (std::size_t t = 0; t < 6; ++t) {
            if (r == t) {
                CHECK(p(r, t) == 0.0);
                CHECK(lag1(r, t) == 0.0);
                continue;
            }
            CHECK(p(r, t) == doctest::Approx(test::naive_pearson(column(d, r, 0, 0), column(d, t, 0, 0))).epsilon(1e-12));
            // x_r(t) against x_t(t + k), pairs within each experiment only.
            for (std::size_t k : {1, 2}) {
                std::vector<double> src, dst;
                for (const auto& ex : d.experiments)
                    for (std::size_t s = 0; s + k < ex.time_points(); ++s) {
                        src.push_back(ex.values(s, r));
                        dst.push_back(ex.values(s + k, t));
                    }
                const double expected = test::naive_pearson(src, dst);
                CHECK((k == 1 ? lag1 : lag2)(r, t) == doctest::Approx(expected).epsilon(1e-12));
            }
        }
    // Direction: gene 0 leads gene 2, so [0, 2] is strong and [2, 0] is not.
    CHECK(lag1(0, 2) > 0.9);
    CHECK(std::abs(lag1(2, 0)) < 0.5);
}

TEST_CASE("correlation edge cases: constant genes score 0, too few samples refused") {
    tensor<double> x = {{1.0, 5.0, 2.0}, {2.0, 5.0, 4.0}, {3.0, 5.0, 6.5}};
    const tensor<double> p = pearson_scores(x);
    CHECK(p(0, 1) == 0.0);
    CHECK(p(1, 2) == 0.0);
    CHECK(p(0, 2) == doctest::Approx(test::naive_pearson({1, 2, 3}, {2, 4, 6.5})).epsilon(1e-14));
    // Scale-free even for huge values (no overflow in the sums).
    tensor<double> huge = x * 1e300;
    CHECK(pearson_scores(huge)(0, 2) == doctest::Approx(p(0, 2)).epsilon(1e-12));
    CHECK_THROWS_AS(pearson_scores(tensor<double>{{1.0, 2.0}}), value_error);
    rng g(1);
    const time_series_data short_series = random_series(3, {1, 1, 2}, g);
    CHECK_THROWS_AS(lag_correlation_scores(short_series), value_error);  // only 1 lagged pair
    CHECK_THROWS_AS(lag_correlation_scores(short_series, 0), value_error);
}

TEST_CASE("mutual information: naive reference, closed forms, bin rule") {
    CHECK(default_mutual_information_bins(210) == 6);  // floor(sqrt(42))
    CHECK(default_mutual_information_bins(3) == 2);
    CHECK(default_mutual_information_bins(2000) == 20);
    rng g(8);
    const time_series_data d = random_series(5, {21, 21, 21}, g);
    const tensor<double> mi = mutual_information_scores(d);
    const std::size_t bins = default_mutual_information_bins(63);
    for (std::size_t r = 0; r < 5; ++r)
        for (std::size_t t = 0; t < 5; ++t) {
            if (r == t) {
                CHECK(mi(r, t) == 0.0);
                continue;
            }
            CHECK(mi(r, t) == mi(t, r));
            CHECK(mi(r, t) ==
                  doctest::Approx(naive_mi(column(d, r, 0, 0), column(d, t, 0, 0), bins)).epsilon(1e-12));
        }
    // Closed forms: a balanced binary copy carries ln 2; an independent design carries 0;
    // a constant gene carries 0.
    tensor<double> x = {{0.0, 0.0, 0.0, 7.0}, {0.0, 0.0, 1.0, 7.0}, {1.0, 1.0, 0.0, 7.0}, {1.0, 1.0, 1.0, 7.0}};
    mutual_information_options two;
    two.bins = 2;
    const tensor<double> m = mutual_information_scores(x, two);
    CHECK(m(0, 1) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
    CHECK(m(0, 2) == doctest::Approx(0.0));
    CHECK(m(0, 3) == 0.0);
    two.bins = 1;
    CHECK_THROWS_AS(mutual_information_scores(x, two), value_error);
    x(1, 1) = NAN;
    CHECK_THROWS_AS(mutual_information_scores(x), value_error);
}

KNIT_DREAM4_TEST_CASE("|lag-1 correlation| on DREAM4 size 100 reproduces REFERENCE section 7") {
    const std::string root = knit::test::dream4_dir().value();
    const double aupr[] = {0.138, 0.067, 0.176, 0.128, 0.128};
    const double auroc[] = {0.757, 0.631, 0.711, 0.687, 0.727};
    for (int n = 1; n <= 5; ++n) {
        const time_series_data d = read_time_series(dream4_path(root, 100, n, dream4_file::time_series));
        const gold_standard gs = read_gold_standard(dream4_path(root, 100, n, dream4_file::gold_standard), d.genes);
        const tensor<double> scores = xt::abs(lag_correlation_scores(d, 1));
        const dream_score s = score_dream(rank_edges(scores, d.genes), gs);
        INFO("network " << n << ": AUPR " << s.aupr << ", AUROC " << s.auroc);
        CHECK(s.ranked == 9900);
        // Equal when rounded to 3 decimals, as the table gives them.
        CHECK(std::round(s.aupr * 1000) == std::round(aupr[n - 1] * 1000));
        CHECK(std::round(s.auroc * 1000) == std::round(auroc[n - 1] * 1000));
    }
}
