#include "knit/grn/dynamics_features.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <exception>
#include <optional>

#include "knit/core/error.hpp"
#include "knit/core/parallel.hpp"
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

// The slots of matrices_ each dynamics_feature_rows task fills (its score first, then the
// CLR derived from it), and the task's cost in (G, G) products of lagged samples: a lag
// correlation is one, a Granger score three (three correlation matrices), a ridge solve
// three (the kernel, the solve, Z'W), a CLR one more. deal_by_cost gives the ranks about
// equal shares.
const std::vector<std::vector<std::size_t>> task_slots{{6}, {7}, {0}, {1, 8}, {2}, {3}, {4, 9}, {5}};
const std::vector<double> task_cost{3, 3, 1, 4, 1, 3, 2, 3};

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

namespace {

// The ridge regressions' samples: x(k) and x(k + 1), each column standardised, after the
// check of lambda (lagged_ridge_scores and detail::lagged_ridge_factors).
void ridge_samples(const time_series_data& data, double lambda, const std::vector<std::size_t>& first,
                   tensor<double>& now, tensor<double>& later) {
    KNIT_CHECK_AS(value_error, lambda > 0 && std::isfinite(lambda),
                  "lagged ridge: got lambda " << lambda << ", expected a finite value > 0");
    lagged_samples(data, 1, first, now, later);
    standardise_columns(now);
    standardise_columns(later);
}

}  // namespace

tensor<double> lagged_ridge_scores(const time_series_data& data, double lambda, const std::vector<std::size_t>& first) {
    tensor<double> now, later;
    ridge_samples(data, lambda, first, now, later);
    const Eigen::Index n = Eigen::Index(now.shape(0)), genes = Eigen::Index(now.shape(1));
    using matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const matrix> z(now.data(), n, genes), y(later.data(), n, genes);
    // B is written in the output's own storage: (G regulators, G targets).
    tensor<double> out = tensor<double>::from_shape({std::size_t(genes), std::size_t(genes)});
    Eigen::Map<matrix> b(out.data(), genes, genes);
    if (n >= genes) {
        // Primal: (Z'Z + n lambda I) B = Z'Y, a (G, G) system. The factorisation overwrites
        // the Gram matrix: one (G, G) matrix of scratch.
        matrix gram = z.transpose() * z / double(n);
        gram.diagonal().array() += lambda;
        b.noalias() = z.transpose() * y / double(n);
        const Eigen::LDLT<Eigen::Ref<matrix>> factors(gram);
        factors.solveInPlace(b);
    } else {
        // Fewer samples than genes (every genome-scale data set): the same B from the
        // push-through identity (Z'Z + c I)^-1 Z' = Z' (ZZ' + c I)^-1, c = n lambda, so
        // B = Z' (ZZ' / n + lambda I)^-1 Y / n. An (n, n) system and O(n G^2) work instead
        // of O(G^3); (n, G) scratch instead of (G, G). Equal to the primal to rounding.
        matrix kernel = z * z.transpose() / double(n);
        kernel.diagonal().array() += lambda;
        matrix weights = y / double(n);  // (n, G), becomes (ZZ'/n + lambda I)^-1 Y / n
        const Eigen::LDLT<Eigen::Ref<matrix>> factors(kernel);
        factors.solveInPlace(weights);
        b.noalias() = z.transpose() * weights;
    }
    for (auto& v : out) v = std::abs(v);
    clear_diagonal(out);
    return out;
}

