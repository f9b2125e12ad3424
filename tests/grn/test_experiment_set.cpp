// Experiment sets: kinds, restriction, refusals naming the missing file, alignment of
// steady-state tables, the DREAM4 folder reader for every kind, and the knockout-z and
// knockdown-z baselines against a naive computation and the DREAM4 anchors (REFERENCE §7b).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "knit/core/error.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/evaluation.hpp"
#include "knit/grn/experiment_set.hpp"
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/steady_state_features.hpp"
#include "support/dream4.hpp"

using namespace knit;
using namespace knit::grn;

namespace {

steady_state_data table(std::vector<std::string> genes, steady_state_kind kind, tensor<double> values,
                        std::vector<std::size_t> perturbed = {}) {
    steady_state_data t;
    t.genes = std::move(genes);
    t.kind = kind;
    t.values = std::move(values);
    t.perturbed = std::move(perturbed);
    return t;
}

// 4 genes; knockouts of G1, G2, G3, G4 in that order, a wild type, no time series.
experiment_set four_genes() {
    experiment_set s;
    s.genes = {"G1", "G2", "G3", "G4"};
    s.time_series.genes = s.genes;
    add_steady_state(s, table(s.genes, steady_state_kind::wildtype, tensor<double>{{0.5, 0.4, 0.3, 0.6}}), "wt.tsv");
    add_steady_state(s,
                     table(s.genes, steady_state_kind::knockouts,
                           tensor<double>{{0.0, 0.1, 0.3, 0.6},    // G1 out: G2 drops
                                          {0.5, 0.0, 0.35, 0.6},   // G2 out: G3 rises a little
                                          {0.45, 0.4, 0.0, 0.9},   // G3 out: G4 rises
                                          {0.5, 0.42, 0.3, 0.0}},  // G4 out: nothing
                           one_row_per_gene(4)),
                     "ko.tsv");
    return s;
}

// The knockout z-score written out loop by loop, as REFERENCE §7b states it.
double naive_knockout_z(const experiment_set& s, std::size_t i, std::size_t j) {
    const steady_state_data& ko = *s.knockouts;
    const std::size_t n = ko.experiment_count();
    double mean = 0;
    for (std::size_t e = 0; e < n; ++e) mean += ko.values(e, j) / double(n);
    double var = 0;
    for (std::size_t e = 0; e < n; ++e) var += (ko.values(e, j) - mean) * (ko.values(e, j) - mean) / double(n);
    std::size_t row = n;
    for (std::size_t e = 0; e < n; ++e)
        if (ko.perturbed[e] == i) row = e;
    if (row == n || i == j || var == 0) return 0;
    return std::abs(ko.values(row, j) - s.wildtype->values(0, j)) / std::sqrt(var);
}

}  // namespace

TEST_CASE("experiment kinds: parse, print, set algebra and refusals") {
    CHECK(experiment_kinds::parse("all") == experiment_kinds::all());
    const experiment_kinds some = experiment_kinds::parse(" knockouts ,timeseries");
    CHECK(some.has(experiment_kind::time_series));
    CHECK(some.has(experiment_kind::knockouts));
    CHECK_FALSE(some.has(experiment_kind::wildtype));
    CHECK(some.to_string() == "timeseries,knockouts");
    CHECK(experiment_kinds{}.to_string() == "none");
    CHECK(experiment_kinds::all().to_string() == "timeseries,wildtype,knockouts,knockdowns,multifactorial");
    CHECK((some & experiment_kinds{experiment_kind::knockouts}) == experiment_kinds{experiment_kind::knockouts});
    CHECK(some.without(experiment_kinds{experiment_kind::knockouts}) == experiment_kinds{experiment_kind::time_series});
    CHECK(experiment_kinds::all().contains(some));
    CHECK_FALSE(some.contains(experiment_kinds::all()));
    CHECK_THROWS_WITH_AS(experiment_kinds::parse("timeseries,knockout"), doctest::Contains("got 'knockout'"), value_error);
    CHECK_THROWS_WITH_AS(experiment_kinds::parse("knockouts,knockouts"), doctest::Contains("twice"), value_error);
    CHECK_THROWS_WITH_AS(experiment_kinds::parse(""), doctest::Contains("empty name"), value_error);
    CHECK_THROWS_WITH_AS(experiment_kinds::parse("timeseries,"), doctest::Contains("empty name"), value_error);
}

