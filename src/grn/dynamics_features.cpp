#include "knit/grn/dynamics_features.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <optional>

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

std::optional<std::size_t> detect_release(const std::vector<const time_series_experiment*>& same_grid,
                                          const release_detection& options) {
    KNIT_CHECK_AS(value_error, !same_grid.empty(), "release detection: got no experiment, expected at least one");
    const std::vector<double>& times = same_grid.front()->times;
    const std::size_t points = times.size();
    if (points < 6) return std::nullopt;
    std::vector<double> speed(points - 1, 0.0);
    for (const time_series_experiment* e : same_grid) {
        KNIT_CHECK_AS(value_error, e->times == times, "release detection: got experiments on different time grids, expected one grid");
        const std::size_t genes = e->values.shape(1);
        for (std::size_t k = 0; k + 1 < points; ++k) {
            double moved = 0;
            for (std::size_t g = 0; g < genes; ++g) moved += std::abs(e->values(k + 1, g) - e->values(k, g));
            speed[k] += moved / double(genes) / (times[k + 1] - times[k]);
        }
    }
    std::vector<double> sorted = speed;
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(sorted.size() / 2), sorted.end());
    const double median = std::max(sorted[sorted.size() / 2], 1e-300);
    std::optional<std::size_t> best;
    double best_ratio = options.burst;
    for (std::size_t k = 2; k + 3 <= points; ++k) {
        if (speed[k] <= speed[k - 1]) continue;
        if (speed[k] / median > best_ratio) best_ratio = speed[k] / median, best = k;
    }
    return best;
}

std::optional<std::size_t> detect_release(const time_series_experiment& experiment, const release_detection& options) {
    return detect_release(std::vector<const time_series_experiment*>{&experiment}, options);
}

std::vector<std::size_t> release_points(const time_series_data& data, const std::optional<double>& release_time,
                                        const release_detection& options) {
    data.validate();
    std::vector<std::size_t> out(data.experiment_count(), 0);
    std::vector<bool> done(data.experiment_count(), false);
    for (std::size_t e = 0; e < data.experiment_count(); ++e) {
        if (done[e]) continue;
        const auto& times = data.experiments[e].times;
        std::vector<std::size_t> group;
        std::vector<const time_series_experiment*> members;
        for (std::size_t f = e; f < data.experiment_count(); ++f)
            if (!done[f] && data.experiments[f].times == times) group.push_back(f), members.push_back(&data.experiments[f]);
        std::optional<std::size_t> point;
        if (release_time) {
            const auto k = std::size_t(std::lower_bound(times.begin(), times.end(), *release_time) - times.begin());
            if (k < times.size()) point = k;
        } else {
            point = detect_release(members, options);
        }
        for (std::size_t f : group) out[f] = point.value_or(0), done[f] = true;
    }
    return out;
}

void lagged_samples(const time_series_data& data, std::size_t lag, const std::vector<std::size_t>& first,
                    tensor<double>& sources, tensor<double>& targets) {
    data.validate();
    KNIT_CHECK_AS(value_error, lag >= 1, "lagged samples: got lag 0, expected >= 1");
    KNIT_CHECK_AS(value_error, first.empty() || first.size() == data.experiment_count(),
                  "lagged samples: got " << first.size() << " first points for " << data.experiment_count()
                                         << " experiments, expected one per experiment");
    const std::size_t genes = data.gene_count();
    auto start = [&](std::size_t e) { return first.empty() ? std::size_t{0} : first[e]; };
    std::size_t rows = 0;
    for (std::size_t e = 0; e < data.experiment_count(); ++e) {
        const std::size_t points = data.experiments[e].time_points();
        if (points > start(e) + lag) rows += points - start(e) - lag;
    }
    KNIT_CHECK_AS(value_error, rows >= 3,
                  "lagged samples: got " << rows << " pairs of points at lag " << lag
                                         << ", expected at least 3 (longer or more time series)");
    sources = tensor<double>::from_shape({rows, genes});
    targets = tensor<double>::from_shape({rows, genes});
    std::size_t row = 0;
    for (std::size_t e = 0; e < data.experiment_count(); ++e) {
        const auto& ex = data.experiments[e];
        for (std::size_t k = start(e); k + lag < ex.time_points(); ++k, ++row)
            for (std::size_t g = 0; g < genes; ++g) {
                sources(row, g) = ex.values(k, g);
                targets(row, g) = ex.values(k + lag, g);
            }
    }
}

tensor<double> granger_scores(const time_series_data& data, std::size_t lag, const std::vector<std::size_t>& first) {
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

tensor<double> lagged_ridge_scores(const time_series_data& data, double lambda, const std::vector<std::size_t>& first) {
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
    const std::vector<std::size_t> release = release_points(data, options.release_time, options.detection);

    const tensor<double> lag1 = absolute(lag_correlation_scores(data, 1));
    const tensor<double> granger1 = absolute(granger_scores(data, 1));
    const tensor<double> lag2 = absolute(lag_correlation_scores(data, 2));
    const tensor<double> granger2 = absolute(granger_scores(data, 2));
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
    // after the release, or from the start when there is none (mean |x(first) - x(last)|
    // over experiments).
    std::vector<double> sd(genes, 0), relax(genes, 0);
    const tensor<double> all = data.stacked();
    for (std::size_t g = 0; g < genes; ++g) {
        double mean = 0, sq = 0;
        for (std::size_t s = 0; s < all.shape(0); ++s) mean += all(s, g);
        mean /= double(all.shape(0));
        for (std::size_t s = 0; s < all.shape(0); ++s) sq += (all(s, g) - mean) * (all(s, g) - mean);
        sd[g] = std::sqrt(sq / double(all.shape(0)));
        for (std::size_t e = 0; e < data.experiment_count(); ++e) {
            const auto& ex = data.experiments[e];
            relax[g] += std::abs(ex.values(release[e], g) - ex.values(ex.time_points() - 1, g)) /
                        double(data.experiment_count());
        }
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
