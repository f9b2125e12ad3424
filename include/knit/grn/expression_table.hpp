// Readers for the expression tables GRN users have (issue 15), into knit's own types:
// time_series_data, steady_state_data and experiment_set. Nothing here assumes DREAM4's
// design: experiments may have any number of points on any time grid, any gene names, any
// conditions. docs/grn.md "Your own expression tables" describes every layout with an
// example.
//
//   time-series table   genes as columns with a `time` column and an optional `experiment`
//                       column (names in any case, at any position); or genes as rows, with
//                       a row named `time` and optionally one named `experiment`. Without an
//                       experiment column, blank lines separate experiments (the DREAM4
//                       layout, which this reader therefore covers).
//   steady-state table  a `condition` column (or row): `wt`/`wildtype`, `KO:<gene>`,
//                       `KD:<gene>`, anything else is multifactorial; without one, every row
//                       is multifactorial.
//   BEELINE pair        ExpressionData.csv (genes as rows, cells as columns) and
//                       PseudoTime.csv (one column per lineage, NA off the lineage).
//
// Every file may be CSV or TSV (detected from its first line), gzip-compressed (detected
// from its first bytes), with LF or CRLF and a UTF-8 byte-order mark; UTF-16 is refused.
// Bad input is a knit::parse_error naming file:line:column and what was expected, also
// when genes are rows. expected_genes: when non-empty, the table must hold exactly these
// genes (any order) and the result follows their order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "knit/grn/experiment_set.hpp"
#include "knit/grn/expression.hpp"

namespace knit::grn {

struct table_options {
    // Which axis holds the genes; nullopt: detected from the cells named time, experiment
    // or condition, and refused (asking for --genes-as rows|columns) when that is ambiguous.
    std::optional<gene_axis> genes_as;
};

// "rows" or "columns"; gene_axis_from_string throws knit::value_error for anything else.
const char* to_string(gene_axis axis);
gene_axis gene_axis_from_string(const std::string& name);

// A time-series table. Experiments keep the order in which they first appear; within one,
// times must strictly increase in file order (rows are never sorted).
time_series_data parse_time_series_table(std::string_view text, const table_options& options = {},
                                         const std::string& file = "<memory>",
                                         const std::vector<std::string>& expected_genes = {});
time_series_data read_time_series_table(const std::string& path, const table_options& options = {},
                                        const std::vector<std::string>& expected_genes = {});

// A steady-state table: one steady_state_data per kind present, in the order wildtype,
// knockouts, knockdowns, multifactorial; rows keep file order within a kind; conditions[]
// holds each row's label as written (empty when the table has no condition column);
// perturbed[] names the gene of each knockout/knockdown row (each gene at most once per
// kind).
std::vector<steady_state_data> parse_steady_state_table(std::string_view text,
                                                        const table_options& options = {},
                                                        const std::string& file = "<memory>",
                                                        const std::vector<std::string>& expected_genes = {});
std::vector<steady_state_data> read_steady_state_table(const std::string& path,
                                                       const table_options& options = {},
                                                       const std::vector<std::string>& expected_genes = {});

// A BEELINE input pair. Each pseudotime column (lineage) becomes one time-series experiment
// of the cells that have a value in it, ordered by pseudotime; cells with the same
// pseudotime are averaged gene by gene into one point, so the times strictly increase.
// A cell on no lineage (NA or empty in every column) is left out; a pseudotime row for a
// cell the expression file lacks is refused.
time_series_data parse_beeline(std::string_view expression, std::string_view pseudotime,
                               const std::string& expression_file = "ExpressionData.csv",
                               const std::string& pseudotime_file = "PseudoTime.csv",
                               const std::vector<std::string>& expected_genes = {});
time_series_data read_beeline(const std::string& expression_path, const std::string& pseudotime_path,
                              const std::vector<std::string>& expected_genes = {});

// Everything a user gave.
struct user_files {
    std::vector<std::string> time_series;    // time-series tables (DREAM4 time series too)
    std::vector<std::string> steady_states;  // steady-state tables (DREAM4 steady states too)
    std::string beeline_expression, beeline_pseudotime;  // both or neither
};

// One experiment set from user_files. The genes are those of the first file read (time
// series first, then the BEELINE pair, then steady states); every other file must hold the
// same genes in any order, else a parse_error names the file, the line and the gene.
// Time-series experiments are concatenated in file order (the BEELINE lineages after the
// tables). Steady-state rows of the same kind from several files are merged in file order; a
// gene knocked out (down) in two files is refused naming both. A steady-state file without
// a condition column whose name says its DREAM4 kind (…_wildtype, _knockouts, _knockdowns,
// _multifactorial) is read as that DREAM4 file (row g perturbs gene g). files[] records the
// files of each kind, joined by ", ".
experiment_set read_user_experiments(const user_files& files, const table_options& options = {});

}  // namespace knit::grn
