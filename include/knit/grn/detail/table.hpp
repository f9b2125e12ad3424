// The part every expression-table reader shares (include/knit/grn/expression_table.hpp):
// a delimited text read as samples x genes, whichever axis of the file holds the genes,
// with the cells of its role columns (time, experiment, condition) kept with their file
// positions, so that errors found later still point at the right line and column.
//
// Layouts (docs/grn.md "Your own expression tables"):
//   columns  the first line is the header: gene names and role names; every later line is
//            one sample. A first header cell that is empty or `sample` names a column of
//            sample labels, which is ignored. Blank lines split the samples into blocks.
//   rows     every line is a name (a role or a gene) followed by one cell per sample. The
//            first line is instead a header of sample names when its first cell is empty,
//            `gene` or `genes`, or when it neither starts with a role name nor holds only
//            numbers after its first cell; the header may or may not have a corner cell.
//            Blank lines are ignored.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "knit/grn/expression.hpp"

namespace knit::grn::detail {

enum class table_role : std::size_t { time, experiment, condition };
constexpr std::size_t table_role_count = 3;
const char* to_string(table_role role);

// A cell of a role column (row) or of a header: its text and where it is.
struct located_cell {
    std::string text;
    std::size_t line = 0, column = 0;
};

struct table_request {
    std::string file;
    std::optional<gene_axis> genes_as;
    std::vector<std::string> expected_genes;
    // Roles this reader takes; a role name outside them is refused at its cell, naming
    // `reader`. With no roles at all (BEELINE), role names are ordinary gene names.
    std::array<bool, table_role_count> roles{};
    const char* reader = "table";  // "time-series table", for messages
    // Genes-as-rows tables whose first line is always a header of sample names (BEELINE).
    bool rows_header_always = false;
};

struct expression_table {
    gene_axis axis = gene_axis::columns;
    std::vector<std::string> genes;  // result order (expected_genes when given)
    std::size_t samples = 0;
    std::vector<double> values;      // (samples, genes), row-major, result order
    std::size_t header_line = 0;     // line of the first non-blank line
    std::size_t last_line = 0;       // line of the last non-blank line
    // Per sample: the block of blank-line-separated rows it is in (0, 1, ...; columns
    // layout), all 0 in the rows layout.
    std::vector<std::size_t> block;
    // Rows layout with a header: the header cells above the samples (empty otherwise).
    std::vector<located_cell> sample_names;
    // Per role present: one cell per sample, and where the role is named.
    std::array<std::optional<std::vector<located_cell>>, table_role_count> roles;
    std::array<located_cell, table_role_count> role_names;

    bool has(table_role role) const { return roles[std::size_t(role)].has_value(); }
    const std::vector<located_cell>& cells(table_role role) const { return *roles[std::size_t(role)]; }
    double value(std::size_t sample, std::size_t gene) const { return values[sample * genes.size() + gene]; }
};

// Reads `text` (already through text_body) as a table; refuses with parse_error an empty
// text, a layout it cannot decide (naming what it saw and asking for genes_as), ragged
// rows, non-numeric or non-finite values, bad, duplicate, unknown or missing genes, a role
// given twice or outside request.roles, and a header without data.
expression_table read_expression_table(std::string_view text, const table_request& request);

// A steady-state condition label: `wt`, `wildtype`, `wild-type` or `wild_type` (any case)
// is the wild type; `KO:<gene>` and `KD:<gene>` (prefix in any case, spaces after the
// colon ignored) a knockout and a knockdown of that gene; anything else is multifactorial.
struct condition_label {
    steady_state_kind kind = steady_state_kind::multifactorial;
    std::string gene;         // knockouts and knockdowns: the gene named
    std::size_t gene_offset = 0;  // where the gene name starts in the label
};
condition_label parse_condition(std::string_view label);

// The role a cell names (its text in any case, spaces around it ignored), if any.
std::optional<table_role> role_of(std::string_view text);

}  // namespace knit::grn::detail
