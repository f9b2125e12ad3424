// Per-pair evidence from every experiment kind (see include/knit/grn/evidence_features.hpp).
#include "knit/grn/evidence_features.hpp"

#include <cmath>
#include <algorithm>

#include "knit/core/error.hpp"
#include "knit/core/parallel.hpp"
#include "knit/grn/features.hpp"
#include "knit/grn/steady_state_features.hpp"

namespace knit::grn {

namespace {

std::vector<std::string> perturbation_columns(const std::string& p) {
    return {p + "-abs-z",      p + "-signed-z",       p + "-target-z",      p + "-regulator-z",
            p + "-reverse",    p + "-path",           p + "-direct-excess", p + "-deconvolved",
            p + "-regulator-self", p + "-regulator-reach", p + "-target-reach", p + "-perturbed"};
}

// A family's columns while its task builds them: the matrices and vectors they read
// (into the family's sources), and per column which one and how. A log-strength matrix is
// kept as log(|v| + 1e-6) (transformed once the family is built, since other columns are
// computed from its raw values); a standardised one as it is. A reverse column reads its
// forward column's matrix transposed, and a per-gene value is kept as G numbers, not as
// a (G, G) broadcast.
struct column_values {
    enum class transform { log_strength, standardise };
    enum class reading { as_is, transposed, by_regulator, by_target };
    struct spec {
        std::size_t index;  // into sources.matrices, or sources.vectors for by_regulator/by_target
        reading how;
    };
    evidence_feature_rows::family_sources& sources;
    std::vector<transform> transforms;  // per matrix
    std::vector<spec> columns;

    explicit column_values(evidence_feature_rows::family_sources& s) : sources(s) {}
    // A new matrix column; returns the matrix's index, for add_transposed.
    std::size_t add(tensor<double> m, transform t) {
        sources.matrices.push_back(std::move(m));
        transforms.push_back(t);
        columns.push_back({sources.matrices.size() - 1, reading::as_is});
        return sources.matrices.size() - 1;
    }
    // Matrix `matrix` read at (t, r), with its transform.
    void add_transposed(std::size_t matrix) { columns.push_back({matrix, reading::transposed}); }
    void add_by_regulator(std::vector<double> v) { add_vector(std::move(v), reading::by_regulator); }
    void add_by_target(std::vector<double> v) { add_vector(std::move(v), reading::by_target); }

