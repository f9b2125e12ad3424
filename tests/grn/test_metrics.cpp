// Metrics: DREAM AUROC/AUPR (hand cases, a step-by-step transcription of the official
// script on random lists, the 15 official example predictions), p-values and the overall
// score; BEELINE's early precision, EPR and AUPR ratio on hand cases; scikit-learn's AP /
// ROC AUC / curves and the seed's prec_rec on committed fixtures.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/core/random.hpp"
#include "knit/grn/metrics.hpp"
#include "support/dream4.hpp"
#include "support/fixtures.hpp"

using knit::grn::gold_standard;
using knit::grn::scored_edge;

namespace {

// The official DREAM4_Challenge2_Evaluation.m, followed step by step (curve arrays, the
// tail loop one expected positive at a time, the trapezoid over them, the AUPR tail in
// the script's own form). Written independently of src/grn/metrics.cpp, which uses closed
// forms; `ranking` must already be cleaned (no self-loops, repeats or unknown genes).
struct official_result {
    double auroc, aupr;
};
official_result official_transcription(const std::vector<std::pair<std::size_t, std::size_t>>& ranking,
                                       const gold_standard& gs) {
    const double T = static_cast<double>(gs.pairs());
    const double P = static_cast<double>(gs.positives());
    const double N = T - P;
    const std::size_t L = ranking.size();
    std::vector<double> rec, prec, tpr, fpr;
    double Ak = 0, TPk = 0, FPk = 0;
    for (std::size_t k = 1; k <= L; ++k) {
        const auto [i, j] = ranking[k - 1];
        if (gs.is_edge(i, j)) {
            TPk += 1;
            Ak += k == 1 ? 1 / P : (1 - FPk * std::log(double(k) / double(k - 1))) / P;
        } else {
            FPk += 1;
        }
        rec.push_back(TPk / P);
        prec.push_back(TPk / double(k));
        tpr.push_back(TPk / P);
        fpr.push_back(FPk / N);
    }
    const double TPL = TPk;
    const double rh = double(L) < T ? (P - TPL) / (T - double(L)) : 0;
    const double recL = L > 0 ? rec[L - 1] : 0;
    while (TPk < P) {
        TPk += 1;
        const double r = TPk / P;
        const double denominator = (r - recL) * P + double(L) * rh;
        const double p = denominator != 0 ? rh * P * r / denominator : 0;
        rec.push_back(r);
        prec.push_back(p);
        tpr.push_back(r);
        FPk = TPk * (1 - p) / p;
        fpr.push_back(FPk / N);
    }
    double aupr;
    if (rh != 0 && L != 0)
        aupr = Ak + rh * (1 - recL) +
               rh * (recL - double(L) * rh / P) *
                   std::log((double(L) * rh + P * (1 - recL)) / (double(L) * rh));
    else if (L == 0)
        aupr = P / T;
    else
        aupr = Ak;
    double lc = fpr[0] * tpr[0] / 2;
    for (std::size_t n = 0; n + 1 < fpr.size(); ++n)
        lc += (fpr[n + 1] + fpr[n]) * (tpr[n + 1] - tpr[n]) / 2;
    return {1 - lc, aupr};
}

gold_standard three_genes() {
    gold_standard gs({"A", "B", "C"});
    gs.add_edge(0, 1);  // A -> B
    gs.add_edge(1, 2);  // B -> C
    return gs;
}

std::vector<double> as_vector(const knit::tensor<double>& t) {
    return std::vector<double>(t.begin(), t.end());
}
std::vector<int> as_labels(const knit::tensor<double>& t) {
    std::vector<int> out;
    for (double v : t) out.push_back(static_cast<int>(v));
    return out;
}

}  // namespace