TEST_CASE("experiment set: kinds present, restriction and a refusal that names the missing file") {
    experiment_set s = four_genes();
    s.files[std::size_t(experiment_kind::knockdowns)] = "data/net_knockdowns.tsv";
    CHECK(s.kinds() == experiment_kinds{experiment_kind::wildtype, experiment_kind::knockouts});
    CHECK(s.describe() == "4 genes: 1 wild type, 4 knockouts");
    s.require({experiment_kind::knockouts}, "knockout-z");
    CHECK_THROWS_WITH_AS(s.require({experiment_kind::knockdowns, experiment_kind::knockouts}, "some model"),
                         doctest::Contains("some model: needs knockouts,knockdowns; got no knockdowns "
                                           "(data/net_knockdowns.tsv)"),
                         value_error);
    const experiment_set only = s.restricted_to({experiment_kind::knockouts, experiment_kind::time_series});
    CHECK(only.kinds() == experiment_kinds{experiment_kind::knockouts});
    CHECK(only.file(experiment_kind::knockdowns) == "data/net_knockdowns.tsv");
    CHECK_FALSE(only.wildtype_levels().has_value());
    CHECK(s.wildtype_levels().value()[3] == 0.6);
    CHECK_THROWS_AS(experiment_set{}.validate(), value_error);
}

TEST_CASE("experiment set: tables in another gene order are aligned; other genes and a second table are refused") {
    experiment_set s = four_genes();
    // Knockdowns of G4 and G2 only, with columns in the order G4 G3 G2 G1.
    add_steady_state(s,
                     table({"G4", "G3", "G2", "G1"}, steady_state_kind::knockdowns,
                           tensor<double>{{0.3, 0.3, 0.4, 0.5}, {0.6, 0.32, 0.2, 0.5}}, {0, 2}),
                     "kd.tsv");
    const steady_state_data& kd = *s.knockdowns;
    CHECK(kd.genes == s.genes);
    CHECK(kd.perturbed == std::vector<std::size_t>{3, 1});  // G4, G2 in the set's order
    CHECK(kd.values(0, 3) == 0.3);                          // G4 in the row that knocks down G4
    CHECK(kd.values(1, 1) == 0.2);                          // G2 in the row that knocks down G2
    CHECK(kd.values(1, 0) == 0.5);
    CHECK(kd.row_perturbing(1) == 1u);
    CHECK_FALSE(kd.row_perturbing(0).has_value());
    CHECK(s.file(experiment_kind::knockdowns) == "kd.tsv");
    s.validate();

    CHECK_THROWS_WITH_AS(add_steady_state(s, table({"G1", "G2", "G3", "X"}, steady_state_kind::multifactorial,
                                                   tensor<double>{{1, 2, 3, 4}}),
                                          "mf.tsv"),
                         doctest::Contains("mf.tsv: got no gene 'G4'"), value_error);
    CHECK_THROWS_WITH_AS(add_steady_state(s, table(s.genes, steady_state_kind::knockouts,
                                                   tensor<double>{{0, 1, 1, 1}}, {0}),
                                          "ko2.tsv"),
                         doctest::Contains("second knockouts table"), value_error);
    // A knockout table must name one distinct gene per row.
    CHECK_THROWS_AS(table(s.genes, steady_state_kind::knockouts, tensor<double>{{0, 1, 1, 1}, {1, 0, 1, 1}}, {1, 1})
                        .validate(),
                    value_error);
    CHECK_THROWS_AS(table(s.genes, steady_state_kind::knockouts, tensor<double>{{0, 1, 1, 1}}, {}).validate(),
                    shape_error);
}

