// context-mlp's pair features (dynamics_features.hpp) for the rows of chosen regulators,
// without any (G, G) matrix: for genome-scale networks, where ten (G, G) matrices of
// doubles (32 GB at 20,000 genes) cannot be kept. The rows mean what
// dynamics_feature_rows' rows mean: every column is standardised over all G (G - 1)
// ordered pairs of the network, the CLR scores use whole rows and whole columns, and the
// hub means average over all genes, whatever regulators are asked for.
//
//   samples   per lagged sample set (lag 1, lag 2, lag 1 after the release) the
//             correlation columns of x(k) and x(k + lag) (correlation_columns), (n, G)
//             each, and the ridge factors (detail::lagged_ridge_factors), (n, G) each. A
//             block of regulator rows of every score is then a product of a few gathered
//             columns with an (n, G) matrix: corr(x_r(k), x_t(k + lag)) for rows r is
//             Z_now[:, rows]' Z_later.
//   pass 1    over all G rows, in blocks of `pass_block` rows: the eight scores of each
//             block; the mean and M2 (sum of squared deviations) of each one's log over
//             the block's off-diagonal pairs; for |granger1| and |lag1_post| each row's
//             mean and deviation and each column's block mean and M2 (made in waves of 8
//             blocks a rank, merged after each wave). Blocks are merged in block order (Chan, Golub and LeVeque's pairwise update: n = na + nb,
//             d = mb - ma, m = ma + d nb / n, M2 = M2a + M2b + d^2 na nb / n), so every
//             statistic is the same for every thread and rank count.
//   pass 2    the CLR scores of granger1 and lag1_post from those row and column
//             statistics, and the mean and M2 of their logs, the same way.
//   rows      fill_rows(): rows of any regulators, the scores of their rows (and of the
//             reverse pairs, from the columns) computed on demand and standardised.
//
// Cost: the two passes compute eleven (G, G) products of (G, n) by (n, G) in blocks, and
// the rows nine more per regulator row. Memory: O(n G) for the samples and factors,
// O(threads x pass_block x G) for the blocks (eleven (pass_block, G) matrices each),
// O(ranks x 8 x 4 G) for a wave of column moments, and O(G) statistics. Pass blocks are dealt to the ranks (block k
// to rank k mod K) and, on each rank, to its threads; the ranks sum their statistics.
// The rows equal dynamics_feature_rows' to rounding, not bit for bit: a block's product
// and the merged sums round differently (about 1e-12 on the tests' networks, which hold
// them to 1e-9).
#pragma once

#include <cstddef>
#include <vector>

#include "knit/core/communicator.hpp"
#include "knit/grn/dynamics_features.hpp"
#include "knit/grn/expression.hpp"

namespace knit::grn {

class streamed_dynamics_features {
public:
    explicit streamed_dynamics_features(const time_series_data& data, const dynamics_feature_options& options = {},
                                        std::size_t threads = 1, communicator* ranks = nullptr,
                                        std::size_t pass_block = 128);
    std::size_t gene_count() const { return genes_; }
    std::size_t feature_count() const { return mean_.size(); }
    // Each column's mean and population deviation over the G (G - 1) pairs, in the order of
    // dynamics_feature_names().
    const std::vector<double>& means() const { return mean_; }
    const std::vector<double>& deviations() const { return deviation_; }

    // Rows [begin, end) of the (R, G) layout of `regulators` (gene indices, R of them): row
    // i * G + t is the pair (regulators[i], t), all 0 when they are one gene. (end - begin)
    // x F values, row-major, cast to T. Thread-safe; the products of the regulators the
    // rows cover are computed for this call.
    template <class T>
    void fill_rows(const std::vector<std::size_t>& regulators, std::size_t begin, std::size_t end, T* out) const;

private:
    struct block;
    struct sample_set {
        std::size_t samples = 0;
        std::vector<double> now, later;  // (n, G) correlation columns of x(k) and x(k + lag)
        std::vector<double> persistence;  // corr(x_t(k), x_t(k + lag)), G
    };
    // The scores of rows `rows` (B of them) that `stage` needs, into b.
    enum class stage { statistics, clr, rows };
    void compute(const std::size_t* rows, std::size_t count, stage which, block& b) const;
    // The CLR score of v = |score c| at (r, t): c 0 granger1, 1 lag1_post (clr_normalise).
    double clr(std::size_t c, std::size_t r, std::size_t t, double v) const;

    std::size_t genes_ = 0;
    sample_set lag1_, lag2_, post_;
    detail::ridge_factors ridge_small_, ridge_large_;
    // |granger1| and |lag1_post|: each row's and each column's mean and deviation over its
    // off-diagonal entries (the CLR statistics).
    std::vector<double> row_mean_[2], row_sd_[2], col_mean_[2], col_sd_[2];
    std::vector<double> per_gene_[4];  // logs of sd, relax, out_mean (hub), in_mean (sink)
    std::vector<double> mean_, deviation_;
};
extern template void streamed_dynamics_features::fill_rows<float>(const std::vector<std::size_t>&, std::size_t,
                                                                  std::size_t, float*) const;
extern template void streamed_dynamics_features::fill_rows<double>(const std::vector<std::size_t>&, std::size_t,
                                                                   std::size_t, double*) const;

}  // namespace knit::grn
