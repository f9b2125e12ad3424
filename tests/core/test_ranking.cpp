#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/core/random.hpp"
#include "knit/core/ranking.hpp"

namespace {

// Independent definitions: ROC AUC as the Mann-Whitney statistic over all (positive,
// negative) pairs, AP as the mean over positives of the precision at that positive's score.
double pairwise_auc(const std::vector<double>& s, const std::vector<int>& y) {
    double wins = 0, pairs = 0;
    for (std::size_t i = 0; i < s.size(); ++i)
        for (std::size_t j = 0; j < s.size(); ++j)
            if (y[i] == 1 && y[j] == 0) {
                wins += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
                pairs += 1;
            }
    return wins / pairs;
}

double precision_mean_ap(const std::vector<double>& s, const std::vector<int>& y) {
    double sum = 0, positives = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (y[i] != 1) continue;
        double called = 0, hits = 0;
        for (std::size_t j = 0; j < s.size(); ++j)
            if (s[j] >= s[i]) called += 1, hits += y[j];
        sum += hits / called;
        positives += 1;
    }
    return sum / positives;
}

}  // namespace

TEST_CASE("ranking: ROC AUC and AP equal their pairwise definitions, ties included") {
    knit::rng g(5);
    for (int trial = 0; trial < 20; ++trial) {
        const std::size_t n = 5 + g.below(60);
        std::vector<double> s(n);
        std::vector<int> y(n);
        for (std::size_t i = 0; i < n; ++i) {
            s[i] = double(g.below(trial % 2 ? 6 : 1000)) / 7;  // odd trials: many ties
            y[i] = g.uniform() < 0.3 ? 1 : 0;
        }
        y[0] = 1;
        y[1] = 0;
        CHECK(knit::ranking::roc_auc(s, y) == doctest::Approx(pairwise_auc(s, y)).epsilon(1e-12));
        CHECK(knit::ranking::average_precision(s, y) == doctest::Approx(precision_mean_ap(s, y)).epsilon(1e-12));
    }
}

TEST_CASE("ranking: curves run from their fixed first points; refusals name the caller") {
    const std::vector<double> s{0.9, 0.8, 0.8, 0.1};
    const std::vector<int> y{1, 0, 1, 0};
    const auto roc = knit::ranking::roc_curve(s, y);
    REQUIRE(roc.size() == 4);  // (0, 0) and three distinct thresholds
    CHECK(roc[1] == std::pair<double, double>{0.0, 0.5});
    CHECK(roc[2] == std::pair<double, double>{0.5, 1.0});
    CHECK(roc.back() == std::pair<double, double>{1.0, 1.0});
    const auto pr = knit::ranking::pr_curve(s, y);
    CHECK(pr.front() == std::pair<double, double>{0.0, 1.0});
    CHECK(pr[2].second == doctest::Approx(2.0 / 3));

    CHECK_THROWS_WITH_AS(knit::ranking::roc_auc({0.1, 0.2}, {1, 1}, "val_roc_auc"),
                         doctest::Contains("val_roc_auc: got 2 positives among 2 labels"), knit::value_error);
    CHECK_THROWS_WITH_AS(knit::ranking::average_precision({0.1}, {0, 1}), doctest::Contains("average_precision:"),
                         knit::value_error);
    CHECK_THROWS_AS(knit::ranking::roc_auc({0.1, INFINITY}, {1, 0}), knit::value_error);
}
