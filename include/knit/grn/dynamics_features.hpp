// Whole-network pair features from time series, built for models that must transfer to a
// network they never saw (leave-one-network-out, REFERENCE §5). Every score is a (G, G)
// tensor with [regulator, target], diagonal 0, like features.hpp.
//
//   lagged pairs     within each experiment, the consecutive pairs (x(k), x(k + lag)) for
//                    points k >= first; pooled over experiments. "post" windows start at
//                    the release point (the first time >= release_time, DREAM4: t = 500),
//                    where perturbed genes relax and their targets follow.
//   granger_scores   partial correlation of x_r(k) with x_t(k + lag) given x_t(k):
//                        (c_rt' - c_rt * a_t) / sqrt((1 - c_rt^2)(1 - a_t^2))
//                    with c_rt' = corr(x_r(k), x_t(k + lag)), c_rt = corr(x_r(k), x_t(k)),
//                    a_t = corr(x_t(k), x_t(k + lag)): does the regulator predict where the
//                    target goes beyond the target's own persistence? Directed, signed.
//   lagged_ridge_scores
//                    |B| of the ridge regression of every standardised x_t(k + 1) on all
//                    standardised x(k): B = (Z'Z / n + lambda I)^-1 Z'Y / n, (G, G). A
//                    multivariate, conditional score (one regressor explains away another).
//   clr_normalise    CLR in spirit: z of each score within its target's column and within
//                    its regulator's row, negatives cut to 0, combined as sqrt(zc^2 + zr^2).
//
// dynamics_features() stacks the per-pair features a context model learns from, one row
// per ordered pair (row r * G + t; the diagonal rows are zero), columns named by
// dynamics_feature_names(). Each column is log(v + 1e-6) of a non-negative score and then
// z-scored over the G (G - 1) off-diagonal pairs of this network, so that features mean
// the same in every network (a score's scale depends on the network's dynamics).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "knit/core/tensor.hpp"
#include "knit/grn/expression.hpp"

namespace knit::grn {

// Index of the first time point >= release_time in every experiment (all experiments
// must agree); T / 2 when no experiment reaches release_time.
std::size_t release_point(const time_series_data& data, double release_time);

// Lagged sample matrices: sources (S, G) = x(k), targets (S, G) = x(k + lag), for every
// experiment and every k >= first with k + lag < T_e. Throws value_error when S < 3.
void lagged_samples(const time_series_data& data, std::size_t lag, std::size_t first,
                    tensor<double>& sources, tensor<double>& targets);

tensor<double> granger_scores(const time_series_data& data, std::size_t lag = 1, std::size_t first = 0);
tensor<double> lagged_ridge_scores(const time_series_data& data, double lambda, std::size_t first = 0);
tensor<double> clr_normalise(const tensor<double>& scores);

struct dynamics_feature_options {
    double release_time = 500;  // DREAM4: the perturbation is removed at t = 500
    double ridge_small = 0.1;   // the two ridge strengths (on standardised data)
    double ridge_large = 1.0;
};

std::vector<std::string> dynamics_feature_names();
// (G * G, F) standardised features; see the top of this file.
tensor<double> dynamics_features(const time_series_data& data, const dynamics_feature_options& options = {});

}  // namespace knit::grn
