// A simulated network with every experiment kind, as an experiment set beside its gold
// standard: the data the grn tests rank when they must not depend on the DREAM4 files.
#pragma once

#include <cstdint>

#include "knit/grn/experiment_set.hpp"
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/simulate.hpp"

namespace knit::test {

struct simulated {
    grn::experiment_set data;
    grn::gold_standard gold;
};

// Network seed `seed` of `genes` genes; the experiments follow `design` (DREAM4-like by
// default) with their own seed, seed + design_seed_offset.
inline simulated simulate_network_data(std::uint64_t seed, std::size_t genes,
                                       grn::experiment_options design = {},
                                       std::uint64_t design_seed_offset = 1000) {
    grn::network_options no;
    no.genes = genes;
    no.seed = seed;
    const grn::network net = grn::generate_network(no);
    design.seed = seed + design_seed_offset;
    const grn::simulated_dataset d = grn::simulate_dream4_like(net, design);
    simulated out{grn::experiments_from_time_series(d.time_series), d.gold};
    grn::add_steady_state(out.data, d.wildtype, "wt");
    grn::add_steady_state(out.data, d.knockouts, "ko");
    grn::add_steady_state(out.data, d.knockdowns, "kd");
    grn::add_steady_state(out.data, d.multifactorial, "mf");
    return out;
}

}  // namespace knit::test
