// Per-pair evidence from every experiment kind (see include/knit/grn/evidence_features.hpp).
#include "knit/grn/evidence_features.hpp"

#include <cmath>
#include <cstdint>
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

using column = evidence_feature_rows::column;
using reading = detail::pair_source;

// Where column `c` (its source and reading) finds its values in `sources`.
detail::pair_view view_of(const evidence_feature_rows::family_sources& sources, const column& c) {
    return detail::view_of(sources.matrices, sources.vectors, c.how, c.source);
}

// A family's columns while its task builds them: the matrices and vectors they read
// (into the family's sources), and per column which one and how. A log-strength matrix is
// kept as log(|v| + 1e-6) (transformed once the family is built, since other columns are
// computed from its raw values); a standardised one as it is. A reverse column reads its
// forward column's matrix transposed, and a per-gene value is kept as G numbers, not as
// a (G, G) broadcast.
struct column_values {
    enum class transform { log_strength, standardise };
    evidence_feature_rows::family_sources& sources;
    std::vector<transform> transforms;  // per matrix
    std::vector<column> columns;        // source and reading set; statistics later

    explicit column_values(evidence_feature_rows::family_sources& s) : sources(s) {}
    // A new matrix column; returns the matrix's index, for add_transposed.
    std::size_t add(tensor<double> m, transform t) {
        sources.matrices.push_back(std::move(m));
        transforms.push_back(t);
        add_column(sources.matrices.size() - 1, reading::pair);
        return sources.matrices.size() - 1;
    }
    // Matrix `matrix` read at (t, r), with its transform.
    void add_transposed(std::size_t matrix) { add_column(matrix, reading::reverse_pair); }
    void add_by_regulator(std::vector<double> v) { add_vector(std::move(v), reading::regulator); }
    void add_by_target(std::vector<double> v) { add_vector(std::move(v), reading::target); }

    // After the family is built: the log-strength matrices to their logarithms.
    void transform_matrices() {
        for (std::size_t m = 0; m < transforms.size(); ++m)
            if (transforms[m] == transform::log_strength)
                for (auto& v : sources.matrices[m]) v = std::log(std::abs(v) + 1e-6);
    }

private:
    void add_column(std::size_t source, reading how) {
        column c;
        c.what = column::kind::evidence;
        c.source = source;
        c.how = how;
        columns.push_back(c);
    }
    void add_vector(std::vector<double> v, reading how) {
        sources.vectors.push_back(std::move(v));
        add_column(sources.vectors.size() - 1, how);
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

// Column c's mean and deviation over the G (G - 1) off-diagonal pairs, summed in (r, t)
// order, and whether it is constant; its view into `sources`.
void standardise(column& c, const evidence_feature_rows::family_sources& sources, std::size_t genes) {
    c.view = view_of(sources, c);
    const double pairs = double(genes * (genes - 1));
    double mean = 0, sq = 0;
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) mean += c.view.at(r, t) / pairs;
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t t = 0; t < genes; ++t)
            if (r != t) sq += (c.view.at(r, t) - mean) * (c.view.at(r, t) - mean) / pairs;
    c.mean = mean;
    c.deviation = std::sqrt(sq);
    // A constant column (rounding aside) carries nothing: 0, not +-1 from rounding noise.
    c.constant = !(c.deviation > 1e-12 * (std::abs(mean) + 1));
}

// Each steady-state family's cost, in O(G^3) steps: the perturbation families solve an
// eigenvalue problem, a linear system and the two-step paths; the regressions one ridge
// solve each; agreement is O(G^2).
double family_cost(const std::string& name) {
    if (name == "knockout" || name == "knockdown") return 4;
    if (name == "multifactorial" || name == "steady-pooled") return 2;
    return 1;
}