TEST_CASE("knockout-z equals the naive computation; without a wild type the median replaces it and says so") {
    const experiment_set s = four_genes();
    const tensor<double> z = baseline_scores("knockout-z", s);
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 4; ++j) CHECK(z(i, j) == doctest::Approx(naive_knockout_z(s, i, j)).epsilon(1e-12));
    CHECK(z(0, 1) > z(3, 1));  // G1's knockout moves G2; G4's does not
    CHECK(z(2, 3) > 0.9);      // G3 -> G4: 0.3 above the wild type, deviation 0.33
    CHECK(z(0, 3) == 0.0);     // G1 out leaves G4 at its wild-type level

    const experiment_set no_wt = s.restricted_to({experiment_kind::knockouts});
    const reference_levels ref = steady_state_reference(no_wt, experiment_kind::knockouts);
    CHECK_FALSE(ref.from_wildtype);
    CHECK(ref.source == "median of the knockouts rows (no wild type)");
    CHECK(ref.levels[0] == doctest::Approx(0.475));  // median of 0, 0.5, 0.45, 0.5
    CHECK(ref.levels[3] == doctest::Approx(0.6));
    CHECK_THROWS_WITH_AS(baseline_scores("knockdown-z", s), doctest::Contains("knockdown-z: needs knockdowns"),
                         value_error);
    CHECK(baseline_names_for(s.kinds()) == std::vector<std::string>{"knockout-z"});
    CHECK(baseline_names_for(experiment_kinds::all()).size() == baseline_names().size());
}

KNIT_DREAM4_TEST_CASE("DREAM4: read_dream4_experiments loads every kind for sizes 10 and 100") {
    const std::string root = knit::test::dream4_dir().value();
    for (int size : {10, 100}) {
        CHECK(dream4_networks(root, size) == std::vector<int>{1, 2, 3, 4, 5});
        for (int n = 1; n <= 5; ++n) {
            const experiment_set s = read_dream4_experiments(root, size, n);
            CHECK(s.kinds() == experiment_kinds::all());
            CHECK(s.gene_count() == std::size_t(size));
            CHECK(s.knockouts->perturbed == one_row_per_gene(std::size_t(size)));
            CHECK(s.multifactorial->experiment_count() == (size == 10 ? 10u : 100u));
            CHECK(s.file(experiment_kind::knockdowns) == dream4_path(root, size, n, dream4_file::knockdowns));
        }
    }
    // Size-100 multifactorial genes come renamed; the mapping file renames them back. The
    // mapping is right if it turns the multifactorial gold standard into the size-100 one.
    const experiment_set s = read_dream4_experiments(root, 100, 1);
    const auto map = read_gene_map(dream4_path(root, 100, 1, dream4_file::multifactorial_gene_map));
    REQUIRE(map.size() == 100);
    const gold_standard mf_gold =
        read_gold_standard(root + "/size100_multifactorial/goldstandard/DREAM4_GoldStandard_InSilico_Size100_multifactorial_1.tsv");
    const gold_standard gold = read_gold_standard(dream4_path(root, 100, 1, dream4_file::gold_standard), s.genes);
    std::size_t matched = 0;
    for (const auto& [r, t] : mf_gold.edges()) {
        std::string from = mf_gold.genes()[r], to = mf_gold.genes()[t];
        for (const auto& [a, b] : map) {
            if (a == mf_gold.genes()[r]) from = b;
            if (a == mf_gold.genes()[t]) to = b;
        }
        matched += gold.is_edge(*gold.index(from), *gold.index(to));
    }
    CHECK(matched == gold.positives());
    CHECK(mf_gold.positives() == gold.positives());
    // Value from the file: multifactorial row 100, column "G1" of the renamed file is the
    // gene that the map sends G1 to.
    const steady_state_data raw = read_steady_state(dream4_path(root, 100, 1, dream4_file::multifactorial));
    std::string renamed;
    for (const auto& [a, b] : map)
        if (a == raw.genes[0]) renamed = b;
    CHECK(s.multifactorial->values(99, *gold.index(renamed)) == raw.values(99, 0));
}

KNIT_DREAM4_TEST_CASE("DREAM4 size 100: knockout-z reproduces the anchors of REFERENCE §7b") {
    const std::string root = knit::test::dream4_dir().value();
    const double aupr[] = {0.454, 0.325, 0.328, 0.326, 0.144};
    const double auroc[] = {0.877, 0.761, 0.799, 0.819, 0.741};
    for (int n = 1; n <= 5; ++n) {
        const network_data net = load_network(root, 100, n);
        const ranking_result r = score_matrix(baseline_scores("knockout-z", net.experiments), net, "knockout-z");
        CAPTURE(n);
        CHECK(std::abs(r.score.aupr - aupr[n - 1]) <= 0.0005);
        CHECK(std::abs(r.score.auroc - auroc[n - 1]) <= 0.0005);
    }
}