TEST_CASE("score_dream: hand-computed cases") {
    const gold_standard gs = three_genes();  // T = 6, P = 2, N = 4
    SUBCASE("full list") {
        const std::vector<scored_edge> ranking{{"A", "B", 6}, {"A", "C", 5}, {"B", "C", 4},
                                               {"B", "A", 3}, {"C", "A", 2}, {"C", "B", 1}};
        const auto s = knit::grn::score_dream(ranking, gs);
        // Positives at ranks 1 and 3: 7 of the 8 positive-negative pairs are in order.
        CHECK(s.auroc == doctest::Approx(7.0 / 8).epsilon(1e-15));
        // 1/P at rank 1, then (1 - FP ln(3/2)) / P at rank 3 with FP = 1.
        CHECK(s.aupr == doctest::Approx((2 - std::log(1.5)) / 2).epsilon(1e-15));
        CHECK(s.ranked == 6);
        CHECK(s.true_positives == 2);
        CHECK(std::isnan(s.p_auroc));
        CHECK(std::isnan(s.p_aupr));
    }
    SUBCASE("one edge, then the random tail") {
        const auto s = knit::grn::score_dream(std::vector<scored_edge>{{"A", "B", 1}}, gs);
        // The other positive is uniform over the 5 remaining ranks: half of the 4 negatives
        // are below it on average, so AUROC = (4 + 2) / 8.
        CHECK(s.auroc == doctest::Approx(0.75).epsilon(1e-15));
        // rho = 1/5, R_L = 1/2: 1/2 + rho / 2 + rho (1/2 - rho / 2) ln 6.
        CHECK(s.aupr == doctest::Approx(0.5 + 0.1 + 0.2 * 0.4 * std::log(6.0)).epsilon(1e-15));
    }
    SUBCASE("empty list: a random ranking") {
        const auto s = knit::grn::score_dream(std::vector<scored_edge>{}, gs);
        CHECK(s.auroc == doctest::Approx(0.5).epsilon(1e-15));
        CHECK(s.aupr == doctest::Approx(2.0 / 6).epsilon(1e-15));
    }
    SUBCASE("worst full list") {
        const std::vector<std::pair<std::size_t, std::size_t>> ranking{
            {0, 2}, {1, 0}, {2, 0}, {2, 1}, {0, 1}, {1, 2}};
        const auto s = knit::grn::score_dream(ranking, gs);
        CHECK(s.auroc == doctest::Approx(0.0).epsilon(1e-15));
        CHECK(s.aupr == doctest::Approx((1 - 4 * std::log(5.0 / 4) + 1 - 4 * std::log(6.0 / 5)) / 2)
                            .epsilon(1e-15));
    }
    SUBCASE("self-loops, unknown genes and repeats drop out and are counted") {
        const std::vector<scored_edge> noisy{{"A", "A", 9}, {"A", "B", 8}, {"Z", "B", 7},
                                             {"A", "B", 6}, {"C", "A", 5}, {"B", "Q", 4},
                                             {"C", "C", 3}, {"C", "A", 2}};
        const std::vector<scored_edge> clean{{"A", "B", 8}, {"C", "A", 5}};
        const auto a = knit::grn::score_dream(noisy, gs);
        const auto b = knit::grn::score_dream(clean, gs);
        CHECK(a.auroc == b.auroc);
        CHECK(a.aupr == b.aupr);
        CHECK(a.ranked == 2);
        CHECK(a.dropped_self_loops == 2);
        CHECK(a.dropped_unknown_genes == 2);
        CHECK(a.dropped_repeats == 2);
    }
    SUBCASE("refusals") {
        CHECK_THROWS_AS(knit::grn::score_dream(std::vector<scored_edge>{}, gold_standard({"A", "B"})),
                        knit::value_error);  // no positive
        gold_standard full({"A", "B"});
        full.add_edge(0, 1);
        full.add_edge(1, 0);
        CHECK_THROWS_AS(knit::grn::score_dream(std::vector<scored_edge>{}, full),
                        knit::value_error);  // no negative
        CHECK_THROWS_AS(knit::grn::score_dream(
                            std::vector<std::pair<std::size_t, std::size_t>>{{0, 3}}, gs),
                        knit::value_error);
    }
}

namespace {
// Four genes, three true edges A -> B, B -> C, C -> A: k = P = 3, T = 12, density 1/4.
gold_standard cycle_of_three() {
    gold_standard gs({"A", "B", "C", "D"});
    gs.add_edge(0, 1);
    gs.add_edge(1, 2);
    gs.add_edge(2, 0);
    return gs;
}
}  // namespace