tensor<double> clr_normalise(const tensor<double>& scores) {
    KNIT_CHECK_AS(shape_error, scores.dimension() == 2 && scores.shape(0) == scores.shape(1) && scores.shape(0) >= 3,
                  "clr: got scores " << shape_to_string(scores.shape()) << ", expected (G, G) with G >= 3");
    const std::size_t genes = scores.shape(0);
    // Raw row-major pointers, not the tensors' indexing, which costs more than the
    // arithmetic here. Every sum runs in (r, t) order.
    const double* in = scores.data();
    // Mean and deviation of each row and each column over its off-diagonal entries.
    std::vector<double> row_mean(genes, 0), row_sd(genes, 0), col_mean(genes, 0), col_sd(genes, 0);
    const double count = double(genes - 1);
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) {
                row_mean[r] += in[r * genes + t] / count;
                col_mean[t] += in[r * genes + t] / count;
            }
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) {
                const double v = in[r * genes + t];
                row_sd[r] += (v - row_mean[r]) * (v - row_mean[r]) / count;
                col_sd[t] += (v - col_mean[t]) * (v - col_mean[t]) / count;
            }
    for (std::size_t g = 0; g < genes; ++g) {  // variances to deviations
        row_sd[g] = std::sqrt(row_sd[g]);
        col_sd[g] = std::sqrt(col_sd[g]);
    }
    tensor<double> out = tensor<double>::from_shape({genes, genes});
    double* z = out.data();
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t) {
            const double v = in[r * genes + t], sr = row_sd[r], st = col_sd[t];
            const double zr = sr > 0 ? std::max(0.0, (v - row_mean[r]) / sr) : 0.0;
            const double zc = st > 0 ? std::max(0.0, (v - col_mean[t]) / st) : 0.0;
            z[r * genes + t] = std::sqrt(zr * zr + zc * zc);
        }
    clear_diagonal(out);
    return out;
}

namespace detail {

void gene_movement(const time_series_data& data, const std::vector<std::size_t>& release, std::vector<double>& sd,
                   std::vector<double>& relax) {
    const std::size_t genes = data.gene_count();
    sd.assign(genes, 0);
    relax.assign(genes, 0);
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
}

ridge_factors lagged_ridge_factors(const time_series_data& data, double lambda, const std::vector<std::size_t>& first) {
    tensor<double> now, later;
    ridge_samples(data, lambda, first, now, later);
    const Eigen::Index n = Eigen::Index(now.shape(0)), genes = Eigen::Index(now.shape(1));
    using matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const matrix> z(now.data(), n, genes);
    ridge_factors out;
    if (n >= genes) {
        // Primal: B = (Z'Z / n + lambda I)^-1 Z' Y / n, so left' = (Z'Z / n + lambda I)^-1 Z' / n
        // (a (G, n) solve; the Gram matrix is symmetric) and right = Y.
        matrix gram = z.transpose() * z / double(n);
        gram.diagonal().array() += lambda;
        matrix left_t = z.transpose() / double(n);
        const Eigen::LDLT<Eigen::Ref<matrix>> factors(gram);
        factors.solveInPlace(left_t);
        out.left = tensor<double>::from_shape({std::size_t(n), std::size_t(genes)});
        Eigen::Map<matrix>(out.left.data(), n, genes) = left_t.transpose();
        out.right = std::move(later);
    } else {
        // Dual: B = Z' (ZZ' / n + lambda I)^-1 Y / n, so left = Z and right is the (n, G) solve.
        matrix kernel = z * z.transpose() / double(n);
        kernel.diagonal().array() += lambda;
        out.right = tensor<double>::from_shape({std::size_t(n), std::size_t(genes)});
        Eigen::Map<matrix> weights(out.right.data(), n, genes);
        weights = Eigen::Map<const matrix>(later.data(), n, genes) / double(n);
        const Eigen::LDLT<Eigen::Ref<matrix>> factors(kernel);
        factors.solveInPlace(weights);
        out.left = std::move(now);
    }
    return out;
}

}  // namespace detail

std::vector<std::string> dynamics_feature_names() {
    return {"abs-lag1",          "abs-granger1",           "abs-lag2",
            "abs-granger2",      "abs-lag1-post",          "abs-granger1-post",
            "ridge-small",       "ridge-large",            "reverse-abs-granger1",
            "reverse-abs-lag1",  "regulator-sd",           "target-sd",
            "regulator-release", "target-release",         "regulator-mean-granger1",
            "target-mean-granger1", "clr-granger1",        "clr-lag1-post"};
}