    // After the family is built: the log-strength matrices to their logarithms.
    void transform_matrices() {
        for (std::size_t m = 0; m < transforms.size(); ++m)
            if (transforms[m] == transform::log_strength)
                for (auto& v : sources.matrices[m]) v = std::log(std::abs(v) + 1e-6);
    }
    detail::pair_view view(std::size_t c) const {
        const spec& s = columns[c];
        switch (s.how) {
            case reading::as_is: return detail::pair_view::of_matrix(sources.matrices[s.index]);
            case reading::transposed: return detail::pair_view::of_matrix(sources.matrices[s.index], true);
            case reading::by_regulator: return detail::pair_view::of_regulator(sources.vectors[s.index]);
            case reading::by_target: return detail::pair_view::of_target(sources.vectors[s.index]);
        }
        throw state_error("evidence features: a column of unknown reading");
    }

private:
    void add_vector(std::vector<double> v, reading how) {
        sources.vectors.push_back(std::move(v));
        columns.push_back({sources.vectors.size() - 1, how});
    }
};

tensor<double> absolute(tensor<double> m) {
    for (auto& v : m) v = std::abs(v);
    return m;
}

void perturbation_family(const experiment_set& data, experiment_kind kind, const evidence_options& o,
                         column_values& out) {
    using t = column_values::transform;
    const reference_levels reference = steady_state_reference(data, kind);
    const tensor<double> z = perturbation_z_scores(data, kind, reference);
    const tensor<double> strength = absolute(z);
    const tensor<double> path = path_explanation(strength);
    const std::size_t genes = data.gene_count();
    std::vector<double> regulator_reach(genes, 0.0), target_reach(genes, 0.0), perturbed(genes, 0.0);
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t c = 0; c < genes; ++c)
            if (r != c && strength(r, c) > o.responds_at) {
                regulator_reach[r] += 1.0 / double(genes - 1);
                target_reach[c] += 1.0 / double(genes - 1);
            }
    for (std::size_t g : data.steady_state(kind)->perturbed) perturbed[g] = 1.0;
    const std::size_t strength_matrix = out.add(strength, t::log_strength);
    out.add(z, t::standardise);
    out.add(column_normalised(strength), t::standardise);
    out.add(row_normalised(strength), t::standardise);
    out.add_transposed(strength_matrix);  // the reverse |z(t, r)|
    out.add(path, t::log_strength);
    out.add(strength - path, t::standardise);
    out.add(deconvolved_effects(z, o.deconvolution_radius), t::log_strength);
    out.add_by_regulator(self_responses(data, kind, reference));
    out.add_by_regulator(regulator_reach);
    out.add_by_target(target_reach);
    out.add_by_regulator(perturbed);
}

void agreement_family(const experiment_set& data, column_values& out) {
    const tensor<double> ko = perturbation_z_scores(data, experiment_kind::knockouts);
    const tensor<double> kd = perturbation_z_scores(data, experiment_kind::knockdowns);
    const std::size_t genes = data.gene_count();
    tensor<double> product = ko * kd, weaker = tensor<double>::from_shape({genes, genes});
    for (std::size_t i = 0; i < genes * genes; ++i)
        weaker.data()[i] = std::min(std::abs(ko.data()[i]), std::abs(kd.data()[i]));
    out.add(product, column_values::transform::standardise);
    out.add(weaker, column_values::transform::log_strength);
}

void regression_pair(const tensor<double>& samples, double lambda, column_values& out) {
    out.add_transposed(out.add(regression_scores(samples, lambda), column_values::transform::log_strength));
}

void multifactorial_family(const experiment_set& data, const evidence_options& o, column_values& out) {
    const tensor<double>& rows = data.multifactorial->values;
    const tensor<double> correlation = absolute(pearson_scores(rows));
    out.add(correlation, column_values::transform::log_strength);
    out.add(clr_normalise(correlation), column_values::transform::log_strength);
    regression_pair(rows, o.regression_lambda, out);
}

void pooled_family(const experiment_set& data, const evidence_options& o, column_values& out) {
    std::size_t rows = 0;
    for (experiment_kind k : all_experiment_kinds)
        if (const steady_state_data* s = data.steady_state(k)) rows += s->experiment_count();
    tensor<double> samples = tensor<double>::from_shape({rows, data.gene_count()});
    std::size_t at = 0;
    for (experiment_kind k : all_experiment_kinds)
        if (const steady_state_data* s = data.steady_state(k)) {
            std::copy(s->values.begin(), s->values.end(), samples.data() + at * data.gene_count());
            at += s->experiment_count();
        }
    regression_pair(samples, o.regression_lambda, out);
}

// A column's mean and deviation over the G (G - 1) off-diagonal pairs, summed in (r, t)
// order, and whether it is constant.
evidence_feature_rows::column standardised_column(const detail::pair_view& view, std::size_t genes) {
    const double pairs = double(genes * (genes - 1));
    double mean = 0, sq = 0;
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) mean += view.at(r, t) / pairs;
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) sq += (view.at(r, t) - mean) * (view.at(r, t) - mean) / pairs;
    evidence_feature_rows::column c;
    c.what = evidence_feature_rows::column::kind::evidence;
    c.view = view;
    c.mean = mean;
    c.deviation = std::sqrt(sq);
    // A constant column (rounding aside) carries nothing: 0, not +-1 from rounding noise.
    c.constant = !(c.deviation > 1e-12 * (std::abs(mean) + 1));
    return c;
}

bool computable(const evidence_family& f, const experiment_kinds& have) {
    if (!have.contains(f.needs)) return false;
    return f.needs_any.empty() || !(f.needs_any & have).empty();
}

}  // namespace

const std::vector<evidence_family>& evidence_families() {
    using k = experiment_kind;
    static const std::vector<evidence_family> families = {
        {"knockout", {k::knockouts}, {}, perturbation_columns("ko")},
        {"knockdown", {k::knockdowns}, {}, perturbation_columns("kd")},
        {"agreement", {k::knockouts, k::knockdowns}, {}, {"ko-kd-product", "ko-kd-weaker"}},
        {"multifactorial", {k::multifactorial}, {}, {"mf-abs-correlation", "mf-clr", "mf-regression", "mf-reverse-regression"}},
        {"steady-pooled",
         {},
         {k::wildtype, k::knockouts, k::knockdowns, k::multifactorial},
         {"steady-regression", "steady-reverse-regression"}},
        {"timeseries", {k::time_series}, {}, dynamics_feature_names()},
    };
    return families;
}

std::vector<std::string> evidence_family_names() {
    std::vector<std::string> out;
    for (const auto& f : evidence_families()) out.push_back(f.name);
    return out;
}

namespace {
std::vector<const evidence_family*> selected(const evidence_options& o) {
    std::vector<const evidence_family*> out;
    for (const auto& f : evidence_families())
        if (o.families.empty() || std::find(o.families.begin(), o.families.end(), f.name) != o.families.end())
            out.push_back(&f);
    for (const auto& name : o.families) {
        bool known = false;
        for (const auto& f : evidence_families()) known = known || f.name == name;
        KNIT_CHECK_AS(value_error, known,
                      "evidence features: got family '" << name << "', expected one of knockout, knockdown, agreement, "
                                                           "multifactorial, steady-pooled, timeseries");
    }
    return out;
}
}  // namespace

evidence_table evidence_layout(const evidence_options& options) {
    evidence_table out;
    const auto families = selected(options);
    for (std::size_t f = 0; f < families.size(); ++f) {
        out.families.push_back(families[f]->name);
        for (const auto& c : families[f]->columns) out.columns.push_back(c), out.column_family.push_back(f);
    }
    for (std::size_t f = 0; f < families.size(); ++f)
        out.columns.push_back("has-" + families[f]->name), out.column_family.push_back(f);
    out.present.assign(families.size(), false);
    return out;
}