// Family f's sources and columns from `root` to every rank: the counts, the matrices and
// vectors, then each column's source, reading and statistics. The views are remade on
// the receivers.
void broadcast_family(communicator& ranks, std::size_t root, std::size_t genes,
                      evidence_feature_rows::family_sources& sources, column* columns, std::size_t count) {
    std::uint64_t sizes[2] = {sources.matrices.size(), sources.vectors.size()};
    ranks.broadcast(sizes, sizeof sizes, root);
    sources.matrices.resize(std::size_t(sizes[0]));
    sources.vectors.resize(std::size_t(sizes[1]));
    for (auto& m : sources.matrices) {
        if (ranks.rank() != root) m = tensor<double>::from_shape({genes, genes});
        ranks.broadcast(m.data(), m.size() * sizeof(double), root);
    }
    for (auto& v : sources.vectors) {
        v.resize(genes);
        ranks.broadcast(v.data(), v.size() * sizeof(double), root);
    }
    for (std::size_t c = 0; c < count; ++c) {
        double record[5] = {double(columns[c].source), double(int(columns[c].how)), columns[c].mean,
                            columns[c].deviation, columns[c].constant ? 1.0 : 0.0};
        ranks.broadcast(record, sizeof record, root);
        columns[c].what = column::kind::evidence;
        columns[c].source = std::size_t(record[0]);
        columns[c].how = reading(int(record[1]));
        columns[c].mean = record[2];
        columns[c].deviation = record[3];
        columns[c].constant = record[4] != 0.0;
        columns[c].view = view_of(sources, columns[c]);
    }
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
                                             std::size_t threads, communicator* shared) {
    KNIT_CHECK_AS(value_error, threads >= 1, "evidence features: got threads 0, expected >= 1");
    data.validate();
    genes_ = data.gene_count();
    KNIT_CHECK_AS(value_error, genes_ >= 3, "evidence features: got " << genes_ << " genes, expected at least 3");
    communicator& ranks = shared ? *shared : this_process();
    check_same_on_every_rank(ranks, genes_, "evidence features: the genes");
    layout_ = evidence_layout(options);
    const auto families = selected(options);
    columns_.assign(layout_.columns.size(), column{});
    sources_.resize(families.size());
    const experiment_kinds have = data.kinds();
    // Each family's first column, the families the data can give, and each steady-state
    // family's owner: the rank deal_by_cost gives it (this process, alone). The time-series
    // family is dynamics_feature_rows, built by every rank together after them.
    std::vector<std::size_t> first(families.size(), 0);
    std::vector<std::size_t> present;
    std::vector<double> cost;  // the time-series family's 0: it is not dealt
    for (std::size_t f = 0, at = 0; f < families.size(); at += families[f]->columns.size(), ++f) {
        first[f] = at;
        if (!computable(*families[f], have)) continue;
        present.push_back(f);
        cost.push_back(families[f]->name == "timeseries" ? 0.0 : family_cost(families[f]->name));
    }
    // Which families are selected and which the data give, as bits: ranks given other
    // options or data would otherwise exchange other families' matrices.
    const auto global = [&](std::size_t f) { return std::size_t(families[f] - evidence_families().data()); };
    std::uint64_t family_bits = 0;
    for (std::size_t f = 0; f < families.size(); ++f) family_bits |= std::uint64_t(1) << global(f);
    for (std::size_t f : present) family_bits |= std::uint64_t(1) << (8 + global(f));
    check_same_on_every_rank(ranks, family_bits, "evidence features: the families selected and given");
    const std::vector<std::size_t> owner = deal_by_cost(cost, ranks.size());
    const auto is_timeseries = [&](std::size_t i) { return families[present[i]]->name == "timeseries"; };
    std::vector<std::size_t> mine;  // indices into present, longest first
    for (std::size_t i : by_decreasing_cost(cost))
        if (!is_timeseries(i) && owner[i] == ranks.rank()) mine.push_back(i);
    // One task per family: its sources, transformed, and its columns' statistics.
    std::exception_ptr failure;
    try {
        parallel_for(mine.size(), threads, [&](std::size_t task) {
            const std::size_t f = present[mine[task]];
            const std::string& name = families[f]->name;
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
            for (std::size_t c = 0; c < values.columns.size(); ++c) {
                standardise(values.columns[c], sources_[f], genes_);
                columns_[first[f] + c] = values.columns[c];
            }
        });
    } catch (...) {
        failure = std::current_exception();
    }
    rethrow_on_every_rank(ranks, failure, "evidence features");
    // In family order on every rank: each steady-state family from its owner to the others
    // (alone, the broadcasts change nothing), the time-series family by all together.
    for (std::size_t i = 0; i < present.size(); ++i) {
        const std::size_t f = present[i];
        if (is_timeseries(i)) {
            dynamics_ = std::make_unique<dynamics_feature_rows>(data.time_series, options.dynamics, threads, &ranks);
            for (std::size_t c = 0; c < families[f]->columns.size(); ++c) {
                columns_[first[f] + c].what = column::kind::dynamics;
                columns_[first[f] + c].dynamics_column = c;
            }
        } else {
            broadcast_family(ranks, owner[i], genes_, sources_[f], columns_.data() + first[f], families[f]->columns.size());
        }
    }
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