dynamics_feature_rows::dynamics_feature_rows(const time_series_data& data, const dynamics_feature_options& options,
                                             std::size_t threads, communicator* shared) {
    KNIT_CHECK_AS(value_error, threads >= 1, "dynamics features: got threads 0, expected >= 1");
    data.validate();
    const std::size_t genes = data.gene_count();
    KNIT_CHECK_AS(value_error, genes >= 3, "dynamics features: got " << genes << " genes, expected at least 3");
    genes_ = genes;
    communicator& ranks = shared ? *shared : this_process();
    check_same_on_every_rank(ranks, genes, "dynamics features: the genes");
    const std::vector<std::size_t> release = release_points(data, options.release_time, options.detection);

    // Eight independent tasks, each one whole-network score and what is derived from it,
    // stored as log(v + 1e-6) (every column is the log of a non-negative score) in the
    // slots of matrices_: 0 lag1, 1 granger1, 2 lag2, 3 granger2, 4 lag1_post,
    // 5 granger1_post, 6 ridge_small, 7 ridge_large, 8 clr_granger1, 9 clr_lag1_post; the
    // granger1 task also makes the hub and sink means (out_mean, in_mean).
    matrices_.assign(10, tensor<double>());
    std::vector<double> out_mean(genes, 0), in_mean(genes, 0);
    const auto to_log = [](auto& values) {
        for (auto& v : values) v = std::log(v + 1e-6);
    };
    const auto run_task = [&](std::size_t task) {
        switch (task) {
            case 0: matrices_[6] = lagged_ridge_scores(data, options.ridge_small); break;
            case 1: matrices_[7] = lagged_ridge_scores(data, options.ridge_large); break;
            case 2: matrices_[0] = absolute(lag_correlation_scores(data, 1)); break;
            case 3: {
                tensor<double>& granger1 = matrices_[1];
                granger1 = absolute(granger_scores(data, 1));
                matrices_[8] = clr_normalise(granger1);
                // Hub and sink scores: a regulator's mean granger1 to all targets, a target's from all.
                const double* g1 = granger1.data();
                for (std::size_t r = 0; r < genes; ++r)
                    for (std::size_t t = 0; t < genes; ++t)
                        if (r != t) {
                            out_mean[r] += g1[r * genes + t] / double(genes - 1);
                            in_mean[t] += g1[r * genes + t] / double(genes - 1);
                        }
                to_log(matrices_[8]);
                break;
            }
            case 4: matrices_[2] = absolute(lag_correlation_scores(data, 2)); break;
            case 5: matrices_[3] = absolute(granger_scores(data, 2)); break;
            case 6: {
                tensor<double> now, later;
                lagged_samples(data, 1, release, now, later);
                matrices_[4] = absolute(cross_correlation(now, later));
                clear_diagonal(matrices_[4]);
                matrices_[9] = clr_normalise(matrices_[4]);
                to_log(matrices_[9]);
                break;
            }
            default: matrices_[5] = absolute(granger_scores(data, 1, release)); break;
        }
        to_log(matrices_[task_slots[task].front()]);
    };
    // The tasks dealt over the ranks by their cost (task_cost), largest first, each to the
    // least-loaded rank; in that order on this rank's threads, so the long ones start first.
    const std::vector<std::size_t> owner = deal_by_cost(task_cost, ranks.size());
    std::vector<std::size_t> mine;
    for (std::size_t task : by_decreasing_cost(task_cost))
        if (owner[task] == ranks.rank()) mine.push_back(task);
    std::exception_ptr failure;
    try {
        parallel_for(mine.size(), threads, [&](std::size_t i) { run_task(mine[i]); });
    } catch (...) {
        failure = std::current_exception();
    }
    rethrow_on_every_rank(ranks, failure, "dynamics features");
    if (ranks.size() > 1) {
        // Every slot from the rank that made it.
        for (std::size_t task = 0; task < task_slots.size(); ++task)
            for (std::size_t slot : task_slots[task]) {
                if (owner[task] != ranks.rank()) matrices_[slot] = tensor<double>::from_shape({genes, genes});
                ranks.broadcast(matrices_[slot].data(), matrices_[slot].size() * sizeof(double), owner[task]);
            }
        ranks.broadcast(out_mean.data(), genes * sizeof(double), owner[3]);
        ranks.broadcast(in_mean.data(), genes * sizeof(double), owner[3]);
    }

    std::vector<double> sd, relax;
    detail::gene_movement(data, release, sd, relax);
    for (std::vector<double>* v : {&sd, &relax, &out_mean, &in_mean}) {
        to_log(*v);
        per_gene_.push_back(std::move(*v));
    }
    // The columns of dynamics_feature_names(), in order. Matrices: 0 lag1, 1 granger1,
    // 2 lag2, 3 granger2, 4 lag1_post, 5 granger1_post, 6 ridge_small, 7 ridge_large,
    // 8 clr_granger1, 9 clr_lag1_post; per gene: 0 sd, 1 relax, 2 out_mean, 3 in_mean.
    sources_ = {{from::pair, 0},         {from::pair, 1},      {from::pair, 2},         {from::pair, 3},
                {from::pair, 4},         {from::pair, 5},      {from::pair, 6},         {from::pair, 7},
                {from::reverse_pair, 1}, {from::reverse_pair, 0}, {from::regulator, 0}, {from::target, 0},
                {from::regulator, 1},    {from::target, 1},    {from::regulator, 2},    {from::target, 3},
                {from::pair, 8},         {from::pair, 9}};
    KNIT_CHECK_AS(state_error, sources_.size() == dynamics_feature_names().size(),
                  "dynamics features: " << sources_.size() << " sources for " << dynamics_feature_names().size()
                                        << " names");

    // Column means and population deviations over the G (G - 1) off-diagonal pairs, summed
    // in (regulator, target) order: the order of one pass down each column of the table.
    // One task per column, this rank's columns (f % ranks); a column's sums are in that
    // order whatever the thread or rank count. The ranks then sum their statistics, each
    // column's nonzero on its owner only.
    const std::size_t features = sources_.size();
    const double pairs = double(genes * (genes - 1));
    mean_.assign(features, 0.0);
    deviation_.assign(features, 0.0);
    std::vector<std::size_t> my_columns;
    for (std::size_t f = ranks.rank(); f < features; f += ranks.size()) my_columns.push_back(f);
    parallel_for_without_blas(my_columns.size(), threads, [&](std::size_t i) {
        const std::size_t f = my_columns[i];
        const detail::pair_view column = view_of(sources_[f]);
        double sum = 0;
        for (std::size_t r = 0; r < genes; ++r)
            for (std::size_t t = 0; t < genes; ++t)
                if (r != t) sum += column.at(r, t);
        const double mean = sum / pairs;
        double sq = 0;
        for (std::size_t r = 0; r < genes; ++r)
            for (std::size_t t = 0; t < genes; ++t)
                if (r != t) {
                    const double d = column.at(r, t) - mean;
                    sq += d * d;
                }
        mean_[f] = mean;
        deviation_[f] = std::sqrt(sq / pairs);
    });
    if (ranks.size() > 1) {
        std::vector<double> both(mean_);
        both.insert(both.end(), deviation_.begin(), deviation_.end());
        ranks.sum(both.data(), both.size());
        std::copy(both.begin(), both.begin() + std::ptrdiff_t(features), mean_.begin());
        std::copy(both.begin() + std::ptrdiff_t(features), both.end(), deviation_.begin());
    }
}

