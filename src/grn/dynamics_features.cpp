#include "knit/grn/dynamics_features.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "knit/core/error.hpp"
#include "knit/grn/features.hpp"

namespace knit::grn {

namespace {

void clear_diagonal(tensor<double>& m) {
    for (std::size_t i = 0; i < m.shape(0); ++i) m(i, i) = 0;
}

tensor<double> absolute(tensor<double> m) {
    for (auto& v : m) v = std::abs(v);
    return m;
}

// Columns standardised in place (mean 0, population deviation 1; constant columns 0).
void standardise_columns(tensor<double>& m) {
    const std::size_t rows = m.shape(0), cols = m.shape(1);
    for (std::size_t c = 0; c < cols; ++c) {
        double mean = 0, sq = 0;
        for (std::size_t r = 0; r < rows; ++r) mean += m(r, c);
        mean /= double(rows);
        for (std::size_t r = 0; r < rows; ++r) sq += (m(r, c) - mean) * (m(r, c) - mean);
        const double sd = std::sqrt(sq / double(rows));
        for (std::size_t r = 0; r < rows; ++r) m(r, c) = sd > 0 ? (m(r, c) - mean) / sd : 0.0;
    }
}

}  // namespace

std::size_t release_point(const time_series_data& data, double release_time) {
    data.validate();
    std::size_t found = data.experiments.front().time_points();
    for (std::size_t e = 0; e < data.experiment_count(); ++e) {
        const auto& times = data.experiments[e].times;
        const std::size_t k = std::size_t(std::lower_bound(times.begin(), times.end(), release_time) - times.begin());
        if (e == 0) found = k;
        KNIT_CHECK_AS(value_error, k == found,
                      "release point: got experiment " << e << " released at point " << k << ", expected point "
                                                       << found << " as in experiment 0");
    }
    if (found >= data.experiments.front().time_points()) found = data.experiments.front().time_points() / 2;
    return found;
}

void lagged_samples(const time_series_data& data, std::size_t lag, std::size_t first,
                    tensor<double>& sources, tensor<double>& targets) {
    data.validate();
    KNIT_CHECK_AS(value_error, lag >= 1, "lagged samples: got lag 0, expected >= 1");
    const std::size_t genes = data.gene_count();
    std::size_t rows = 0;
    for (const auto& e : data.experiments)
        if (e.time_points() > first + lag) rows += e.time_points() - first - lag;
    KNIT_CHECK_AS(value_error, rows >= 3,
                  "lagged samples: got " << rows << " pairs of points at lag " << lag << " from point " << first
                                         << ", expected at least 3");
    sources = tensor<double>::from_shape({rows, genes});
    targets = tensor<double>::from_shape({rows, genes});
    std::size_t row = 0;
    for (const auto& e : data.experiments)
        for (std::size_t k = first; k + lag < e.time_points(); ++k, ++row)
            for (std::size_t g = 0; g < genes; ++g) {
                sources(row, g) = e.values(k, g);
                targets(row, g) = e.values(k + lag, g);
            }
}

tensor<double> granger_scores(const time_series_data& data, std::size_t lag, std::size_t first) {
    tensor<double> now, later;
    lagged_samples(data, lag, first, now, later);
    const tensor<double> ahead = cross_correlation(now, later);  // corr(x_r(k), x_t(k + lag))
    const tensor<double> same = cross_correlation(now, now);     // corr(x_r(k), x_t(k))
    const std::size_t genes = data.gene_count();
    tensor<double> out = tensor<double>::from_shape({genes, genes});
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t) {
            const double persistence = ahead(t, t);
            const double c = same(r, t);
            const double denominator = std::sqrt(std::max(1e-9, (1 - c * c) * (1 - persistence * persistence)));
            out(r, t) = (ahead(r, t) - c * persistence) / denominator;
        }
    clear_diagonal(out);
    return out;
}

tensor<double> lagged_ridge_scores(const time_series_data& data, double lambda, std::size_t first) {
    KNIT_CHECK_AS(value_error, lambda > 0 && std::isfinite(lambda),
                  "lagged ridge: got lambda " << lambda << ", expected a finite value > 0");
    tensor<double> now, later;
    lagged_samples(data, 1, first, now, later);
    standardise_columns(now);
    standardise_columns(later);
    const Eigen::Index n = Eigen::Index(now.shape(0)), genes = Eigen::Index(now.shape(1));
    using matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const matrix> z(now.data(), n, genes), y(later.data(), n, genes);
    matrix gram = z.transpose() * z / double(n);
    gram.diagonal().array() += lambda;
    const matrix b = gram.ldlt().solve(z.transpose() * y / double(n));  // (G regulators, G targets)
    tensor<double> out = tensor<double>::from_shape({std::size_t(genes), std::size_t(genes)});
    for (Eigen::Index r = 0; r < genes; ++r)
        for (Eigen::Index t = 0; t < genes; ++t) out(std::size_t(r), std::size_t(t)) = std::abs(b(r, t));
    clear_diagonal(out);
    return out;
}

