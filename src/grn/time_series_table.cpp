// Time-series tables (see include/knit/grn/expression_table.hpp).
#include <algorithm>
#include <unordered_map>

#include "knit/core/error.hpp"
#include "knit/grn/detail/table.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/expression_table.hpp"

namespace knit::grn {

using detail::located_cell;
using detail::table_role;

namespace {

detail::field as_field(const located_cell& cell) {
    detail::field f;
    f.text = cell.text;
    f.column = cell.column;
    return f;
}

}  // namespace

time_series_data parse_time_series_table(std::string_view text, const table_options& options,
                                         const std::string& file,
                                         const std::vector<std::string>& expected_genes) {
    detail::table_request request;
    request.file = file;
    request.genes_as = options.genes_as;
    request.expected_genes = expected_genes;
    request.roles[std::size_t(table_role::time)] = true;
    request.roles[std::size_t(table_role::experiment)] = true;
    request.reader = "time-series table";
    const detail::expression_table table = detail::read_expression_table(detail::text_body(text, file), request);
    const bool rows = table.axis == gene_axis::rows;
    if (!table.has(table_role::time))
        throw parse_error(file, table.header_line, 0,
                          rows ? "got no row named time, expected a time row (a row named 'time', then one time per sample)"
                               : "got no time column, expected a column named 'time' (any case, any position) beside "
                                 "the gene columns");
    const auto& time_cells = table.cells(table_role::time);

    // Which experiment each sample belongs to: its experiment cell, else its blank-line block.
    std::vector<std::size_t> group(table.samples, 0);
    std::vector<std::string> names;  // with an experiment column, in order of appearance
    const bool named = table.has(table_role::experiment);
    if (named) {
        std::unordered_map<std::string, std::size_t> index;
        const auto& cells = table.cells(table_role::experiment);
        for (std::size_t s = 0; s < table.samples; ++s) {
            if (cells[s].text.empty())
                throw parse_error(file, cells[s].line, cells[s].column,
                                  "got an empty experiment name, expected a name (any text) for each sample");
            const auto [it, inserted] = index.emplace(cells[s].text, names.size());
            if (inserted) names.push_back(cells[s].text);
            group[s] = it->second;
        }
    } else {
        group = table.block;
    }
    const std::size_t experiments = 1 + *std::max_element(group.begin(), group.end());
    std::vector<std::vector<std::size_t>> members(experiments);
    for (std::size_t s = 0; s < table.samples; ++s) members[group[s]].push_back(s);

    time_series_data out;
    out.genes = table.genes;
    const std::size_t genes = out.genes.size();
    for (std::size_t e = 0; e < experiments; ++e) {
        time_series_experiment experiment;
        experiment.values = tensor<double>::from_shape({members[e].size(), genes});
        for (std::size_t k = 0; k < members[e].size(); ++k) {
            const std::size_t s = members[e][k];
            const located_cell& cell = time_cells[s];
            const double time = detail::parse_finite_double(as_field(cell), file, cell.line, "a finite time");
            if (k > 0 && !(time > experiment.times.back())) {
                const std::string where =
                    named ? " in experiment '" + detail::shorten(names[e]) + "'"
                          : rows ? " (genes are rows and there is no experiment row, so every column is one experiment)"
                                 : " (an empty line starts the next experiment)";
                throw parse_error(file, cell.line, cell.column,
                                  "got time " + detail::format_double(time) + " after " +
                                      detail::format_double(experiment.times.back()) + where +
                                      ", expected strictly increasing times within an experiment");
            }
            experiment.times.push_back(time);
            for (std::size_t g = 0; g < genes; ++g) experiment.values(k, g) = table.value(s, g);
        }
        experiment.first_line = time_cells[members[e].front()].line;
        out.experiments.push_back(std::move(experiment));
    }
    return out;
}

time_series_data read_time_series_table(const std::string& path, const table_options& options,
                                        const std::vector<std::string>& expected_genes) {
    return parse_time_series_table(detail::read_file(path), options, path, expected_genes);
}

}  // namespace knit::grn
