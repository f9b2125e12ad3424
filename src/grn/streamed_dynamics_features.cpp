#include "knit/grn/streamed_dynamics_features.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>

#include "knit/core/blas.hpp"
#include "knit/core/error.hpp"
#include "knit/core/parallel.hpp"
#include "knit/grn/features.hpp"

namespace knit::grn {

namespace {

// The feature columns' score slots, as in dynamics_feature_rows: 0 lag1, 1 granger1,
// 2 lag2, 3 granger2, 4 lag1_post, 5 granger1_post, 6 ridge_small, 7 ridge_large.
constexpr std::size_t score_slots = 8;
// The CLR scores are made from slots 1 and 4.
constexpr std::size_t clr_slot[2] = {1, 4};

// dynamics_feature_names()' columns.
constexpr std::size_t feature_columns = 18;

double log_score(double v) { return std::log(v + 1e-6); }

// granger_scores' partial correlation from its three correlations.
double granger(double ahead, double same, double persistence) {
    return (ahead - same * persistence) / std::sqrt(std::max(1e-9, (1 - same * same) * (1 - persistence * persistence)));
}

// A running mean and M2 (sum of squared deviations) of `count` values, merged with another
// part's by Chan, Golub and LeVeque's update.
struct moments {
    double count = 0, mean = 0, m2 = 0;
    void merge(double other_count, double other_mean, double other_m2) {
        if (other_count == 0) return;
        const double total = count + other_count, d = other_mean - mean;
        mean += d * other_count / total;
        m2 += other_m2 + d * d * count * other_count / total;
        count = total;
    }
};

// Mean and M2 of the block's off-diagonal values v[i * genes + t], t != rows[i].
void off_diagonal_moments(const std::vector<double>& v, const std::size_t* rows, std::size_t count, std::size_t genes,
                          double& mean, double& m2) {
    double sum = 0;
    for (std::size_t i = 0; i < count; ++i)
        for (std::size_t t = 0; t < genes; ++t)
            if (t != rows[i]) sum += v[i * genes + t];
    mean = sum / double(count * (genes - 1));
    double sq = 0;
    for (std::size_t i = 0; i < count; ++i)
        for (std::size_t t = 0; t < genes; ++t)
            if (t != rows[i]) sq += (v[i * genes + t] - mean) * (v[i * genes + t] - mean);
    m2 = sq;
}

}  // namespace

struct streamed_dynamics_features::block {
    std::vector<double> gathered;                 // (B, n): the rows' columns of a left factor
    std::vector<double> score[score_slots];       // (B, G) absolute scores, diagonal 0
    std::vector<double> same;                     // (B, G) corr(x_r(k), x_t(k)) at lag 1
    std::vector<double> reverse_lag1, reverse_granger1;  // (B, G): the scores of (t, r)
};

streamed_dynamics_features::streamed_dynamics_features(const time_series_data& data,
                                                       const dynamics_feature_options& options, std::size_t threads,
                                                       communicator* shared, std::size_t pass_block) {
    KNIT_CHECK_AS(value_error, threads >= 1 && pass_block >= 1,
                  "streamed features: got threads " << threads << " and pass block " << pass_block
                                                    << ", expected both >= 1");
    data.validate();
    const std::size_t genes = data.gene_count();
    KNIT_CHECK_AS(value_error, genes >= 3, "streamed features: got " << genes << " genes, expected at least 3");
    genes_ = genes;
    communicator& ranks = shared ? *shared : this_process();
    check_same_on_every_rank(ranks, genes, "streamed features: the genes");
    check_same_on_every_rank(ranks, pass_block, "streamed features: the pass block");
    const std::vector<std::size_t> release = release_points(data, options.release_time, options.detection);

    const auto make_set = [&](std::size_t lag, const std::vector<std::size_t>& first) {
        tensor<double> now, later;
        lagged_samples(data, lag, first, now, later);
        sample_set s;
        s.samples = now.shape(0);
        s.now = correlation_columns(now);
        s.later = correlation_columns(later);
        s.persistence.assign(genes, 0);
        for (std::size_t k = 0; k < s.samples; ++k)
            for (std::size_t t = 0; t < genes; ++t) s.persistence[t] += s.now[k * genes + t] * s.later[k * genes + t];
        for (double& p : s.persistence) p = std::clamp(p, -1.0, 1.0);
        return s;
    };
    lag1_ = make_set(1, {});
    lag2_ = make_set(2, {});
    post_ = make_set(1, release);
    ridge_small_ = detail::lagged_ridge_factors(data, options.ridge_small);
    ridge_large_ = detail::lagged_ridge_factors(data, options.ridge_large);

    // Pass blocks: block k goes to rank k mod K; each pass's per-block results are written
    // in their own slots and summed over the ranks (0 where another rank worked).
    const std::size_t blocks = genes / pass_block + (genes % pass_block != 0);
    const auto rows_of = [&](std::size_t k, std::vector<std::size_t>& rows) {
        rows.clear();
        for (std::size_t r = k * pass_block; r < std::min(genes, (k + 1) * pass_block); ++r) rows.push_back(r);
    };
    const auto block_rows = [&](std::size_t k) { return std::min(genes, (k + 1) * pass_block) - k * pass_block; };
    // Runs task(k) for this rank's blocks among [first, last) on the threads, then sums the
    // results over the ranks.
    const auto run_pass = [&](std::size_t first, std::size_t last, const std::function<void(std::size_t)>& task,
                              std::vector<double*> results, std::vector<std::size_t> sizes, const char* what) {
        std::vector<std::size_t> mine;
        for (std::size_t k = first; k < last; ++k)
            if (k % ranks.size() == ranks.rank()) mine.push_back(k);
        std::exception_ptr failure;
        try {
            parallel_for(mine.size(), threads, [&](std::size_t i) { task(mine[i]); });
        } catch (...) {
            failure = std::current_exception();
        }
        rethrow_on_every_rank(ranks, failure, what);
        if (ranks.size() > 1)
            for (std::size_t i = 0; i < results.size(); ++i) ranks.sum(results[i], sizes[i]);
    };

    // Pass 1: per block, the mean and M2 of each score's log (score_moments), and for the
    // two CLR scores the block's column means and M2 and its rows' statistics (whole in
    // one block). The column moments take 4 G numbers a block, so they are made in waves
    // of 8 blocks a rank and merged into running moments after each wave, in block order:
    // the same merge, in the same order, whatever the waves.
    std::vector<double> score_moments(blocks * score_slots * 2, 0.0);
    std::vector<moments> column_totals(2 * genes);
    for (std::size_t c = 0; c < 2; ++c) row_mean_[c].assign(genes, 0.0), row_sd_[c].assign(genes, 0.0);
    const std::size_t wave = 8 * ranks.size();
    std::vector<double> column_moments(wave * 2 * 2 * genes);
    for (std::size_t first = 0; first < blocks; first += wave) {
        const std::size_t last = std::min(blocks, first + wave);
        std::fill(column_moments.begin(), column_moments.end(), 0.0);
        run_pass(
            first, last,
            [&](std::size_t k) {
                std::vector<std::size_t> rows;
                rows_of(k, rows);
                const std::size_t count = rows.size();
                block b;
                compute(rows.data(), count, stage::statistics, b);
                for (std::size_t c = 0; c < 2; ++c) {
                    const std::vector<double>& v = b.score[clr_slot[c]];
                    for (std::size_t i = 0; i < count; ++i) {
                        const std::size_t r = rows[i];
                        double mean = 0, sq = 0;
                        for (std::size_t t = 0; t < genes; ++t)
                            if (t != r) mean += v[i * genes + t] / double(genes - 1);
                        for (std::size_t t = 0; t < genes; ++t)
                            if (t != r) sq += (v[i * genes + t] - mean) * (v[i * genes + t] - mean) / double(genes - 1);
                        row_mean_[c][r] = mean;
                        row_sd_[c][r] = std::sqrt(sq);
                    }
                    double* column_mean = &column_moments[(((k - first) * 2 + c) * 2 + 0) * genes];
                    double* column_m2 = &column_moments[(((k - first) * 2 + c) * 2 + 1) * genes];
                    for (std::size_t t = 0; t < genes; ++t) {
                        double sum = 0, n = 0;
                        for (std::size_t i = 0; i < count; ++i)
                            if (rows[i] != t) sum += v[i * genes + t], n += 1;
                        if (n == 0) continue;
                        const double mean = sum / n;
                        double sq = 0;
                        for (std::size_t i = 0; i < count; ++i)
                            if (rows[i] != t) sq += (v[i * genes + t] - mean) * (v[i * genes + t] - mean);
                        column_mean[t] = mean;
                        column_m2[t] = sq;
                    }
                }
                for (std::size_t s = 0; s < score_slots; ++s) {
                    for (double& v : b.score[s]) v = log_score(v);
                    off_diagonal_moments(b.score[s], rows.data(), count, genes,
                                         score_moments[(k * score_slots + s) * 2],
                                         score_moments[(k * score_slots + s) * 2 + 1]);
                }
            },
            {column_moments.data()}, {(last - first) * 2 * 2 * genes}, "streamed features (pass 1)");
        for (std::size_t k = first; k < last; ++k)
            for (std::size_t c = 0; c < 2; ++c)
                for (std::size_t t = 0; t < genes; ++t) {
                    const bool holds_t = t >= k * pass_block && t < k * pass_block + block_rows(k);
                    column_totals[c * genes + t].merge(double(block_rows(k) - holds_t),
                                                       column_moments[(((k - first) * 2 + c) * 2 + 0) * genes + t],
                                                       column_moments[(((k - first) * 2 + c) * 2 + 1) * genes + t]);
                }
    }
    std::vector<double>().swap(column_moments);
    // The other results of pass 1, each slot nonzero on its owner only.
    if (ranks.size() > 1) {
        ranks.sum(score_moments.data(), score_moments.size());
        for (std::size_t c = 0; c < 2; ++c) {
            ranks.sum(row_mean_[c].data(), genes);
            ranks.sum(row_sd_[c].data(), genes);
        }
    }
    for (std::size_t c = 0; c < 2; ++c) {
        col_mean_[c].assign(genes, 0.0);
        col_sd_[c].assign(genes, 0.0);
        for (std::size_t t = 0; t < genes; ++t) {
            col_mean_[c][t] = column_totals[c * genes + t].mean;
            col_sd_[c][t] = std::sqrt(column_totals[c * genes + t].m2 / double(genes - 1));
        }
    }
    const auto merged = [&](const std::vector<double>& per_block, std::size_t slots, std::size_t s, std::size_t f) {
        moments m;
        for (std::size_t k = 0; k < blocks; ++k)
            m.merge(double(block_rows(k) * (genes - 1)), per_block[(k * slots + s) * 2], per_block[(k * slots + s) * 2 + 1]);
        mean_[f] = m.mean;
        deviation_[f] = std::sqrt(m.m2 / m.count);
    };
    const std::size_t features = dynamics_feature_names().size();
    KNIT_CHECK_AS(state_error, features == feature_columns,
                  "streamed features: " << feature_columns << " columns for " << features << " names");
    mean_.assign(features, 0.0);
    deviation_.assign(features, 0.0);
    for (std::size_t s = 0; s < score_slots; ++s) merged(score_moments, score_slots, s, s);
    // The reverse columns hold the same values as their forward ones: reverse granger1
    // (8) as granger1 (1), reverse lag1 (9) as lag1 (0).
    mean_[8] = mean_[1], deviation_[8] = deviation_[1];
    mean_[9] = mean_[0], deviation_[9] = deviation_[0];

    // Per gene: movement, relaxation, and the hub and sink means of |granger1| (its CLR
    // row and column means), as logs; over the pairs each value counts G - 1 times, so a
    // column's statistics are those of the G values.
    detail::gene_movement(data, release, per_gene_[0], per_gene_[1]);
    per_gene_[2] = row_mean_[0];
    per_gene_[3] = col_mean_[0];
    for (auto& v : per_gene_)
        for (double& x : v) x = log_score(x);
    const std::size_t per_gene_column[4][2] = {{10, 11}, {12, 13}, {14, 14}, {15, 15}};
    for (std::size_t p = 0; p < 4; ++p) {
        double mean = 0, sq = 0;
        for (double x : per_gene_[p]) mean += x / double(genes);
        for (double x : per_gene_[p]) sq += (x - mean) * (x - mean) / double(genes);
        for (std::size_t f : per_gene_column[p]) mean_[f] = mean, deviation_[f] = std::sqrt(sq);
    }

    // Pass 2: the CLR scores' logs, from the statistics above.
    std::vector<double> clr_moments(blocks * 2 * 2, 0.0);
    run_pass(
        0, blocks,
        [&](std::size_t k) {
            std::vector<std::size_t> rows;
            rows_of(k, rows);
            block b;
            compute(rows.data(), rows.size(), stage::clr, b);
            for (std::size_t c = 0; c < 2; ++c) {
                std::vector<double>& v = b.score[clr_slot[c]];
                for (std::size_t i = 0; i < rows.size(); ++i)
                    for (std::size_t t = 0; t < genes; ++t)
                        v[i * genes + t] = log_score(clr(c, rows[i], t, v[i * genes + t]));
                off_diagonal_moments(v, rows.data(), rows.size(), genes, clr_moments[(k * 2 + c) * 2],
                                     clr_moments[(k * 2 + c) * 2 + 1]);
            }
        },
        {clr_moments.data()}, {clr_moments.size()}, "streamed features (pass 2)");
    merged(clr_moments, 2, 0, 16);
    merged(clr_moments, 2, 1, 17);
}

double streamed_dynamics_features::clr(std::size_t c, std::size_t r, std::size_t t, double v) const {
    const double sr = row_sd_[c][r], st = col_sd_[c][t];
    const double zr = sr > 0 ? std::max(0.0, (v - row_mean_[c][r]) / sr) : 0.0;
    const double zc = st > 0 ? std::max(0.0, (v - col_mean_[c][t]) / st) : 0.0;
    return std::sqrt(zr * zr + zc * zc);
}

void streamed_dynamics_features::compute(const std::size_t* rows, std::size_t count, stage which, block& b) const {
    const std::size_t genes = genes_;
    // out (B, G) = left[:, rows]' right: the rows' columns of left (n, G) gathered as (B, n).
    const auto product = [&](const double* left, const double* right, std::size_t n, std::vector<double>& out) {
        b.gathered.resize(count * n);
        for (std::size_t i = 0; i < count; ++i)
            for (std::size_t s = 0; s < n; ++s) b.gathered[i * n + s] = left[s * genes + rows[i]];
        out.resize(count * genes);
        gemm(transpose::no, transpose::no, count, genes, n, 1.0, b.gathered.data(), n, right, genes, 0.0, out.data(),
             genes);
    };
    const auto clamp_all = [](std::vector<double>& v) {
        for (double& x : v) x = std::clamp(x, -1.0, 1.0);
    };
    const auto clear_diagonal = [&](std::vector<double>& v) {
        for (std::size_t i = 0; i < count; ++i) v[i * genes + rows[i]] = 0;
    };
    // |lag correlation| into lag_slot and |granger| into granger_slot (if any); `same`
    // keeps corr(x_r(k), x_t(k)) of this set.
    const auto lag_and_granger = [&](const sample_set& set, std::size_t lag_slot, std::size_t granger_slot,
                                     bool with_granger) {
        std::vector<double>& ahead = b.score[lag_slot];
        product(set.now.data(), set.later.data(), set.samples, ahead);
        clamp_all(ahead);
        if (with_granger) {
            product(set.now.data(), set.now.data(), set.samples, b.same);
            clamp_all(b.same);
            std::vector<double>& g = b.score[granger_slot];
            g.resize(count * genes);
            for (std::size_t i = 0; i < count; ++i)
                for (std::size_t t = 0; t < genes; ++t)
                    g[i * genes + t] = std::abs(granger(ahead[i * genes + t], b.same[i * genes + t], set.persistence[t]));
            clear_diagonal(g);
        }
        for (double& x : ahead) x = std::abs(x);
        clear_diagonal(ahead);
    };
    const bool all = which != stage::clr;
    lag_and_granger(lag1_, 0, 1, true);
    if (which == stage::rows) {
        // The reverse pairs (t, r): corr(x_t(k), x_r(k + 1)) = Z_later[:, r]' Z_now[:, t],
        // and granger1 of (t, r) from it, corr(x_r(k), x_t(k)) and r's persistence.
        product(lag1_.later.data(), lag1_.now.data(), lag1_.samples, b.reverse_lag1);
        clamp_all(b.reverse_lag1);
        b.reverse_granger1.resize(count * genes);
        for (std::size_t i = 0; i < count; ++i)
            for (std::size_t t = 0; t < genes; ++t)
                b.reverse_granger1[i * genes + t] = std::abs(
                    granger(b.reverse_lag1[i * genes + t], b.same[i * genes + t], lag1_.persistence[rows[i]]));
        for (double& x : b.reverse_lag1) x = std::abs(x);
        clear_diagonal(b.reverse_lag1);
        clear_diagonal(b.reverse_granger1);
    }
    lag_and_granger(post_, 4, 5, all);
    if (!all) return;
    lag_and_granger(lag2_, 2, 3, true);
    const auto ridge = [&](const detail::ridge_factors& f, std::vector<double>& out) {
        product(f.left.data(), f.right.data(), f.left.shape(0), out);
        for (double& x : out) x = std::abs(x);
        clear_diagonal(out);
    };
    ridge(ridge_small_, b.score[6]);
    ridge(ridge_large_, b.score[7]);
}

template <class T>
void streamed_dynamics_features::fill_rows(const std::vector<std::size_t>& regulators, std::size_t begin,
                                           std::size_t end, T* out) const {
    const std::size_t genes = genes_;
    KNIT_CHECK_AS(value_error, begin <= end && end <= regulators.size() * genes,
                  "streamed feature rows: got rows [" << begin << ", " << end << "), expected within [0, "
                                                      << regulators.size() * genes << ")");
    if (begin == end) return;
    for (std::size_t r : regulators)
        KNIT_CHECK_AS(value_error, r < genes, "streamed feature rows: got regulator " << r << ", expected < " << genes);
    const std::size_t first = begin / genes, last = (end - 1) / genes + 1;
    block b;
    compute(regulators.data() + first, last - first, stage::rows, b);
    const std::size_t features = mean_.size();
    double value[feature_columns];
    for (std::size_t row = begin; row < end; ++row) {
        const std::size_t i = row / genes - first, t = row % genes, r = regulators[row / genes];
        if (r == t) {
            for (std::size_t f = 0; f < features; ++f) *out++ = T(0);
            continue;
        }
        const std::size_t at = i * genes + t;
        for (std::size_t s = 0; s < score_slots; ++s) value[s] = log_score(b.score[s][at]);
        value[8] = log_score(b.reverse_granger1[at]);
        value[9] = log_score(b.reverse_lag1[at]);
        value[10] = per_gene_[0][r], value[11] = per_gene_[0][t];
        value[12] = per_gene_[1][r], value[13] = per_gene_[1][t];
        value[14] = per_gene_[2][r], value[15] = per_gene_[3][t];
        value[16] = log_score(clr(0, r, t, b.score[clr_slot[0]][at]));
        value[17] = log_score(clr(1, r, t, b.score[clr_slot[1]][at]));
        for (std::size_t f = 0; f < features; ++f)
            *out++ = deviation_[f] > 0 ? static_cast<T>((value[f] - mean_[f]) / deviation_[f]) : T(0);
    }
}
template void streamed_dynamics_features::fill_rows<float>(const std::vector<std::size_t>&, std::size_t, std::size_t,
                                                           float*) const;
template void streamed_dynamics_features::fill_rows<double>(const std::vector<std::size_t>&, std::size_t, std::size_t,
                                                            double*) const;

}  // namespace knit::grn
