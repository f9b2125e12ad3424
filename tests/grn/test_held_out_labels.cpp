// Held-out labels provably do not matter: for every pair model, permuting the gold standard
// of the network held out under leave-one-network-out leaves its scores bit-identical (the
// training records, the fitted model and every score are the same). A model that peeked at
// the held-out labels, directly or through a normalisation over all networks, fails here.
#include <doctest/doctest.h>

#include "knit/grn/evaluation.hpp"
#include "knit/grn/pairs.hpp"
#include "knit/grn/protocol.hpp"
#include "knit/grn/simulate.hpp"

using namespace knit;
using namespace knit::grn;

namespace {

struct simulated_network {
    experiment_set data;
    gold_standard gold;
};

simulated_network simulate_small(std::uint64_t seed) {
    network_options no;
    no.genes = 12;
    no.seed = seed;
    const network net = generate_network(no);
    experiment_options eo;
    eo.seed = seed + 50;
    eo.time_series = 4;
    const simulated_dataset d = simulate_dream4_like(net, eo);
    simulated_network out{experiments_from_time_series(d.time_series), d.gold};
    add_steady_state(out.data, d.wildtype, "wt");
    add_steady_state(out.data, d.knockouts, "ko");
    add_steady_state(out.data, d.knockdowns, "kd");
    add_steady_state(out.data, d.multifactorial, "mf");
    return out;
}

// The same genes with as many edges as `gold`, placed at random.
gold_standard permuted(const gold_standard& gold, std::uint64_t seed) {
    gold_standard out(gold.genes());
    rng draws(seed);
    const std::size_t g = gold.size();
    while (out.positives() < gold.positives()) {
        const std::size_t r = draws.below(g), t = draws.below(g);
        if (r != t && !out.is_edge(r, t)) out.add_edge(r, t);
    }
    return out;
}

std::vector<double> held_out_scores(const std::vector<simulated_network>& nets, const gold_standard& held_gold,
                                    const std::string& model_name) {
    pair_records records;
    for (std::size_t k = 0; k + 1 < nets.size(); ++k) records.add_network(nets[k].data, nets[k].gold);
    records.add_network(nets.back().data, held_gold);
    auto model = make_pair_model(model_spec(model_name), schedule::quick);
    const network_fold fold = leave_one_network_out(records, nets.size() - 1, 3, model->balanced_training());
    model->fit(records, fold.train, {5});
    return model->score(records, fold.test);
}

}  // namespace

TEST_CASE("permuting the held-out network's gold standard leaves every pair model's scores bit-identical") {
    const std::vector<simulated_network> nets = {simulate_small(61), simulate_small(62), simulate_small(63)};
    const gold_standard shuffled = permuted(nets.back().gold, 9);
    REQUIRE(shuffled.positives() == nets.back().gold.positives());
    std::size_t moved = 0;
    for (const auto& [r, t] : nets.back().gold.edges()) moved += !shuffled.is_edge(r, t);
    REQUIRE(moved > nets.back().gold.positives() / 2);  // the permutation really changes the labels
    for (const auto& name : pair_model_names()) {
        CAPTURE(name);
        const std::vector<double> truth = held_out_scores(nets, nets.back().gold, name);
        const std::vector<double> other = held_out_scores(nets, shuffled, name);
        REQUIRE(truth.size() == 12 * 11 * 4);
        CHECK(truth == other);
    }
}