TEST_CASE("BEELINE early precision, EPR and AUPR ratio: hand-computed cases") {
    const gold_standard gs = cycle_of_three();
    auto ep = [&](const std::vector<scored_edge>& ranking) { return knit::grn::score_early_precision(ranking, gs); };
    SUBCASE("sorted list, a tie inside the top k") {
        // Scores 0.9 0.8 0.8 0.7 0.6; the 3rd largest is 0.8, so the three edges >= 0.8 are
        // called: A->B (true), A->C, B->C (true). EP = 2/3, EPR = (2/3) / (3/12) = 8/3.
        const auto e = ep({{"A", "B", 0.9}, {"A", "C", 0.8}, {"B", "C", 0.8}, {"D", "A", 0.7}, {"C", "A", 0.6}});
        CHECK(e.k == 3);
        CHECK(e.density == 0.25);
        CHECK(e.called == 3);
        CHECK(e.true_positives == 2);
        CHECK(e.early_precision == doctest::Approx(2.0 / 3).epsilon(1e-15));
        CHECK(e.epr == doctest::Approx(8.0 / 3).epsilon(1e-15));
    }
    SUBCASE("ties at the k-th score are all called") {
        // Scores 0.9 0.8 0.7 0.7 0.7 0.1: the 3rd largest is 0.7, reached by five edges
        // (A->B true, A->C, D->A, B->C true, D->B): EP = 2/5, EPR = 1.6. The first three
        // alone would give 1/3.
        const auto e = ep({{"A", "B", 0.9}, {"A", "C", 0.8}, {"D", "A", 0.7}, {"B", "C", 0.7}, {"D", "B", 0.7},
                           {"C", "A", 0.1}});
        CHECK(e.called == 5);
        CHECK(e.true_positives == 2);
        CHECK(e.early_precision == doctest::Approx(0.4).epsilon(1e-15));
        CHECK(e.epr == doctest::Approx(1.6).epsilon(1e-15));
    }
    SUBCASE("an unsorted list is ranked by score, not by position") {
        // D->A (false, 0.05) comes first in the file; by score the top 3 are the three
        // true edges: EP = 1, EPR = 4 (the first three lines would give 2/3).
        const auto e = ep({{"D", "A", 0.05}, {"A", "B", 0.9}, {"B", "C", 0.85}, {"C", "A", 0.8}});
        CHECK(e.called == 3);
        CHECK(e.early_precision == 1.0);
        CHECK(e.epr == 4.0);
    }
    SUBCASE("scores of 0 are no prediction, as in BEELINE") {
        // The 3rd largest score is 0, so the threshold rises to the smallest positive
        // score, 0.9: only A->B is called, EP = 1 (all four edges would give 2/4).
        auto e = ep({{"A", "B", 0.9}, {"A", "C", 0}, {"B", "C", 0}, {"D", "A", 0}});
        CHECK(e.called == 1);
        CHECK(e.early_precision == 1.0);
        // Nothing positive: nothing is called, EP = 0.
        e = ep({{"A", "B", 0}, {"B", "C", 0}});
        CHECK(e.called == 0);
        CHECK(e.early_precision == 0.0);
        CHECK(e.epr == 0.0);
    }
    SUBCASE("fewer edges than k, and the same drops as the DREAM metric") {
        // Two edges < k = 3: both are called, EP = 1/2.
        CHECK(ep({{"A", "B", 0.5}, {"D", "C", 0.4}}).early_precision == 0.5);
        // A self-loop, an unknown gene and a repeat (its higher score ignored: the first
        // listing wins) drop out; left: A->B 0.9 (true), D->A 0.5, B->C 0.4 (true): 2/3.
        const auto e = ep({{"A", "A", 0.99}, {"Z", "B", 0.98}, {"A", "B", 0.9}, {"A", "B", 0.95}, {"D", "A", 0.5},
                           {"B", "C", 0.4}});
        CHECK(e.called == 3);
        CHECK(e.early_precision == doctest::Approx(2.0 / 3).epsilon(1e-15));
        // The empty list calls nothing.
        CHECK(ep({}).early_precision == 0.0);
    }
    SUBCASE("score_dream carries the same numbers and the AUPR ratio") {
        const gold_standard three = three_genes();  // T = 6, P = 2, density 1/3
        const std::vector<scored_edge> ranking{{"A", "B", 6}, {"A", "C", 5}, {"B", "C", 4},
                                               {"B", "A", 3}, {"C", "A", 2}, {"C", "B", 1}};
        const auto s = knit::grn::score_dream(ranking, three);
        // k = 2: A->B (true) and A->C are called: EP = 1/2, EPR = (1/2) / (1/3) = 3/2.
        CHECK(s.early_precision == 0.5);
        CHECK(s.epr == doctest::Approx(1.5).epsilon(1e-15));
        CHECK(s.early_called == 2);
        CHECK(s.early_true_positives == 1);
        // AUPR = (2 - ln 1.5) / 2 (the hand case above), over the density 1/3.
        CHECK(s.aupr_ratio == doctest::Approx(3 * (2 - std::log(1.5)) / 2).epsilon(1e-14));
        // A random ranking (the empty list) has DREAM AUPR = density: ratio 1.
        CHECK(knit::grn::score_dream(std::vector<scored_edge>{}, three).aupr_ratio == doctest::Approx(1.0).epsilon(1e-15));
        // The index front end has no scores: its first k edges, in list order.
        const auto worst = knit::grn::score_dream(
            std::vector<std::pair<std::size_t, std::size_t>>{{0, 2}, {1, 0}, {2, 0}, {2, 1}, {0, 1}, {1, 2}}, three);
        CHECK(worst.early_precision == 0.0);
        CHECK(worst.early_called == 2);
        const auto best = knit::grn::score_dream(std::vector<std::pair<std::size_t, std::size_t>>{{1, 2}, {0, 1}}, three);
        CHECK(best.early_precision == 1.0);
        CHECK(best.epr == doctest::Approx(3.0).epsilon(1e-15));
        // A gold standard without both classes is refused, as by score_dream.
        CHECK_THROWS_AS(knit::grn::score_early_precision({}, gold_standard({"A", "B"})), knit::value_error);
    }
}

