// Gene names read from a table (see include/knit/grn/detail/gene_mapper.hpp).
#include "knit/grn/detail/gene_mapper.hpp"

#include "knit/core/error.hpp"

namespace knit::grn::detail {

gene_mapper::gene_mapper(const std::string& file, const std::vector<std::string>& expected)
    : file_(file), expected_(expected) {
    if (!expected_.empty()) index_ = gene_index(expected_);
}

void gene_mapper::add(const field& cell, std::size_t line) {
    check_gene_name(cell, file_, line);
    auto [it, inserted] = seen_.emplace(cell.text, line);
    if (!inserted)
        throw parse_error(file_, line, cell.column,
                          "got gene '" + shorten(cell.text) + "' a second time (first on line " +
                              std::to_string(it->second) + "), expected unique gene names");
    if (expected_.empty()) {
        position_to_gene.push_back(names_.size());
        names_.push_back(cell.text);
        return;
    }
    const auto found = index_.find(cell.text);
    if (!found)
        throw parse_error(file_, line, cell.column,
                          "got unknown gene '" + shorten(cell.text) + "', expected one of the " +
                              std::to_string(expected_.size()) + " genes of the data set");
    position_to_gene.push_back(*found);
}

std::vector<std::string> gene_mapper::finish(std::size_t line) const {
    if (expected_.empty()) return names_;
    for (const auto& gene : expected_)
        if (seen_.count(gene) == 0)
            throw parse_error(file_, line, 0,
                              "got no gene '" + shorten(gene) + "', expected all " +
                                  std::to_string(expected_.size()) + " genes of the data set");
    return expected_;
}

std::string count_cells(std::size_t n) { return std::to_string(n) + (n == 1 ? " cell" : " cells"); }

void refuse_ragged(const std::string& file, std::size_t line, const std::vector<field>& row,
                   std::size_t width, const std::string& what) {
    const std::size_t column = row.size() > width ? row[width].column : 0;
    throw parse_error(file, line, column,
                      "got " + count_cells(row.size()) + ", expected " + count_cells(width) + " (" + what + ")");
}

}  // namespace knit::grn::detail