template <class T>
void dynamics_feature_rows::fill(std::size_t begin, std::size_t end, T* out) const {
    KNIT_CHECK_AS(value_error, begin <= end && end <= genes_ * genes_,
                  "dynamics feature rows: got rows [" << begin << ", " << end << "), expected within [0, "
                                                      << genes_ * genes_ << ")");
    const std::size_t features = sources_.size();
    std::vector<detail::pair_view> columns;
    for (const source& s : sources_) columns.push_back(view_of(s));
    for (std::size_t row = begin; row < end; ++row) {
        const std::size_t r = row / genes_, t = row % genes_;
        for (std::size_t f = 0; f < features; ++f)
            *out++ = r == t || !(deviation_[f] > 0)
                         ? T(0)
                         : static_cast<T>((columns[f].at(r, t) - mean_[f]) / deviation_[f]);
    }
}
template void dynamics_feature_rows::fill<float>(std::size_t, std::size_t, float*) const;
template void dynamics_feature_rows::fill<double>(std::size_t, std::size_t, double*) const;

tensor<double> dynamics_features(const time_series_data& data, const dynamics_feature_options& options) {
    const dynamics_feature_rows rows(data, options);
    const std::size_t genes = rows.gene_count();
    tensor<double> out = tensor<double>::from_shape({genes * genes, rows.feature_count()});
    rows.fill(0, genes * genes, out.data());
    return out;
}

}  // namespace knit::grn
