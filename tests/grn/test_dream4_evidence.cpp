// evidence-mlp trained on the DREAM4 size-100 networks, then asked to rank data that do not
// look like DREAM4: another time grid and experiment count, time series only, knockouts
// only (no wild type). Each gives a ranking well above random, or a clear refusal, and
// the model says what differs. And the leave-one-network-out means docs/results.md reports.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "knit/grn/dream4.hpp"
#include "knit/grn/evaluation.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/grn/models/evidence_mlp.hpp"
#include "knit/grn/pairs.hpp"
#include "knit/grn/prediction.hpp"
#include "knit/grn/simulate.hpp"
#include "support/dream4.hpp"
#include "support/simulated.hpp"

using namespace knit;
using namespace knit::grn;

namespace {

using test::simulated;

// A 100-gene simulated network in a design unlike DREAM4's: 4 series of 13 points over
// t = 0..600, released at t = 200, more noise, 40 multifactorial rows.
simulated other_design(std::uint64_t seed) {
    experiment_options eo;
    eo.time_series = 4;
    eo.time_points = 13;
    eo.duration = 600;
    eo.release_time = 200;
    eo.noise = 0.08;
    eo.multifactorial = 40;
    return test::simulate_network_data(seed, 100, eo, 77);
}

dream_score score_of(const tensor<double>& scores, const simulated& s) {
    return score_dream(rank_edges(scores, s.data.genes), s.gold, nullptr);
}

bool mentions(const std::vector<std::string>& notes, const std::string& what) {
    return std::any_of(notes.begin(), notes.end(), [&](const std::string& n) { return n.find(what) != std::string::npos; });
}

}  // namespace

KNIT_DREAM4_TRAINING_TEST_CASE("evidence-mlp trained on DREAM4 ranks simulated data of other designs") {
    const std::string root = knit::test::dream4_dir().value();
    pair_records records;
    for (int k = 1; k <= 5; ++k) {
        const network_data n = load_network(root, 100, k);
        records.add_network(n.experiments, n.gold);
    }
    std::vector<std::size_t> all(records.size());
    std::iota(all.begin(), all.end(), std::size_t(0));
    evidence_mlp_settings s;  // the quick schedule's size: one net, ten epochs
    s.ensemble = 1;
    s.epoch_candidates = {10};
    evidence_mlp_model model(s);
    model.fit(records, all, {1});

    const simulated sim = other_design(4242);
    const double density = double(sim.gold.positives()) / double(sim.gold.pairs());
    const dream_score knockout_z = score_of(baseline_scores("knockout-z", sim.data), sim);

    // Every kind, another grid and count: ranks, says the grid and count differ.
    const auto notes = model.warnings(sim.data);
    CHECK(mentions(notes, "time points per experiment: 13, trained on 21"));
    CHECK(mentions(notes, "time-series experiments: 4, trained on 10"));
    const dream_score full = score_of(model.score_network(sim.data), sim);
    MESSAGE("other design: AUROC " << full.auroc << ", AUPR " << full.aupr << " (knockout-z " << knockout_z.aupr << ")");
    CHECK(full.auroc > 0.85);
    CHECK(full.aupr > 0.8 * knockout_z.aupr);

    // Time series only.
    const experiment_set series = sim.data.restricted_to({experiment_kind::time_series});
    CHECK(mentions(model.warnings(series), "no wildtype,knockouts,knockdowns,multifactorial"));
    const dream_score ts = score_of(model.score_network(series), sim);
    MESSAGE("time series only: AUROC " << ts.auroc << ", AUPR " << ts.aupr << " (random " << density << ")");
    CHECK(ts.auroc > 0.55);
    CHECK(ts.aupr > 2 * density);

    // Knockouts only, no wild type: the knockout evidence alone, its reference estimated.
    const experiment_set knockouts = sim.data.restricted_to({experiment_kind::knockouts});
    CHECK(mentions(model.warnings(knockouts), "no timeseries,wildtype,knockdowns,multifactorial"));
    const dream_score ko = score_of(model.score_network(knockouts), sim);
    MESSAGE("knockouts only: AUROC " << ko.auroc << ", AUPR " << ko.aupr);
    CHECK(ko.auroc > 0.8);
    CHECK(ko.aupr > 0.6 * knockout_z.aupr);
}

// docs/results.md §5, from scripts/evidence-dream4.sh at d15bdcf: evidence-mlp under
// leave-one-network-out on DREAM4 size 100, every kind, seed 1, standard schedule.
KNIT_DREAM4_TRAINING_TEST_CASE("evidence-mlp's DREAM4 leave-one-network-out means are those of docs/results.md") {
    const std::string root = knit::test::dream4_dir().value();
    std::vector<network_data> networks;
    for (int k = 1; k <= 5; ++k) networks.push_back(load_network(root, 100, k));
    const auto results = run_leave_one_network_out(networks, model_spec{"evidence-mlp"}, schedule::standard, 1);
    REQUIRE(results.size() == 5);
    double auroc = 0, aupr = 0;
    std::vector<dream_score> scores;
    for (const auto& r : results) {
        auroc += r.score.auroc / 5, aupr += r.score.aupr / 5;
        scores.push_back(r.score);
    }
    MESSAGE("mean AUROC " << auroc << ", mean AUPR " << aupr << ", overall " << overall_score(scores));
    CHECK(std::abs(auroc - 0.9142) <= 0.005);
    CHECK(std::abs(aupr - 0.5851) <= 0.005);
}
