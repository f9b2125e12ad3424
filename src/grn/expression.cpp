// Expression data types of knit::grn (see include/knit/grn/expression.hpp).
#include "knit/grn/expression.hpp"

#include <algorithm>
#include <cmath>

#include "knit/core/error.hpp"

namespace knit::grn {

gene_index::gene_index(const std::vector<std::string>& genes) {
    sorted_.reserve(genes.size());
    for (std::size_t i = 0; i < genes.size(); ++i) {
        KNIT_CHECK_AS(value_error, !genes[i].empty(),
                      "gene " << i << ": got an empty name, expected a gene name");
        sorted_.emplace_back(genes[i], i);
    }
    std::sort(sorted_.begin(), sorted_.end());
    for (std::size_t i = 1; i < sorted_.size(); ++i)
        KNIT_CHECK_AS(value_error, sorted_[i - 1].first != sorted_[i].first,
                      "got gene '" << sorted_[i].first << "' twice (positions "
                                   << sorted_[i - 1].second << " and " << sorted_[i].second
                                   << "), expected unique gene names");
}

std::optional<std::size_t> gene_index::find(const std::string& gene) const {
    auto it = std::lower_bound(sorted_.begin(), sorted_.end(), gene,
                               [](const auto& entry, const std::string& g) { return entry.first < g; });
    if (it == sorted_.end() || it->first != gene) return std::nullopt;
    return it->second;
}

std::size_t gene_index::at(const std::string& gene) const {
    auto found = find(gene);
    KNIT_CHECK_AS(value_error, found.has_value(),
                  "got unknown gene '" << gene << "', expected one of " << sorted_.size()
                                       << " known genes");
    return *found;
}

namespace {

void check_finite(const tensor<double>& values, const char* what) {
    for (std::size_t i = 0; i < values.size(); ++i)
        KNIT_CHECK_AS(value_error, std::isfinite(values.data()[i]),
                      what << ": got a non-finite value at flat index " << i
                           << ", expected finite values");
}

}  // namespace

std::size_t time_series_data::sample_count() const {
    std::size_t n = 0;
    for (const auto& e : experiments) n += e.time_points();
    return n;
}

std::optional<std::size_t> time_series_data::common_time_points() const {
    if (experiments.empty()) return std::nullopt;
    const std::size_t t = experiments.front().time_points();
    for (const auto& e : experiments)
        if (e.time_points() != t) return std::nullopt;
    return t;
}

tensor<double> time_series_data::stacked() const {
    const std::size_t g = gene_count();
    tensor<double> out = tensor<double>::from_shape({sample_count(), g});
    std::size_t row = 0;
    for (const auto& e : experiments) {
        std::copy(e.values.data(), e.values.data() + e.values.size(), out.data() + row * g);
        row += e.time_points();
    }
    return out;
}

void time_series_data::validate() const {
    gene_index check(genes);
    KNIT_CHECK_AS(value_error, !genes.empty(), "time series: got 0 genes, expected at least 1");
    KNIT_CHECK_AS(value_error, !experiments.empty(),
                  "time series: got 0 experiments, expected at least 1");
    for (std::size_t e = 0; e < experiments.size(); ++e) {
        const auto& ex = experiments[e];
        KNIT_CHECK_AS(value_error, ex.time_points() > 0,
                      "time series experiment " << e << ": got 0 time points, expected at least 1");
        const shape_t expected{ex.time_points(), genes.size()};
        KNIT_CHECK_AS(shape_error, to_shape(ex.values.shape()) == expected,
                      "time series experiment " << e << ": got values of shape "
                                                << shape_to_string(ex.values.shape())
                                                << ", expected " << shape_to_string(expected));
        for (std::size_t k = 0; k < ex.times.size(); ++k) {
            KNIT_CHECK_AS(value_error, std::isfinite(ex.times[k]),
                          "time series experiment " << e << ": got a non-finite time, expected finite");
            KNIT_CHECK_AS(value_error, k == 0 || ex.times[k] > ex.times[k - 1],
                          "time series experiment " << e << ": got time " << ex.times[k] << " after "
                                                    << ex.times[k - 1]
                                                    << ", expected strictly increasing times");
        }
        check_finite(ex.values, "time series");
    }
}

const char* to_string(steady_state_kind kind) {
    switch (kind) {
        case steady_state_kind::wildtype: return "wildtype";
        case steady_state_kind::knockouts: return "knockouts";
        case steady_state_kind::knockdowns: return "knockdowns";
        case steady_state_kind::multifactorial: return "multifactorial";
        case steady_state_kind::other: return "other";
    }
    return "other";
}

void steady_state_data::validate() const {
    gene_index check(genes);
    KNIT_CHECK_AS(value_error, !genes.empty(), "steady state: got 0 genes, expected at least 1");
    KNIT_CHECK_AS(shape_error, values.dimension() == 2 && values.shape(1) == genes.size() &&
                                   values.shape(0) > 0,
                  "steady state: got values of shape " << shape_to_string(values.shape())
                                                       << ", expected (E >= 1, " << genes.size()
                                                       << ")");
    const std::size_t rows = values.shape(0);
    if (kind == steady_state_kind::knockouts || kind == steady_state_kind::knockdowns) {
        KNIT_CHECK_AS(shape_error, perturbed.size() == rows,
                      "steady state " << to_string(kind) << ": got " << perturbed.size()
                                      << " perturbed genes for " << rows
                                      << " rows, expected one per row");
        std::vector<bool> seen(genes.size(), false);
        for (std::size_t e = 0; e < rows; ++e) {
            KNIT_CHECK_AS(value_error, perturbed[e] < genes.size(),
                          "steady state " << to_string(kind) << " row " << e << ": got perturbed gene "
                                          << perturbed[e] << ", expected an index below " << genes.size());
            KNIT_CHECK_AS(value_error, !seen[perturbed[e]],
                          "steady state " << to_string(kind) << " row " << e << ": got gene '"
                                          << genes[perturbed[e]]
                                          << "' perturbed a second time, expected each gene at most once");
            seen[perturbed[e]] = true;
        }
    } else {
        KNIT_CHECK_AS(value_error, perturbed.empty(),
                      "steady state " << to_string(kind) << ": got " << perturbed.size()
                                      << " perturbed genes, expected none (only knockouts and knockdowns name one)");
    }
    KNIT_CHECK_AS(shape_error, conditions.empty() || conditions.size() == rows,
                  "steady state " << to_string(kind) << ": got " << conditions.size() << " condition labels for "
                                  << rows << " rows, expected none or one per row");
    check_finite(values, "steady state");
}

std::optional<std::size_t> steady_state_data::row_perturbing(std::size_t gene) const {
    for (std::size_t e = 0; e < perturbed.size(); ++e)
        if (perturbed[e] == gene) return e;
    return std::nullopt;
}

std::vector<std::size_t> one_row_per_gene(std::size_t genes) {
    std::vector<std::size_t> out(genes);
    for (std::size_t g = 0; g < genes; ++g) out[g] = g;
    return out;
}

void expression_matrix::validate() const {
    gene_index check(genes);
    KNIT_CHECK_AS(value_error, !genes.empty(), "expression matrix: got 0 genes, expected at least 1");
    KNIT_CHECK_AS(shape_error, values.dimension() == 2 && values.shape(1) == genes.size() &&
                                   values.shape(0) > 0,
                  "expression matrix: got values of shape " << shape_to_string(values.shape())
                                                            << ", expected (S >= 1, "
                                                            << genes.size() << ")");
    KNIT_CHECK_AS(shape_error, samples.empty() || samples.size() == values.shape(0),
                  "expression matrix: got " << samples.size() << " sample names, expected 0 or "
                                            << values.shape(0));
    check_finite(values, "expression matrix");
}

}  // namespace knit::grn
