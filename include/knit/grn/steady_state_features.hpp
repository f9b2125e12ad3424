// Pair scores from steady-state experiments: what a knockout or knockdown of a regulator
// does to every other gene. Each score is a (G, G) tensor with [regulator, target], the
// diagonal 0, like features.hpp.
//
//   perturbation_z_scores   z(i, j) = (x_j(perturbation of i) - ref_j) / sd_j, signed, where
//                           x(perturbation of i) is the row of the knockout (knockdown) table
//                           that perturbs gene i, ref_j the reference level of gene j and
//                           sd_j the deviation of gene j over all rows of that table
//                           (population form; 0 deviation gives z = 0). A regulator the table
//                           does not perturb gets a zero row.
//   knockout-z baseline     |z| over the knockout rows (REFERENCE §7b), knockdown-z over the
//                           knockdown rows: no learning at all.
//
// The reference is the mean of the wild-type rows. Without a wild type it is the median of
// gene j over the perturbation rows (most perturbations leave a given gene alone, so the
// median is the unperturbed level); steady_state_reference() says which one was used.
#pragma once

#include <string>
#include <vector>

#include "knit/core/tensor.hpp"
#include "knit/grn/experiment_set.hpp"

namespace knit::grn {

struct reference_levels {
    std::vector<double> levels;  // (G)
    std::string source;          // "wild type" or "median of the knockouts rows (no wild type)"
    bool from_wildtype = false;
};

// The reference level of every gene for perturbation rows of `kind` (knockouts,
// knockdowns or multifactorial). Throws knit::value_error naming the missing file when the
// set has neither a wild type nor rows of `kind`.
reference_levels steady_state_reference(const experiment_set& data, experiment_kind kind);

// Signed z-scores of a knockout or knockdown table (see above). Throws value_error naming the
// file when `kind` is absent.
tensor<double> perturbation_z_scores(const experiment_set& data, experiment_kind kind);
tensor<double> perturbation_z_scores(const experiment_set& data, experiment_kind kind,
                                     const reference_levels& reference);

}  // namespace knit::grn
