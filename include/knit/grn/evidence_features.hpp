// Per-pair evidence from every kind of experiment a network comes with, for models that
// must transfer to networks they never saw (leave-one-network-out, REFERENCE §5).
//
// Evidence comes in families; each needs some experiment kinds and is computed only when
// the data have them:
//
//   knockout        (knockouts; wild type, or the median estimate of steady_state_features)
//                   the signed knockout z-score z(r, t) of the target's response, |z|, |z|
//                   normalised within the target's column and within the regulator's row,
//                   the reverse |z(t, r)|, the strongest two-step path that explains the
//                   response (path_explanation) and what is left after it, the deconvolved
//                   direct effect, the regulator's own response to its knockout, how many
//                   genes respond to the regulator and to how many regulators the target
//                   responds, and whether the regulator was knocked out at all
//   knockdown       the same on the knockdown rows
//   agreement       (knockouts and knockdowns) z_ko z_kd and min(|z_ko|, |z_kd|)
//   multifactorial  (multifactorial) |correlation| over the rows, its CLR, and the ridge
//                   regression |beta| in both directions (regression_scores)
//   steady-pooled   (any steady-state table) regression |beta| over every steady-state row
//                   pooled (wild type, knockouts, knockdowns, multifactorial), both ways
//   timeseries      (time series) the 18 whole-network dynamics features
//                   (dynamics_features.hpp)
//
// Every column is standardised over the G (G - 1) ordered pairs of its own network (after
// log(|v| + 1e-6) for non-negative strengths), so that a value means the same in every
// network. Absent families are zero columns, and one indicator column per family (1 when
// it was computed) follows, so that one model can be trained for, and score, data with any
// subset of the kinds. Rows: one per ordered pair, row r * G + t; the diagonal rows are 0.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "knit/core/communicator.hpp"
#include "knit/core/tensor.hpp"
#include "knit/grn/detail/pair_view.hpp"
#include "knit/grn/dynamics_features.hpp"
#include "knit/grn/experiment_set.hpp"

namespace knit::grn {

struct evidence_family {
    std::string name;
    // The family is computed when the data have every kind of `needs` and at least one of
    // `needs_any` (when not empty).
    experiment_kinds needs, needs_any;
    std::vector<std::string> columns;
};

// Every family, in table order.
const std::vector<evidence_family>& evidence_families();
std::vector<std::string> evidence_family_names();

struct evidence_options {
    // The families to build, by name; empty: all of them.
    std::vector<std::string> families;
    dynamics_feature_options dynamics;
    double regression_lambda = 0.5;   // ridge strength of the steady-state regressions
    double deconvolution_radius = 0.9;
    double responds_at = 2.0;         // |z| above which a gene counts as responding
};

struct evidence_table {
    tensor<double> values;                    // (G * G, F)
    std::vector<std::string> columns;         // F names: family columns, then the indicators
    std::vector<std::size_t> column_family;   // index into the selected families; indicators too
    std::vector<std::string> families;        // the selected families, in table order
    std::vector<bool> present;                // per selected family: computed from the data
    experiment_kinds used;                    // the kinds the computed families read
};

// The column layout for `options` (no data needed): what evidence_features() returns,
// values aside.
evidence_table evidence_layout(const evidence_options& options = {});

// evidence_features() without its (G * G, F) table, for scoring large networks: it keeps
// each column's source (a (G, G) score matrix, already log-transformed where the column
// is a log strength, read as it is or transposed, or a per-gene vector), its mean and
// deviation over the off-diagonal pairs, and the time-series family's
// dynamics_feature_rows, and makes rows on demand. A reverse column reads its forward
// column's matrix transposed and a per-gene column keeps G values, so it keeps about half
// the table's numbers (with every kind: 30 (G, G) matrices and 12 vectors against 56 columns).
// The rows are evidence_features()'s, bit for bit (evidence_features() is built on it).
class evidence_feature_rows {
public:
    // Throws knit::value_error for an unknown family name, genes < 3 or threads 0. The
    // steady-state families are computed as `threads` parallel tasks (knit::parallel_for),
    // then the time-series family (dynamics_feature_rows, on `threads` too). With `ranks`
    // (every rank calls with the same data), the steady-state families are dealt over the
    // ranks by their cost and each one's sources and statistics are sent from its owner to
    // the others, and the time-series family is built by all of them together; an
    // exception on one rank is thrown on every rank. The rows are the same for every
    // thread and rank count.
    explicit evidence_feature_rows(const experiment_set& data, const evidence_options& options = {},
                                   std::size_t threads = 1, communicator* ranks = nullptr);
    // The columns, families, present and used of the table; values empty.
    const evidence_table& layout() const { return layout_; }
    std::size_t gene_count() const { return genes_; }
    std::size_t column_count() const { return layout_.columns.size(); }
    // Rows [begin, end) (row r * G + t; diagonal rows 0) into out: (end - begin) x F values,
    // row-major, each cast to T from the double the table holds. Thread-safe.
    template <class T>
    void fill(std::size_t begin, std::size_t end, T* out) const;

    // The columns point into the kept matrices: a copy would point into the original.
    evidence_feature_rows(const evidence_feature_rows&) = delete;
    evidence_feature_rows& operator=(const evidence_feature_rows&) = delete;
    evidence_feature_rows(evidence_feature_rows&&) = default;

    // What a family's columns read: its matrices and per-gene vectors (the columns' views
    // point into their buffers, which stay put when the containers move).
    struct family_sources {
        std::vector<tensor<double>> matrices;
        std::vector<std::vector<double>> vectors;
    };
    // One column: zero (a family the data cannot give), a standardised evidence value, a
    // column of the dynamics rows, or a family's indicator (1 off the diagonal). An
    // evidence value is source `source` of its family (a matrix, or a vector when read at
    // the regulator or the target) read at `view`.
    struct column {
        enum class kind { zero, evidence, dynamics, indicator } what = kind::zero;
        detail::pair_source how = detail::pair_source::pair;
        std::size_t source = 0;
        detail::pair_view view;
        double mean = 0, deviation = 1;
        bool constant = true;  // standardises to 0 (rounding noise aside, a constant column)
        std::size_t dynamics_column = 0;
    };

private:
    std::size_t genes_ = 0;
    evidence_table layout_;
    std::vector<family_sources> sources_;  // by selected family
    std::unique_ptr<dynamics_feature_rows> dynamics_;
    std::vector<column> columns_;
};
extern template void evidence_feature_rows::fill<float>(std::size_t, std::size_t, float*) const;
extern template void evidence_feature_rows::fill<double>(std::size_t, std::size_t, double*) const;

// The table for one network. Families whose kinds are missing are zero columns with a 0
// indicator; throws knit::value_error for an unknown family name or genes < 3.
// The families are computed as `threads` parallel tasks (knit::parallel_for), each
// standardising its own columns; the table is the same, bit for bit, for every count.
evidence_table evidence_features(const experiment_set& data, const evidence_options& options = {},
                                 std::size_t threads = 1);

}  // namespace knit::grn