TEST_CASE("score_dream equals a step-by-step transcription of the official script") {
    knit::rng g(2024);
    for (int trial = 0; trial < 300; ++trial) {
        const std::size_t n = 3 + g.below(10);
        std::vector<std::string> genes;
        for (std::size_t i = 0; i < n; ++i) genes.push_back("G" + std::to_string(i + 1));
        gold_standard gs(genes);
        const double density = g.uniform(0.05, 0.6);
        std::vector<std::pair<std::size_t, std::size_t>> all;
        for (std::size_t r = 0; r < n; ++r)
            for (std::size_t t = 0; t < n; ++t)
                if (r != t) {
                    all.emplace_back(r, t);
                    if (g.uniform() < density) gs.add_edge(r, t);
                }
        if (gs.positives() == 0) gs.add_edge(0, 1);
        if (gs.negatives() == 0) continue;
        g.shuffle(all.begin(), all.end());
        // Lengths 0, T and everything between; sometimes lists that find every positive early.
        std::size_t L = trial % 7 == 0 ? 0 : trial % 7 == 1 ? all.size() : g.below(all.size() + 1);
        if (trial % 11 == 2)
            std::stable_partition(all.begin(), all.end(),
                                  [&](auto e) { return gs.is_edge(e.first, e.second); });
        all.resize(L);
        const auto expected = official_transcription(all, gs);
        const auto got = knit::grn::score_dream(all, gs);
        INFO("trial " << trial << " n " << n << " L " << L << " P " << gs.positives());
        CHECK(got.auroc == doctest::Approx(expected.auroc).epsilon(1e-12));
        CHECK(got.aupr == doctest::Approx(expected.aupr).epsilon(1e-12));
        // The plotted ROC points enclose exactly the reported area.
        std::vector<scored_edge> named;
        for (auto [r, t] : all) named.push_back({genes[r], genes[t], 0});
        const auto curves = knit::grn::dream_curve_points(named, gs);
        double area = 0;
        for (std::size_t k = 1; k < curves.roc.size(); ++k)
            area += (curves.roc[k].first - curves.roc[k - 1].first) *
                    (curves.roc[k].second + curves.roc[k - 1].second) / 2;
        area += (1 - curves.roc.back().first) * curves.roc.back().second;  // flat to FPR = 1
        CHECK(area == doctest::Approx(got.auroc).epsilon(1e-9));
        CHECK(curves.roc.back().second == doctest::Approx(1.0));
        CHECK(curves.pr.back().first == doctest::Approx(1.0));
    }
}