tensor<double> clr_normalise(const tensor<double>& scores) {
    KNIT_CHECK_AS(shape_error, scores.dimension() == 2 && scores.shape(0) == scores.shape(1) && scores.shape(0) >= 3,
                  "clr: got scores " << shape_to_string(scores.shape()) << ", expected (G, G) with G >= 3");
    const std::size_t genes = scores.shape(0);
    // Mean and deviation of each row and each column over its off-diagonal entries.
    std::vector<double> row_mean(genes, 0), row_sd(genes, 0), col_mean(genes, 0), col_sd(genes, 0);
    const double count = double(genes - 1);
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) {
                row_mean[r] += scores(r, t) / count;
                col_mean[t] += scores(r, t) / count;
            }
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) {
                row_sd[r] += (scores(r, t) - row_mean[r]) * (scores(r, t) - row_mean[r]) / count;
                col_sd[t] += (scores(r, t) - col_mean[t]) * (scores(r, t) - col_mean[t]) / count;
            }
    tensor<double> out = tensor<double>::from_shape({genes, genes});
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t) {
            const double sr = std::sqrt(row_sd[r]), st = std::sqrt(col_sd[t]);
            const double zr = sr > 0 ? std::max(0.0, (scores(r, t) - row_mean[r]) / sr) : 0.0;
            const double zc = st > 0 ? std::max(0.0, (scores(r, t) - col_mean[t]) / st) : 0.0;
            out(r, t) = std::sqrt(zr * zr + zc * zc);
        }
    clear_diagonal(out);
    return out;
}

std::vector<std::string> dynamics_feature_names() {
    return {"abs-lag1",          "abs-granger1",           "abs-lag2",
            "abs-granger2",      "abs-lag1-post",          "abs-granger1-post",
            "ridge-small",       "ridge-large",            "reverse-abs-granger1",
            "reverse-abs-lag1",  "regulator-sd",           "target-sd",
            "regulator-release", "target-release",         "regulator-mean-granger1",
            "target-mean-granger1", "clr-granger1",        "clr-lag1-post"};
}

tensor<double> dynamics_features(const time_series_data& data, const dynamics_feature_options& options) {
    data.validate();
    const std::size_t genes = data.gene_count();
    KNIT_CHECK_AS(value_error, genes >= 3, "dynamics features: got " << genes << " genes, expected at least 3");
    const std::size_t release = release_point(data, options.release_time);

    const tensor<double> lag1 = absolute(lag_correlation_scores(data, 1));
    const tensor<double> granger1 = absolute(granger_scores(data, 1, 0));
    const tensor<double> lag2 = absolute(lag_correlation_scores(data, 2));
    const tensor<double> granger2 = absolute(granger_scores(data, 2, 0));
    tensor<double> now, later;
    lagged_samples(data, 1, release, now, later);
    tensor<double> lag1_post = absolute(cross_correlation(now, later));
    clear_diagonal(lag1_post);
    const tensor<double> granger1_post = absolute(granger_scores(data, 1, release));
    const tensor<double> ridge_small = lagged_ridge_scores(data, options.ridge_small);
    const tensor<double> ridge_large = lagged_ridge_scores(data, options.ridge_large);
    const tensor<double> clr_granger1 = clr_normalise(granger1);
    const tensor<double> clr_lag1_post = clr_normalise(lag1_post);

    // Per gene: how much it moves (deviation over all samples) and how far it relaxes
    // after the release (mean |x(release) - x(last)| over experiments).
    std::vector<double> sd(genes, 0), relax(genes, 0);
    const tensor<double> all = data.stacked();
    for (std::size_t g = 0; g < genes; ++g) {
        double mean = 0, sq = 0;
        for (std::size_t s = 0; s < all.shape(0); ++s) mean += all(s, g);
        mean /= double(all.shape(0));
        for (std::size_t s = 0; s < all.shape(0); ++s) sq += (all(s, g) - mean) * (all(s, g) - mean);
        sd[g] = std::sqrt(sq / double(all.shape(0)));
        for (const auto& e : data.experiments)
            relax[g] += std::abs(e.values(std::min(release, e.time_points() - 1), g) - e.values(e.time_points() - 1, g)) /
                        double(data.experiment_count());
    }
    // Hub and sink scores: a regulator's mean granger1 to all targets, a target's from all.
    std::vector<double> out_mean(genes, 0), in_mean(genes, 0);
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) {
                out_mean[r] += granger1(r, t) / double(genes - 1);
                in_mean[t] += granger1(r, t) / double(genes - 1);
            }

    const std::size_t features = dynamics_feature_names().size();
    const std::size_t pairs = genes * (genes - 1);
    tensor<double> off = tensor<double>::from_shape({pairs, features});
    std::size_t row = 0;
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t) {
            if (r == t) continue;
            const double v[] = {lag1(r, t),      granger1(r, t),  lag2(r, t),          granger2(r, t),
                                lag1_post(r, t), granger1_post(r, t), ridge_small(r, t), ridge_large(r, t),
                                granger1(t, r),  lag1(t, r),      sd[r],               sd[t],
                                relax[r],        relax[t],        out_mean[r],         in_mean[t],
                                clr_granger1(r, t), clr_lag1_post(r, t)};
            for (std::size_t f = 0; f < features; ++f) off(row, f) = std::log(v[f] + 1e-6);
            ++row;
        }
    standardise_columns(off);
    tensor<double> out = xt::zeros<double>({genes * genes, features});
    row = 0;
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t) {
            if (r == t) continue;
            for (std::size_t f = 0; f < features; ++f) out(r * genes + t, f) = off(row, f);
            ++row;
        }
    return out;
}

}  // namespace knit::grn
