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
//   path_explanation        P(i, j) = max over k != i, j of min(S(i, k), S(k, j)) for a
//                           non-negative strength S: how well the strongest two-step path
//                           i -> k -> j explains i's effect on j. A knockout of i also moves
//                           every gene downstream of i's targets; the DREAM4 winners
//                           (Pinna, Soranzo and de la Fuente, PLoS ONE 5(10): e12912, 2010)
//                           down-ranked edges that such paths explain, in the spirit of
//                           transitive reduction (Klamt et al., TRANSWESD, Bioinformatics
//                           26(17): 2160, 2010). S(i, j) - P(i, j) is the effect left to a
//                           direct edge.
//   deconvolved_effects     the direct effects D of a linear cascade whose total effects are
//                           T = D + D^2 + ... = D (I - D)^-1, i.e. D = T (I + T)^-1, with T
//                           the signed z-scores scaled so that its spectral radius is `radius`
//                           (network deconvolution, Feizi et al., Nat. Biotechnol. 31: 726,
//                           2013, applied to directed perturbation effects). |D|.
//   row_normalised /        z of each entry within its row (regulator) or column (target)
//   column_normalised       over the off-diagonal entries: is this effect large for this
//                           regulator / among this target's regulators?
//   regression_scores       steady-state rows as samples (multifactorial): the ridge
//                           regression of each standardised gene on all others, through the
//                           precision matrix P = (C + lambda I)^-1 of the correlation C:
//                           beta(i -> j) = -P(i, j) / P(j, j); |beta|.
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

// The signed response of each gene to its own perturbation, z(i, i) before the diagonal is
// cleared: how far the knockout (knockdown) moved the perturbed gene; 0 for genes the table
// does not perturb. A gene whose wild-type level is already near 0 cannot be knocked down
// much, so its row carries little evidence.
std::vector<double> self_responses(const experiment_set& data, experiment_kind kind,
                                   const reference_levels& reference);

tensor<double> path_explanation(const tensor<double>& strength);
tensor<double> deconvolved_effects(const tensor<double>& signed_effects, double radius = 0.9);
tensor<double> row_normalised(const tensor<double>& scores);
tensor<double> column_normalised(const tensor<double>& scores);
// samples (S, G), S >= 2; lambda > 0.
tensor<double> regression_scores(const tensor<double>& samples, double lambda);

}  // namespace knit::grn