TEST_CASE("null_p_value and overall_score") {
    const std::vector<double> x{0.0, 0.25, 0.5, 0.75, 1.0};
    const std::vector<double> y{0.4, 1.2, 1.6, 0.6, 0.2};
    CHECK(knit::grn::null_p_value(x, y, 0.5) == doctest::Approx((1.6 + 0.6 + 0.2) * 0.25));
    CHECK(knit::grn::null_p_value(x, y, 0.6) == doctest::Approx((0.6 + 0.2) * 0.25));
    CHECK(knit::grn::null_p_value(x, y, -1) == doctest::Approx(4.0 * 0.25));
    CHECK(knit::grn::null_p_value(x, y, 1.5) == 0.0);
    CHECK_THROWS_AS(knit::grn::null_p_value({0.0}, {1.0}, 0.5), knit::value_error);

    knit::grn::dream_score a, b;
    a.p_aupr = 1e-2;
    a.p_auroc = 1e-4;
    b.p_aupr = 1e-6;
    b.p_auroc = 1e-2;
    // -mean(log10 p_aupr) = 4, -mean(log10 p_auroc) = 3.
    CHECK(knit::grn::overall_score({a, b}) == doctest::Approx(3.5).epsilon(1e-14));
    knit::grn::dream_score unscored;
    CHECK_THROWS_AS(knit::grn::overall_score({a, unscored}), knit::value_error);
    CHECK_THROWS_AS(knit::grn::overall_score({}), knit::value_error);
    b.p_aupr = 0;
    CHECK(std::isinf(knit::grn::overall_score({a, b})));
}

TEST_CASE("parse_null_density refuses bad input") {
    auto parse = [](const std::string& text) {
        return knit::grn::parse_null_density(text, "pdf.tsv");
    };
    const auto d = parse("auroc_X\tauroc_Y\taupr_X\taupr_Y\r\n0\t1\t0\t2\r\n0.5\t1\t0.5\t0\r\n");
    CHECK(d.auroc_x == std::vector<double>{0, 0.5});
    CHECK(d.aupr_y == std::vector<double>{2, 0});
    CHECK_THROWS_AS(parse(""), knit::parse_error);
    CHECK_THROWS_AS(parse("auroc_X\tauroc_Y\taupr_X\taupr_Y\n0\t1\t0\t1\n"), knit::parse_error);
    CHECK_THROWS_AS(parse("auroc_X\tauroc_Y\taupr_X\n0\t1\t0\n0.1\t1\t1\n"), knit::parse_error);
    CHECK_THROWS_AS(parse("x\tauroc_Y\taupr_X\taupr_Y\n0\t1\t0\t1\n1\t1\t1\t1\n"),
                    knit::parse_error);
    CHECK_THROWS_AS(parse("auroc_X\tauroc_Y\taupr_X\taupr_Y\n0\t1\t0\t1\n0\t1\t1\t1\n"),
                    knit::parse_error);  // grid not increasing
    CHECK_THROWS_AS(parse("auroc_X\tauroc_Y\taupr_X\taupr_Y\n0\t1\t0\t1\n1\t-1\t1\t1\n"),
                    knit::parse_error);  // negative density
    CHECK_THROWS_AS(parse("auroc_X\tauroc_Y\taupr_X\taupr_Y\n0\t1\t0\t1\n1\tnan\t1\t1\n"),
                    knit::parse_error);
}