evidence_feature_rows::evidence_feature_rows(const experiment_set& data, const evidence_options& options,
                                             std::size_t threads) {
    KNIT_CHECK_AS(value_error, threads >= 1, "evidence features: got threads 0, expected >= 1");
    data.validate();
    genes_ = data.gene_count();
    KNIT_CHECK_AS(value_error, genes_ >= 3, "evidence features: got " << genes_ << " genes, expected at least 3");
    layout_ = evidence_layout(options);
    const auto families = selected(options);
    columns_.assign(layout_.columns.size(), column{});
    sources_.resize(families.size());
    const experiment_kinds have = data.kinds();
    // Each family's first column, and the families the data can give.
    std::vector<std::size_t> first(families.size(), 0);
    std::vector<std::size_t> present;
    for (std::size_t f = 0, at = 0; f < families.size(); at += families[f]->columns.size(), ++f) {
        first[f] = at;
        if (computable(*families[f], have)) present.push_back(f);
    }
    // One task per family: its sources, transformed, and its columns' statistics; or the
    // time-series family's dynamics rows (standardised by themselves).
    parallel_for(present.size(), threads, [&](std::size_t i) {
        const std::size_t f = present[i];
        const std::string& name = families[f]->name;
        if (name == "timeseries") {
            dynamics_ = std::make_unique<dynamics_feature_rows>(data.time_series, options.dynamics);
            for (std::size_t c = 0; c < families[f]->columns.size(); ++c) {
                columns_[first[f] + c].what = column::kind::dynamics;
                columns_[first[f] + c].dynamics_column = c;
            }
            return;
        }
        column_values values(sources_[f]);
        if (name == "knockout") perturbation_family(data, experiment_kind::knockouts, options, values);
        else if (name == "knockdown") perturbation_family(data, experiment_kind::knockdowns, options, values);
        else if (name == "agreement") agreement_family(data, values);
        else if (name == "multifactorial") multifactorial_family(data, options, values);
        else if (name == "steady-pooled") pooled_family(data, options, values);
        KNIT_CHECK_AS(state_error, values.columns.size() == families[f]->columns.size(),
                      "evidence family " << name << ": built " << values.columns.size() << " columns, expected "
                                         << families[f]->columns.size());
        values.transform_matrices();
        for (std::size_t c = 0; c < values.columns.size(); ++c)
            columns_[first[f] + c] = standardised_column(values.view(c), genes_);
    });
    for (std::size_t f : present) {
        layout_.present[f] = true;
        layout_.used = layout_.used | (families[f]->needs | (families[f]->needs_any & have));
        columns_[columns_.size() - families.size() + f].what = column::kind::indicator;
    }
}

template <class T>
void evidence_feature_rows::fill(std::size_t begin, std::size_t end, T* out) const {
    KNIT_CHECK_AS(value_error, begin <= end && end <= genes_ * genes_,
                  "evidence feature rows: got rows [" << begin << ", " << end << "), expected within [0, "
                                                      << genes_ * genes_ << ")");
    std::vector<double> dynamics;
    const std::size_t dynamics_columns = dynamics_ ? dynamics_->feature_count() : 0;
    if (dynamics_) {
        dynamics.resize((end - begin) * dynamics_columns);
        dynamics_->fill(begin, end, dynamics.data());
    }
    for (std::size_t row = begin; row < end; ++row) {
        const std::size_t r = row / genes_, t = row % genes_;
        for (const column& c : columns_) {
            double v = 0.0;
            switch (c.what) {
                case column::kind::zero: break;
                case column::kind::evidence:
                    v = r != t && !c.constant ? (c.view.at(r, t) - c.mean) / c.deviation : 0.0;
                    break;
                case column::kind::dynamics: v = dynamics[(row - begin) * dynamics_columns + c.dynamics_column]; break;
                case column::kind::indicator: v = r != t ? 1.0 : 0.0; break;
            }
            *out++ = static_cast<T>(v);
        }
    }
}
template void evidence_feature_rows::fill<float>(std::size_t, std::size_t, float*) const;
template void evidence_feature_rows::fill<double>(std::size_t, std::size_t, double*) const;

evidence_table evidence_features(const experiment_set& data, const evidence_options& options, std::size_t threads) {
    const evidence_feature_rows rows(data, options, threads);
    evidence_table out = rows.layout();
    const std::size_t pairs = rows.gene_count() * rows.gene_count(), width = rows.column_count();
    out.values = tensor<double>::from_shape({pairs, width});
    // Blocks of rows as tasks; each row is the same whoever fills it.
    constexpr std::size_t block = 4096;
    parallel_for_without_blas((pairs + block - 1) / block, threads, [&](std::size_t b) {
        const std::size_t from = b * block, to = std::min(pairs, from + block);
        rows.fill(from, to, out.values.data() + from * width);
    });
    return out;
}

}  // namespace knit::grn
