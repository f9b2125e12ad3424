// Pair scores from steady-state experiments (see include/knit/grn/steady_state_features.hpp).
#include "knit/grn/steady_state_features.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>

#include "knit/core/error.hpp"
#include "knit/grn/features.hpp"

namespace knit::grn {

namespace {
const steady_state_data& table_of(const experiment_set& data, experiment_kind kind, const char* who) {
    KNIT_CHECK_AS(value_error, kind == experiment_kind::knockouts || kind == experiment_kind::knockdowns ||
                                   kind == experiment_kind::multifactorial,
                  who << ": got kind " << to_string(kind) << ", expected knockouts, knockdowns or multifactorial");
    data.require(experiment_kinds{kind}, who);
    return *data.steady_state(kind);
}
}  // namespace

reference_levels steady_state_reference(const experiment_set& data, experiment_kind kind) {
    reference_levels out;
    if (auto wt = data.wildtype_levels()) {
        out.levels = std::move(*wt);
        out.source = "wild type";
        out.from_wildtype = true;
        return out;
    }
    const steady_state_data& rows = table_of(data, kind, "steady-state reference");
    const std::size_t genes = data.gene_count(), count = rows.experiment_count();
    out.levels.resize(genes);
    std::vector<double> column(count);
    for (std::size_t g = 0; g < genes; ++g) {
        for (std::size_t e = 0; e < count; ++e) column[e] = rows.values(e, g);
        std::sort(column.begin(), column.end());
        out.levels[g] = count % 2 ? column[count / 2] : 0.5 * (column[count / 2 - 1] + column[count / 2]);
    }
    out.source = std::string("median of the ") + to_string(kind) + " rows (no wild type)";
    return out;
}

tensor<double> perturbation_z_scores(const experiment_set& data, experiment_kind kind) {
    return perturbation_z_scores(data, kind, steady_state_reference(data, kind));
}

tensor<double> perturbation_z_scores(const experiment_set& data, experiment_kind kind,
                                     const reference_levels& reference) {
    KNIT_CHECK_AS(value_error, kind != experiment_kind::multifactorial,
                  "perturbation z-scores: got multifactorial rows, expected knockouts or knockdowns (rows that name "
                  "the perturbed gene)");
    const steady_state_data& rows = table_of(data, kind, "perturbation z-scores");
    const std::size_t genes = data.gene_count(), count = rows.experiment_count();
    KNIT_CHECK_AS(value_error, reference.levels.size() == genes,
                  "perturbation z-scores: got " << reference.levels.size() << " reference levels, expected " << genes);
    std::vector<double> sd(genes, 0.0);
    for (std::size_t g = 0; g < genes; ++g) {
        double mean = 0, sq = 0;
        for (std::size_t e = 0; e < count; ++e) mean += rows.values(e, g);
        mean /= double(count);
        for (std::size_t e = 0; e < count; ++e) sq += (rows.values(e, g) - mean) * (rows.values(e, g) - mean);
        sd[g] = std::sqrt(sq / double(count));
    }
    tensor<double> out = xt::zeros<double>({genes, genes});
    for (std::size_t e = 0; e < count; ++e) {
        const std::size_t regulator = rows.perturbed[e];
        for (std::size_t t = 0; t < genes; ++t)
            if (t != regulator && sd[t] > 0) out(regulator, t) = (rows.values(e, t) - reference.levels[t]) / sd[t];
    }
    return out;
}

}  // namespace knit::grn

