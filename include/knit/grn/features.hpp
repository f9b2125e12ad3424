// Classic all-pairs scores (the paper's Fig. 2 features and the unsupervised baselines).
// Each returns a (G, G) tensor with [regulator, target] = score; the diagonal is 0 and
// unused, so grn::rank_edges can rank the G (G - 1) ordered pairs directly.
//
//   pearson_scores          corr(x_r, x_t) over all samples (for a time series: every time
//                           point of every experiment, pooled). Symmetric.
//   lag_correlation_scores  corr(x_r(t), x_t(t + k)) over the consecutive pairs of time
//                           points within each experiment, pooled over experiments
//                           (REFERENCE §7; k = 1 by default). Directed: [r, t] != [t, r].
//                           Each side is centred and scaled by its own mean and deviation.
//   mutual_information_scores
//                           plug-in mutual information in nats of equal-width binned
//                           values: each gene is cut into B bins over its own [min, max]
//                           (B = max(2, floor(sqrt(S / 5))) unless given; S = samples), and
//                           I = sum p(a, b) ln(p(a, b) / (p(a) p(b))). Symmetric, >= 0.
//
// A gene whose values are constant (zero deviation) has correlation 0 with every gene and
// a single bin (mutual information 0). Correlations are computed as one GEMM of the
// standardised samples (O(S G^2)); mutual information bins each gene once and then fills
// one B x B joint histogram per unordered pair.
#pragma once

#include <cstddef>
#include <vector>

#include "knit/core/tensor.hpp"
#include "knit/grn/expression.hpp"

namespace knit::grn {

// samples: (S, G), S >= 2.
tensor<double> pearson_scores(const tensor<double>& samples);
tensor<double> pearson_scores(const time_series_data& data);

// Needs at least 2 lagged pairs in total (experiments with <= lag points add none).
tensor<double> lag_correlation_scores(const time_series_data& data, std::size_t lag = 1);

// Correlation between the columns of two sample matrices of equal shape (S, G):
// [i, j] = corr(sources[:, i], targets[:, j]). The building block of the two above.
tensor<double> cross_correlation(const tensor<double>& sources, const tensor<double>& targets);
// What cross_correlation multiplies: (S, G) row-major, each column centred and scaled to
// unit norm (a constant column all 0), so that Za^T Zb is the correlation matrix. Also for
// feature sources that take correlations of some genes' columns only (streamed features).
std::vector<double> correlation_columns(const tensor<double>& samples);

struct mutual_information_options {
    std::size_t bins = 0;  // 0: max(2, floor(sqrt(S / 5))); otherwise 2..256
};
std::size_t default_mutual_information_bins(std::size_t samples);

// samples: (S, G), S >= 1.
tensor<double> mutual_information_scores(const tensor<double>& samples,
                                         const mutual_information_options& options = {});
tensor<double> mutual_information_scores(const time_series_data& data,
                                         const mutual_information_options& options = {});

}  // namespace knit::grn
