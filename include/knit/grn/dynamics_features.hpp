// Whole-network pair features from time series, built for models that must transfer to a
// network they never saw (leave-one-network-out, REFERENCE §5). Every score is a (G, G)
// tensor with [regulator, target], diagonal 0, like features.hpp.
//
//   lagged pairs     within each experiment, the consecutive pairs (x(k), x(k + lag)) for
//                    points k >= first; pooled over experiments. "post" windows start at
//                    each experiment's release point, where perturbed genes relax and their
//                    targets follow. The release is detected from the data (see
//                    detect_release) unless the caller states the release time; an
//                    experiment without one (a series that relaxes from a perturbed start,
//                    or one perturbed throughout) uses all its points.
//   granger_scores   partial correlation of x_r(k) with x_t(k + lag) given x_t(k):
//                        (c_rt' - c_rt * a_t) / sqrt((1 - c_rt^2)(1 - a_t^2))
//                    with c_rt' = corr(x_r(k), x_t(k + lag)), c_rt = corr(x_r(k), x_t(k)),
//                    a_t = corr(x_t(k), x_t(k + lag)): does the regulator predict where the
//                    target goes beyond the target's own persistence? Directed, signed.
//   lagged_ridge_scores
//                    |B| of the ridge regression of every standardised x_t(k + 1) on all
//                    standardised x(k): B = (Z'Z / n + lambda I)^-1 Z'Y / n, (G, G). A
//                    multivariate, conditional score (one regressor explains away another).
//                    With fewer samples n than genes it is solved in the equal dual form
//                    B = Z' (ZZ' / n + lambda I)^-1 Y / n: O(n G^2), not O(G^3).
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
#include <optional>
#include <string>
#include <vector>

#include "knit/core/communicator.hpp"
#include "knit/core/tensor.hpp"
#include "knit/grn/detail/pair_view.hpp"
#include "knit/grn/expression.hpp"

namespace knit::grn {

// Where the perturbation of one experiment is released, read off its data. The genes' mean
// speed over step k is s_k = mean_g |x_g(k + 1) - x_g(k)| / (t(k + 1) - t(k)). A release
// is a renewed burst of movement: the point k (2 <= k <= T - 3) where s_k rises above
// s_(k-1) and is largest relative to the series' median speed, when that ratio exceeds
// `burst`. A series that relaxes from a perturbed start, or stays perturbed, moves fastest
// at its first step and has no such burst: nullopt (also when T < 6). Several experiments
// on one time grid are read together (their mean speed), which averages out noise.
struct release_detection {
    double burst = 1.4;
};
std::optional<std::size_t> detect_release(const time_series_experiment& experiment,
                                          const release_detection& options = {});
std::optional<std::size_t> detect_release(const std::vector<const time_series_experiment*>& same_grid,
                                          const release_detection& options = {});

// The first point of every experiment's post-release window, else 0: with release_time
// set, the first time >= release_time; otherwise detected, once per group of experiments
// that share a time grid.
std::vector<std::size_t> release_points(const time_series_data& data,
                                        const std::optional<double>& release_time = std::nullopt,
                                        const release_detection& options = {});

// Lagged sample matrices: sources (S, G) = x(k), targets (S, G) = x(k + lag), for every
// experiment e and every k >= first[e] with k + lag < T_e (first empty: all points).
// Throws value_error when S < 3.
void lagged_samples(const time_series_data& data, std::size_t lag, const std::vector<std::size_t>& first,
                    tensor<double>& sources, tensor<double>& targets);

tensor<double> granger_scores(const time_series_data& data, std::size_t lag = 1,
                              const std::vector<std::size_t>& first = {});
tensor<double> lagged_ridge_scores(const time_series_data& data, double lambda,
                                   const std::vector<std::size_t>& first = {});
tensor<double> clr_normalise(const tensor<double>& scores);

struct dynamics_feature_options {
    // When the perturbations are released, if the caller knows (DREAM4: t = 500);
    // nullopt: detected per experiment from the data.
    std::optional<double> release_time;
    release_detection detection;
    double ridge_small = 0.1;   // the two ridge strengths (on standardised data)
    double ridge_large = 1.0;
};

std::vector<std::string> dynamics_feature_names();
// (G * G, F) standardised features; see the top of this file.
tensor<double> dynamics_features(const time_series_data& data, const dynamics_feature_options& options = {});

// dynamics_features() without its (G * G, F) table, for scoring large networks: it keeps
// the whole-network scores the features are read from (ten (G, G) matrices and four
// per-gene vectors, stored as log(v + 1e-6)) and each column's mean and deviation over the
// off-diagonal pairs, and makes rows on demand. The rows are dynamics_features()'s, bit
// for bit (dynamics_features() is built on this class). Memory: 10 G^2 doubles, 320 MB at
// 2,000 genes, where the table and its standardised copy took another 36 G^2.
class dynamics_feature_rows {
public:
    // The score matrices and the column statistics are computed as `threads` parallel
    // tasks (knit::parallel_for); with `ranks`, the eight score tasks are dealt over the
    // ranks by their cost and the column statistics round robin, and each result is sent
    // from its owner to the others. An exception on one rank is thrown on every rank. The rows are the same for every thread and rank count.
    explicit dynamics_feature_rows(const time_series_data& data, const dynamics_feature_options& options = {},
                                   std::size_t threads = 1, communicator* ranks = nullptr);
    std::size_t gene_count() const { return genes_; }
    std::size_t feature_count() const { return sources_.size(); }
    // Rows [begin, end) (row r * G + t; diagonal rows 0) into out: (end - begin) x F values,
    // row-major, each cast to T from the double dynamics_features() holds. Thread-safe.
    template <class T>
    void fill(std::size_t begin, std::size_t end, T* out) const;

private:
    // Where column f comes from: matrices_ or per_gene_ [index], read as `where`.
    using from = detail::pair_source;
    struct source {
        from where;
        std::size_t index;
    };
    detail::pair_view view_of(const source& s) const { return detail::view_of(matrices_, per_gene_, s.where, s.index); }

    std::size_t genes_ = 0;
    std::vector<tensor<double>> matrices_;
    std::vector<std::vector<double>> per_gene_;
    std::vector<source> sources_;
    std::vector<double> mean_, deviation_;
};
extern template void dynamics_feature_rows::fill<float>(std::size_t, std::size_t, float*) const;
extern template void dynamics_feature_rows::fill<double>(std::size_t, std::size_t, double*) const;

namespace detail {
// The raw values of the per-gene columns: each gene's deviation over all samples, and its
// mean |x(release) - x(last)| over the experiments (release: release_points()).
void gene_movement(const time_series_data& data, const std::vector<std::size_t>& release, std::vector<double>& sd,
                   std::vector<double>& relax);
// lagged_ridge_scores' B before its absolute value, as two (n, G) factors, B = left' right,
// so that some regulators' rows are B[rows, :] = left[:, rows]' right (streamed features):
// primal (n >= G) left' = (Z'Z / n + lambda I)^-1 Z' / n and right = Y; dual left = Z and
// right = (ZZ' / n + lambda I)^-1 Y / n. Equal to lagged_ridge_scores to rounding.
struct ridge_factors {
    tensor<double> left, right;
};
ridge_factors lagged_ridge_factors(const time_series_data& data, double lambda, const std::vector<std::size_t>& first = {});
}  // namespace detail

}  // namespace knit::grn