namespace knit::grn {

namespace {
void check_square(const tensor<double>& m, const char* who) {
    KNIT_CHECK_AS(shape_error, m.dimension() == 2 && m.shape(0) == m.shape(1) && m.shape(0) >= 2,
                  who << ": got scores " << shape_to_string(m.shape()) << ", expected (G, G) with G >= 2");
}
void clear_diagonal(tensor<double>& m) {
    for (std::size_t i = 0; i < m.shape(0); ++i) m(i, i) = 0;
}
}  // namespace

std::vector<double> self_responses(const experiment_set& data, experiment_kind kind, const reference_levels& reference) {
    const steady_state_data& rows = table_of(data, kind, "self responses");
    const std::size_t genes = data.gene_count(), count = rows.experiment_count();
    std::vector<double> out(genes, 0.0);
    for (std::size_t e = 0; e < count; ++e) {
        const std::size_t g = rows.perturbed[e];
        double mean = 0, sq = 0;
        for (std::size_t f = 0; f < count; ++f) mean += rows.values(f, g) / double(count);
        for (std::size_t f = 0; f < count; ++f) sq += (rows.values(f, g) - mean) * (rows.values(f, g) - mean) / double(count);
        const double sd = std::sqrt(sq);
        out[g] = sd > 0 ? (rows.values(e, g) - reference.levels[g]) / sd : 0.0;
    }
    return out;
}

tensor<double> path_explanation(const tensor<double>& strength) {
    check_square(strength, "path explanation");
    const std::size_t genes = strength.shape(0);
    tensor<double> out = xt::zeros<double>({genes, genes});
    // out(i, j) = max_k min(S(i, k), S(k, j)): for each (i, k), one pass over row k. The
    // pass runs over every j without a branch, so the compiler can vectorise it, and then
    // puts back the two entries it must skip (j = i, j = k). max and min are exact, so the
    // order of the updates does not matter; std::max keeps out(i, j) when the path is NaN,
    // as a comparison would.
    const double* s = strength.data();
    double* o = out.data();
    for (std::size_t i = 0; i < genes; ++i) {
        double* row = o + i * genes;
        for (std::size_t k = 0; k < genes; ++k) {
            const double first = s[i * genes + k];
            if (k == i || first <= 0) continue;
            const double* through = s + k * genes;
            const double keep_i = row[i], keep_k = row[k];
            for (std::size_t j = 0; j < genes; ++j) row[j] = std::max(row[j], std::min(first, through[j]));
            row[i] = keep_i;
            row[k] = keep_k;
        }
    }
    return out;
}

tensor<double> deconvolved_effects(const tensor<double>& signed_effects, double radius) {
    check_square(signed_effects, "deconvolved effects");
    KNIT_CHECK_AS(value_error, radius > 0 && radius < 1, "deconvolved effects: got radius " << radius << ", expected in (0, 1)");
    const Eigen::Index genes = Eigen::Index(signed_effects.shape(0));
    using matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    matrix t = Eigen::Map<const matrix>(signed_effects.data(), genes, genes);
    t.diagonal().setZero();
    const double spectral = t.eigenvalues().cwiseAbs().maxCoeff();
    if (spectral > 0) t *= radius / spectral;
    const matrix identity = matrix::Identity(genes, genes);
    // D = T (I + T)^-1, solved as (I + T)^T D^T = T^T.
    const matrix d = (identity + t).transpose().partialPivLu().solve(t.transpose()).transpose();
    tensor<double> out = tensor<double>::from_shape({std::size_t(genes), std::size_t(genes)});
    for (Eigen::Index i = 0; i < genes; ++i)
        for (Eigen::Index j = 0; j < genes; ++j) out(std::size_t(i), std::size_t(j)) = std::abs(d(i, j));
    clear_diagonal(out);
    return out;
}

namespace {
tensor<double> normalised(const tensor<double>& scores, bool by_row) {
    const std::size_t genes = scores.shape(0);
    tensor<double> out = xt::zeros<double>({genes, genes});
    for (std::size_t a = 0; a < genes; ++a) {
        double mean = 0, sq = 0;
        auto at = [&](std::size_t b) { return by_row ? scores(a, b) : scores(b, a); };
        for (std::size_t b = 0; b < genes; ++b)
            if (b != a) mean += at(b) / double(genes - 1);
        for (std::size_t b = 0; b < genes; ++b)
            if (b != a) sq += (at(b) - mean) * (at(b) - mean) / double(genes - 1);
        const double sd = std::sqrt(sq);
        for (std::size_t b = 0; b < genes; ++b) {
            if (b == a) continue;
            const double z = sd > 0 ? (at(b) - mean) / sd : 0.0;
            (by_row ? out(a, b) : out(b, a)) = z;
        }
    }
    return out;
}
}  // namespace

tensor<double> row_normalised(const tensor<double>& scores) {
    check_square(scores, "row normalisation");
    return normalised(scores, true);
}

tensor<double> column_normalised(const tensor<double>& scores) {
    check_square(scores, "column normalisation");
    return normalised(scores, false);
}

tensor<double> regression_scores(const tensor<double>& samples, double lambda) {
    KNIT_CHECK_AS(shape_error, samples.dimension() == 2 && samples.shape(0) >= 2 && samples.shape(1) >= 2,
                  "regression scores: got samples " << shape_to_string(samples.shape()) << ", expected (S >= 2, G >= 2)");
    KNIT_CHECK_AS(value_error, lambda > 0 && std::isfinite(lambda), "regression scores: got lambda " << lambda << ", expected > 0");
    const tensor<double> c = pearson_scores(samples);  // diagonal 0 there
    const Eigen::Index genes = Eigen::Index(samples.shape(1));
    using matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    matrix m = Eigen::Map<const matrix>(c.data(), genes, genes);
    m.diagonal().setConstant(1.0 + lambda);
    const matrix p = m.ldlt().solve(matrix::Identity(genes, genes));
    tensor<double> out = tensor<double>::from_shape({std::size_t(genes), std::size_t(genes)});
    for (Eigen::Index i = 0; i < genes; ++i)
        for (Eigen::Index j = 0; j < genes; ++j) out(std::size_t(i), std::size_t(j)) = std::abs(p(i, j) / p(j, j));
    clear_diagonal(out);
    return out;
}

}  // namespace knit::grn
