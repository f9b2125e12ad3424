// BEELINE input pairs: ExpressionData.csv + PseudoTime.csv (see
// include/knit/grn/expression_table.hpp).
//
// BEELINE (Pratapa et al. 2020, Nat. Methods 17:147) gives single-cell data as a genes x
// cells matrix and, per lineage, a pseudotime for each cell on it. knit's time-series
// models want strictly increasing times, so cells sharing a pseudotime are averaged into
// one point: the arithmetic mean of their values, gene by gene (summed in file order, then
// divided by their count).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_map>

#include "knit/core/error.hpp"
#include "knit/grn/detail/gene_mapper.hpp"
#include "knit/grn/detail/table.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/expression_table.hpp"

namespace knit::grn {

namespace {

bool is_missing(const std::string& text) {
    std::string name = text;
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name.empty() || name == "na" || name == "nan";
}

struct on_lineage {
    double time = 0;
    std::size_t cell = 0;  // sample of the expression table
    std::size_t line = 0;  // of the pseudotime row
};

}  // namespace

time_series_data parse_beeline(std::string_view expression, std::string_view pseudotime,
                               const std::string& expression_file, const std::string& pseudotime_file,
                               const std::vector<std::string>& expected_genes) {
    detail::table_request request;
    request.file = expression_file;
    request.genes_as = gene_axis::rows;
    request.expected_genes = expected_genes;
    request.reader = "BEELINE expression table";
    request.rows_header_always = true;
    const detail::expression_table table =
        detail::read_expression_table(detail::text_body(expression, expression_file), request);
    std::unordered_map<std::string, std::size_t> cell_of;
    for (std::size_t s = 0; s < table.sample_names.size(); ++s) {
        const detail::located_cell& name = table.sample_names[s];
        const auto [it, inserted] = cell_of.emplace(name.text, s);
        if (!inserted)
            throw parse_error(expression_file, name.line, name.column,
                              "got cell '" + detail::shorten(name.text) + "' a second time (first in column " +
                                  std::to_string(table.sample_names[it->second].column) +
                                  "), expected unique cell names");
    }

    const std::string_view body = detail::text_body(pseudotime, pseudotime_file);
    detail::line_cursor lines(body);
    std::string_view line;
    bool found = false;
    while (!found && lines.next(line)) found = !detail::is_blank(line);
    if (!found)
        throw parse_error(pseudotime_file, std::max<std::size_t>(lines.line_number(), 1), 0,
                          "got an empty file, expected a header of pseudotime columns, then one row per cell");
    const char delimiter = detail::detect_delimiter(body);
    const std::size_t header_line = lines.line_number();
    const auto header = detail::split_fields(line, delimiter, pseudotime_file, header_line);
    std::size_t width = 0;
    std::vector<detail::field> lineages;
    std::vector<std::vector<on_lineage>> members;
    std::unordered_map<std::size_t, std::size_t> row_of_cell;  // cell -> its pseudotime line
    while (lines.next(line)) {
        if (detail::is_blank(line)) continue;
        const std::size_t number = lines.line_number();
        const auto row = detail::split_fields(line, delimiter, pseudotime_file, number);
        if (width == 0) {
            // The header may or may not have a cell above the cell names.
            width = row.size();
            if (width < 2)
                throw parse_error(pseudotime_file, number, 0,
                                  "got 1 cell, expected a cell name followed by at least one pseudotime");
            if (header.size() != width && header.size() + 1 != width)
                throw parse_error(pseudotime_file, number, 0,
                                  "got " + detail::count_cells(width) + ", expected " + std::to_string(header.size()) +
                                      " or " + std::to_string(header.size() + 1) +
                                      " (a cell name, then one pseudotime per column of the header on line " +
                                      std::to_string(header_line) + ", which may or may not have a corner cell)");
            lineages.assign(header.begin() + static_cast<std::ptrdiff_t>(header.size() + 1 - width), header.end());
            members.resize(lineages.size());
        }
        if (row.size() != width)
            detail::refuse_ragged(pseudotime_file, number, row, width, "a cell name, then one pseudotime or NA per lineage");
        const auto cell = cell_of.find(row.front().text);
        if (cell == cell_of.end())
            throw parse_error(pseudotime_file, number, row.front().column,
                              "got cell '" + detail::shorten(row.front().text) + "', expected a cell of " +
                                  expression_file + " (a name in its header)");
        const auto [previous, inserted] = row_of_cell.emplace(cell->second, number);
        if (!inserted)
            throw parse_error(pseudotime_file, number, row.front().column,
                              "got cell '" + detail::shorten(row.front().text) + "' a second time (first on line " +
                                  std::to_string(previous->second) + "), expected one row per cell");
        for (std::size_t c = 1; c < width; ++c) {
            if (is_missing(row[c].text)) continue;
            const double time =
                detail::parse_finite_double(row[c], pseudotime_file, number, "a finite pseudotime, NA or an empty cell");
            members[c - 1].push_back(on_lineage{time, cell->second, number});
        }
    }
    if (width == 0)
        throw parse_error(pseudotime_file, header_line, 0, "got a header but no cell rows, expected one row per cell");

    time_series_data out;
    out.genes = table.genes;
    const std::size_t genes = out.genes.size();
    for (std::size_t l = 0; l < lineages.size(); ++l) {
        auto& cells = members[l];
        if (cells.empty())
            throw parse_error(pseudotime_file, header_line, lineages[l].column,
                              "got no cell with a pseudotime in column '" + detail::shorten(lineages[l].text) +
                                  "', expected at least one");
        std::stable_sort(cells.begin(), cells.end(),
                         [](const on_lineage& a, const on_lineage& b) { return a.time < b.time; });
        std::vector<double> times, values;
        for (std::size_t i = 0; i < cells.size();) {
            std::size_t j = i;
            while (j < cells.size() && cells[j].time == cells[i].time) ++j;
            const std::size_t base = values.size();
            values.resize(base + genes, 0.0);
            const double n = double(j - i);
            for (std::size_t g = 0; g < genes; ++g) {
                double sum = 0;
                for (std::size_t k = i; k < j; ++k) sum += table.value(cells[k].cell, g);
                if (!std::isfinite(sum)) {  // values near the largest double: scale first
                    sum = 0;
                    for (std::size_t k = i; k < j; ++k) sum += table.value(cells[k].cell, g) / n;
                    values[base + g] = sum;
                } else {
                    values[base + g] = sum / n;
                }
            }
            times.push_back(cells[i].time);
            i = j;
        }
        time_series_experiment experiment;
        experiment.values = tensor<double>::from_shape({times.size(), genes});
        std::copy(values.begin(), values.end(), experiment.values.data());
        experiment.times = std::move(times);
        experiment.first_line = cells.front().line;
        out.experiments.push_back(std::move(experiment));
    }
    return out;
}

time_series_data read_beeline(const std::string& expression_path, const std::string& pseudotime_path,
                              const std::vector<std::string>& expected_genes) {
    return parse_beeline(detail::read_file(expression_path), detail::read_file(pseudotime_path), expression_path,
                         pseudotime_path, expected_genes);
}

}  // namespace knit::grn