KNIT_DREAM4_TEST_CASE("score_dream reproduces the 15 official example predictions") {
    const std::string dir = knit::test::dream4_dir().value();
    std::ifstream in(dir + "/scoring/example_predictions/expected_scores.tsv");
    REQUIRE(in.good());
    std::string line;
    std::getline(in, line);  // header
    std::size_t rows = 0;
    std::vector<knit::grn::dream_score> scores[3];
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string sub, net, file;
        std::size_t count = 0;
        double auroc_dreamtools, auroc, aupr, p_auroc, p_aupr;
        fields >> sub >> net >> file >> count >> auroc_dreamtools >> auroc >> aupr >> p_auroc >> p_aupr;
        REQUIRE_FALSE(fields.fail());
        std::string gold, density;
        int group;
        if (sub == "10") {
            gold = "size10/goldstandard/DREAM4_GoldStandard_InSilico_Size10_" + net;
            density = "pdf_size10_" + net;
            group = 0;
        } else if (sub == "100") {
            gold = "size100/goldstandard/DREAM4_GoldStandard_InSilico_Size100_" + net;
            density = "pdf_size100_" + net;
            group = 1;
        } else {
            REQUIRE(sub == "100_multifactorial");
            gold = "size100_multifactorial/goldstandard/"
                   "DREAM4_GoldStandard_InSilico_Size100_multifactorial_" + net;
            density = "pdf_multifactorial_" + net;
            group = 2;
        }
        const auto gs = knit::grn::read_gold_standard(dir + "/" + gold + ".tsv");
        const auto pdf = knit::grn::read_null_density(dir + "/scoring/probability_densities/" +
                                                      density + ".tsv");
        const auto prediction = knit::grn::read_prediction(dir + "/" + file);
        CHECK(prediction.size() == count);
        const auto s = knit::grn::score_dream(prediction, gs, &pdf);
        INFO(file);
        CHECK(s.ranked == count);
        CHECK(std::abs(s.auroc - auroc) <= 1e-6);
        CHECK(std::abs(s.auroc - auroc_dreamtools) <= 1e-6);
        CHECK(std::abs(s.aupr - aupr) <= 1e-6);
        // p-values are given to 7 significant digits: within 1e-6 absolute and relative.
        CHECK(std::abs(s.p_auroc - p_auroc) <= 1e-6 * std::min(1.0, p_auroc) + 1e-12);
        CHECK(std::abs(s.p_aupr - p_aupr) <= 1e-6 * std::min(1.0, p_aupr) + 1e-12);
        CHECK(std::abs(s.p_auroc - p_auroc) <= 1e-6);
        CHECK(std::abs(s.p_aupr - p_aupr) <= 1e-6);
        scores[group].push_back(s);
        ++rows;
    }
    CHECK(rows == 15);
    // The overall score of each sub-challenge from the expected p-values' definition.
    for (const auto& group : scores) {
        REQUIRE(group.size() == 5);
        double la = 0, lr = 0;
        for (const auto& s : group) {
            la += std::log10(s.p_aupr);
            lr += std::log10(s.p_auroc);
        }
        CHECK(knit::grn::overall_score(group) == doctest::Approx(-0.5 * (la + lr) / 5).epsilon(1e-14));
    }
}

TEST_CASE("average_precision, roc_auc and curves match scikit-learn; prec_rec matches MATLAB") {
    const auto f = knit::test::load_fixture("metric_sklearn.txt");
    for (const std::string name : {"continuous", "ties", "all_equal", "single_positive", "few_levels"}) {
        INFO(name);
        const auto scores = as_vector(knit::test::get(f, name + "_scores"));
        const auto labels = as_labels(knit::test::get(f, name + "_labels"));
        CHECK(knit::grn::average_precision(scores, labels) ==
              doctest::Approx(knit::test::get(f, name + "_ap")()).epsilon(1e-12));
        CHECK(knit::grn::roc_auc(scores, labels) ==
              doctest::Approx(knit::test::get(f, name + "_roc_auc")()).epsilon(1e-12));
        for (const char* which : {"_roc", "_pr"}) {
            const auto& expected = knit::test::get(f, name + which);
            const auto points = std::string(which) == "_roc" ? knit::grn::roc_curve(scores, labels)
                                                             : knit::grn::pr_curve(scores, labels);
            REQUIRE(points.size() == expected.shape(0));
            for (std::size_t k = 0; k < points.size(); ++k) {
                CHECK(points[k].first == doctest::Approx(expected(k, 0)).epsilon(1e-12));
                CHECK(points[k].second == doctest::Approx(expected(k, 1)).epsilon(1e-12));
            }
        }
        const auto pr = knit::grn::prec_rec(scores, labels);
        const auto thresholds = as_vector(knit::test::get(f, name + "_pr_thresholds"));
        REQUIRE(pr.thresholds.size() == thresholds.size());
        for (std::size_t k = 0; k < thresholds.size(); ++k) {
            CHECK(pr.thresholds[k] == doctest::Approx(thresholds[k]).epsilon(1e-12));
            CHECK(pr.precision[k] == doctest::Approx(knit::test::get(f, name + "_pr_precision")(k)).epsilon(1e-12));
            CHECK(pr.tpr[k] == doctest::Approx(knit::test::get(f, name + "_pr_tpr")(k)).epsilon(1e-12));
            CHECK(pr.fpr[k] == doctest::Approx(knit::test::get(f, name + "_pr_fpr")(k)).epsilon(1e-12));
        }
        CHECK(pr.auroc == doctest::Approx(knit::test::get(f, name + "_pr_auroc")()).epsilon(1e-12));
        CHECK(pr.aupr == doctest::Approx(knit::test::get(f, name + "_pr_aupr")()).epsilon(1e-12));
    }
}

