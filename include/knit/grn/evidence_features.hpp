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
#include <string>
#include <vector>

#include "knit/core/tensor.hpp"
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

// The table for one network. Families whose kinds are missing are zero columns with a 0
// indicator; throws knit::value_error for an unknown family name or genes < 3.
// The families are computed as `threads` parallel tasks (knit::parallel_for), each
// standardising its own columns; the table is the same, bit for bit, for every count.
evidence_table evidence_features(const experiment_set& data, const evidence_options& options = {},
                                 std::size_t threads = 1);

}  // namespace knit::grn
