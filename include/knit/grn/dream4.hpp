// Readers and writers for the DREAM4 expression files and for a generic expression
// matrix. File formats and their quirks: docs/grn.md and data/dream4/README.md.
//
//   time series   "Time"<TAB>"G1"...            quoted header (quotes optional)
//                 <empty line>                  an empty line before each experiment
//                 0.0<TAB>x_G1 ...              rows: time, then one value per gene
//   steady state  "G1"<TAB>"G2"...              (wildtype, knockouts, knockdowns,
//                 x_G1<TAB>x_G2 ...              multifactorial): one row per experiment
//   matrix        TSV or CSV, genes as columns or rows, a header, optional row labels
//
// Every reader takes LF or CRLF, quoted or bare names, numbers in any standard notation
// (see detail::parse_finite_double), and refuses bad input with knit::parse_error naming
// file, line, column and what was expected: ragged rows, non-numeric or non-finite values,
// duplicate or unknown genes, empty files. parse_* read from memory (the fuzz targets use
// them); read_* read a file. Writers print numbers in shortest round-trip form, so
// read(write(x)) == x bit for bit, and write through a temporary file and a rename.
//
// expected_genes: when non-empty, the header must name exactly these genes (in any order;
// an unknown or missing gene is an error) and the result uses this order. This is how a
// steady-state file is aligned with the time series of the same network.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "knit/grn/experiment_set.hpp"
#include "knit/grn/expression.hpp"

namespace knit::grn {

time_series_data parse_time_series(std::string_view text, const std::string& file = "<memory>",
                                   const std::vector<std::string>& expected_genes = {});
time_series_data read_time_series(const std::string& path,
                                  const std::vector<std::string>& expected_genes = {});
std::string format_time_series(const time_series_data& data);
void write_time_series(const time_series_data& data, const std::string& path);

steady_state_data parse_steady_state(std::string_view text, steady_state_kind kind,
                                     const std::string& file = "<memory>",
                                     const std::vector<std::string>& expected_genes = {});
// The kind is taken from the file name (…_wildtype.tsv, _knockouts, _knockdowns,
// _multifactorial; otherwise `other`).
steady_state_data read_steady_state(const std::string& path,
                                    const std::vector<std::string>& expected_genes = {});
steady_state_data read_steady_state(const std::string& path, steady_state_kind kind,
                                    const std::vector<std::string>& expected_genes = {});
std::string format_steady_state(const steady_state_data& data);
void write_steady_state(const steady_state_data& data, const std::string& path);
steady_state_kind steady_state_kind_from_path(const std::string& path);

struct matrix_options {
    char delimiter = 0;                 // 0: detect (TAB if the header has one, else ',')
    gene_axis genes = gene_axis::columns;
    // columns: the first column names the samples. rows: always true in effect (the first
    // column names the genes). The header may or may not have a cell above the labels.
    bool row_labels = false;
};
expression_matrix parse_expression_matrix(std::string_view text, const matrix_options& options = {},
                                          const std::string& file = "<memory>",
                                          const std::vector<std::string>& expected_genes = {});
expression_matrix read_expression_matrix(const std::string& path,
                                         const matrix_options& options = {},
                                         const std::vector<std::string>& expected_genes = {});
// Writes with options.delimiter (TAB when 0) in options.genes orientation; sample names
// are written when the matrix has them (then the header has a "sample"/"gene" corner cell).
std::string format_expression_matrix(const expression_matrix& matrix,
                                     const matrix_options& options = {});
void write_expression_matrix(const expression_matrix& matrix, const std::string& path,
                             const matrix_options& options = {});

// Paths inside the DREAM4 folder (data/dream4), with the spelling quirks of the upstream
// names handled. DREAM4 has sizes 10 and 100 and networks 1..5; other sizes and network
// numbers get the same naming pattern (folders written by knit-grn simulate). Size 100
// multifactorial data live in
// size100_multifactorial/ with renamed genes (see its mapping/ folder).
enum class dream4_file {
    time_series,
    wildtype,
    knockouts,
    knockdowns,
    multifactorial,
    gold_standard,
    gold_standard_signed,
    dual_knockout_indexes,
    multifactorial_gene_map,  // size 100: multifactorial gene name -> size-100 gene name
    null_density              // scoring/probability_densities/pdf_size<S>_<N>.tsv
};
// This is the only place that knows the DREAM4 folder layout.
std::string dream4_path(const std::string& root, int size, int network, dream4_file file);
// The file of an experiment kind (time_series, wildtype, ...).
std::string dream4_path(const std::string& root, int size, int network, experiment_kind kind);
// The numbers 1, 2, ... of the networks of `size` whose time series or knockouts exist in
// root, in order, stopping at the first gap.
std::vector<int> dream4_networks(const std::string& root, int size);

// Every experiment kind of one network of a DREAM4-layout folder that is there: the time
// series, wild type, knockouts, knockdowns and multifactorial files, read with the genes of
// the first file present (the time series when it exists), so a file whose genes differ is
// refused naming its line. Size-100 multifactorial data (their own sub-challenge, genes
// renamed) are mapped back to the size-100 names through the mapping file when it exists.
// files[] records every file read and, for absent kinds, the file looked for. Throws
// knit::io_error when none of the files exists.
experiment_set read_dream4_experiments(const std::string& root, int size, int network);

// A gene-name map of two columns, `"New"<TAB>"Old"` with a header: from -> to.
std::vector<std::pair<std::string, std::string>> read_gene_map(const std::string& path);

}  // namespace knit::grn