TEST_CASE("sklearn metrics: hand cases, ties and refusals") {
    // Ties grouped: one positive and one negative tied count 1/2 in ROC AUC.
    CHECK(knit::grn::roc_auc({0.5, 0.5}, {1, 0}) == 0.5);
    CHECK(knit::grn::roc_auc({0.9, 0.1}, {1, 0}) == 1.0);
    CHECK(knit::grn::roc_auc({0.1, 0.9}, {1, 0}) == 0.0);
    // AP: positives at distinct ranks 1 and 3 -> (1 + 2/3) / 2.
    CHECK(knit::grn::average_precision({0.9, 0.8, 0.7, 0.6}, {1, 0, 1, 0}) ==
          doctest::Approx(5.0 / 6).epsilon(1e-15));
    // The same scores with ranks 2 and 3 tied: one threshold for both.
    CHECK(knit::grn::average_precision({0.9, 0.8, 0.8, 0.6}, {1, 0, 1, 0}) ==
          doctest::Approx(0.5 + 0.5 * 2.0 / 3).epsilon(1e-15));
    CHECK(knit::grn::average_precision({0.3, 0.3, 0.3}, {1, 0, 0}) == doctest::Approx(1.0 / 3));
    CHECK_THROWS_AS(knit::grn::average_precision({0.1, 0.2}, {0, 0}), knit::value_error);
    CHECK_THROWS_AS(knit::grn::roc_auc({0.1, 0.2}, {1, 1}), knit::value_error);
    CHECK_THROWS_AS(knit::grn::roc_auc({0.1, 0.2}, {1, 2}), knit::value_error);
    CHECK_THROWS_AS(knit::grn::roc_auc({0.1}, {1, 0}), knit::value_error);
    CHECK_THROWS_AS(knit::grn::roc_auc({0.1, std::nan("")}, {1, 0}), knit::value_error);
    CHECK_THROWS_AS(knit::grn::average_precision({}, {}), knit::value_error);
    CHECK_THROWS_AS(knit::grn::prec_rec({0.1, 0.2}, {1, 1}), knit::value_error);
}

TEST_CASE("matlab_quantile: (i - 0.5) / n positions, clamped") {
    const std::vector<double> x{4, 1, 3, 2};
    CHECK(knit::grn::matlab_quantile(x, 0.5) == doctest::Approx(2.5));
    CHECK(knit::grn::matlab_quantile(x, 0.1) == 1.0);   // below 0.5 / n
    CHECK(knit::grn::matlab_quantile(x, 0.3) == doctest::Approx(1.7));
    CHECK(knit::grn::matlab_quantile(x, 0.875) == 4.0);  // at (n - 0.5) / n
    CHECK(knit::grn::matlab_quantile(x, 1.0) == 4.0);
    CHECK(knit::grn::matlab_quantile({7}, 0.3) == 7.0);
    CHECK_THROWS_AS(knit::grn::matlab_quantile({}, 0.5), knit::value_error);
    CHECK_THROWS_AS(knit::grn::matlab_quantile(x, 1.5), knit::value_error);
}
