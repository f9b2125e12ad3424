// Pair scores from steady-state experiments (see include/knit/grn/steady_state_features.hpp).
#include "knit/grn/steady_state_features.hpp"

#include <algorithm>
#include <cmath>

#include "knit/core/error.hpp"

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
