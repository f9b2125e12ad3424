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

// One (G, G) matrix per column, or a per-gene vector broadcast over regulators/targets.
struct column_values {
    enum class transform { log_strength, standardise };
    std::vector<tensor<double>> matrices;
    std::vector<transform> how;
    void add(tensor<double> m, transform t) {
        matrices.push_back(std::move(m));
        how.push_back(t);
    }
};

tensor<double> absolute(tensor<double> m) {
    for (auto& v : m) v = std::abs(v);
    return m;
}

tensor<double> transposed(const tensor<double>& m) {
    const std::size_t g = m.shape(0);
    tensor<double> out = tensor<double>::from_shape({g, g});
    for (std::size_t i = 0; i < g; ++i)
        for (std::size_t j = 0; j < g; ++j) out(i, j) = m(j, i);
    return out;
}

tensor<double> by_regulator(const std::vector<double>& v) {
    const std::size_t g = v.size();
    tensor<double> out = tensor<double>::from_shape({g, g});
    for (std::size_t i = 0; i < g; ++i)
        for (std::size_t j = 0; j < g; ++j) out(i, j) = i == j ? 0.0 : v[i];
    return out;
}

tensor<double> by_target(const std::vector<double>& v) { return transposed(by_regulator(v)); }

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
    out.add(strength, t::log_strength);
    out.add(z, t::standardise);
    out.add(column_normalised(strength), t::standardise);
    out.add(row_normalised(strength), t::standardise);
    out.add(transposed(strength), t::log_strength);
    out.add(path, t::log_strength);
    out.add(strength - path, t::standardise);
    out.add(deconvolved_effects(z, o.deconvolution_radius), t::log_strength);
    out.add(by_regulator(self_responses(data, kind, reference)), t::standardise);
    out.add(by_regulator(regulator_reach), t::standardise);
    out.add(by_target(target_reach), t::standardise);
    out.add(by_regulator(perturbed), t::standardise);
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
    const tensor<double> beta = regression_scores(samples, lambda);
    out.add(beta, column_values::transform::log_strength);
    out.add(transposed(beta), column_values::transform::log_strength);
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

// Off-diagonal standardisation of one (G, G) column into `table` column c.
void store_column(const tensor<double>& m, column_values::transform how, std::size_t c, tensor<double>& table) {
    const std::size_t genes = m.shape(0);
    const double pairs = double(genes * (genes - 1));
    auto value = [&](std::size_t r, std::size_t t) {
        return how == column_values::transform::log_strength ? std::log(std::abs(m(r, t)) + 1e-6) : m(r, t);
    };
    double mean = 0, sq = 0;
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) mean += value(r, t) / pairs;
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) sq += (value(r, t) - mean) * (value(r, t) - mean) / pairs;
    // A constant column (rounding aside) carries nothing: 0, not +-1 from rounding noise.
    const double sd = std::sqrt(sq);
    const bool constant = !(sd > 1e-12 * (std::abs(mean) + 1));
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            table(r * genes + t, c) = r != t && !constant ? (value(r, t) - mean) / sd : 0.0;
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

evidence_table evidence_features(const experiment_set& data, const evidence_options& options, std::size_t threads) {
    KNIT_CHECK_AS(value_error, threads >= 1, "evidence features: got threads 0, expected >= 1");
    data.validate();
    const std::size_t genes = data.gene_count();
    KNIT_CHECK_AS(value_error, genes >= 3, "evidence features: got " << genes << " genes, expected at least 3");
    evidence_table out = evidence_layout(options);
    const auto families = selected(options);
    out.values = xt::zeros<double>({genes * genes, out.columns.size()});
    const experiment_kinds have = data.kinds();
    // Each family's first column, and the families the data can give.
    std::vector<std::size_t> first(families.size(), 0);
    std::vector<std::size_t> present;
    for (std::size_t f = 0, column = 0; f < families.size(); column += families[f]->columns.size(), ++f) {
        first[f] = column;
        if (computable(*families[f], have)) present.push_back(f);
    }
    // One task per family: its (G, G) score matrices standardised into its own columns
    // and then freed (so at most `threads` families' matrices are alive), or the
    // time-series family's rows (the dynamics features, standardised by themselves).
    parallel_for(present.size(), threads, [&](std::size_t i) {
        const std::size_t f = present[i];
        const std::string& name = families[f]->name;
        column_values values;
        if (name == "knockout") perturbation_family(data, experiment_kind::knockouts, options, values);
        else if (name == "knockdown") perturbation_family(data, experiment_kind::knockdowns, options, values);
        else if (name == "agreement") agreement_family(data, values);
        else if (name == "multifactorial") multifactorial_family(data, options, values);
        else if (name == "steady-pooled") pooled_family(data, options, values);
        if (name == "timeseries") {
            const tensor<double> dynamics = dynamics_features(data.time_series, options.dynamics);
            for (std::size_t c = 0; c < families[f]->columns.size(); ++c)
                for (std::size_t row = 0; row < genes * genes; ++row) out.values(row, first[f] + c) = dynamics(row, c);
            return;
        }
        KNIT_CHECK_AS(state_error, values.matrices.size() == families[f]->columns.size(),
                      "evidence family " << name << ": built " << values.matrices.size() << " columns, expected "
                                         << families[f]->columns.size());
        for (std::size_t c = 0; c < values.matrices.size(); ++c)
            store_column(values.matrices[c], values.how[c], first[f] + c, out.values);
    });
    for (std::size_t f : present) {
        out.present[f] = true;
        out.used = out.used | (families[f]->needs | (families[f]->needs_any & have));
        for (std::size_t r = 0; r < genes; ++r)
            for (std::size_t t = 0; t < genes; ++t)
                if (r != t) out.values(r * genes + t, out.columns.size() - families.size() + f) = 1.0;
    }
    return out;
}

}  // namespace knit::grn
