// Expression data of knit::grn: time series (the paper's input) and steady states.
//
//   time_series_data   genes (G names) and experiments; experiment e has times (T_e) and
//                      values (T_e, G): values(k, g) = level of gene g at times[k].
//   steady_state_data  genes and values (E, G): one row per steady-state experiment, with
//                      the kind of experiment (wild type, knockouts, ...).
//   expression_matrix  a generic samples x genes matrix read from TSV/CSV (either
//                      orientation), with sample names when the file has them.
//
// Values are double; the readers refuse non-finite values, so a loaded data set holds
// finite numbers only. validate() checks the invariants after hand-made edits.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "knit/core/tensor.hpp"

namespace knit::grn {

// Maps gene names to column indices; refuses duplicates and empty names.
class gene_index {
public:
    gene_index() = default;
    explicit gene_index(const std::vector<std::string>& genes);
    std::optional<std::size_t> find(const std::string& gene) const;
    std::size_t at(const std::string& gene) const;  // throws knit::value_error when unknown

private:
    std::vector<std::pair<std::string, std::size_t>> sorted_;
};

struct time_series_experiment {
    std::vector<double> times;  // (T), strictly increasing
    tensor<double> values;      // (T, G)
    // 1-based line of the experiment's first row in the file it was read from (0 when not
    // read from a file), so that a later refusal can point at it.
    std::size_t first_line = 0;
    std::size_t time_points() const { return times.size(); }
};

struct time_series_data {
    std::vector<std::string> genes;
    std::vector<time_series_experiment> experiments;

    std::size_t gene_count() const { return genes.size(); }
    std::size_t experiment_count() const { return experiments.size(); }
    // Total rows over all experiments.
    std::size_t sample_count() const;
    // T when every experiment has the same number of time points; nullopt otherwise.
    std::optional<std::size_t> common_time_points() const;
    // All experiments stacked: (sum T_e, G).
    tensor<double> stacked() const;
    // Throws knit::value_error unless: genes are non-empty and unique, there is at least one
    // experiment, each has >= 1 time point, values (T_e, G), strictly increasing finite
    // times and finite values.
    void validate() const;
};

enum class steady_state_kind { wildtype, knockouts, knockdowns, multifactorial, other };
const char* to_string(steady_state_kind kind);

struct steady_state_data {
    std::vector<std::string> genes;
    tensor<double> values;  // (E, G)
    steady_state_kind kind = steady_state_kind::other;
    // Knockouts and knockdowns: row e knocks out (down) gene perturbed[e]. A DREAM4 file
    // perturbs gene e in row e (every gene once); a user's table may name any genes, each
    // at most once. Empty for the other kinds.
    std::vector<std::size_t> perturbed;
    // Optional per-row labels (a user's condition names); empty or one per row.
    std::vector<std::string> conditions;

    std::size_t gene_count() const { return genes.size(); }
    std::size_t experiment_count() const { return values.dimension() == 2 ? values.shape(0) : 0; }
    // The row that perturbs `gene`, or nullopt (knockouts and knockdowns).
    std::optional<std::size_t> row_perturbing(std::size_t gene) const;
    // Throws knit::value_error unless genes are non-empty and unique, values is (E >= 1, G)
    // and finite; knockouts and knockdowns need one distinct perturbed gene < G per row.
    void validate() const;
};

// 0, 1, ..., genes - 1: the perturbed genes of a DREAM4 knockout or knockdown file.
std::vector<std::size_t> one_row_per_gene(std::size_t genes);

// Which axis of a generic matrix file holds the genes.
enum class gene_axis { columns, rows };

struct expression_matrix {
    std::vector<std::string> genes;
    std::vector<std::string> samples;  // empty when the file has no sample names
    tensor<double> values;             // (S, G), whatever the orientation of the file
    void validate() const;
};

}  // namespace knit::grn
