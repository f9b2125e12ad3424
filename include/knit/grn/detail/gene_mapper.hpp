// Gene names as a reader meets them (a header line, or the first column of a genes-as-rows
// table), shared by knit::grn's expression readers: each name is checked
// (detail::check_gene_name), a repeat is refused at its cell, and with expected_genes the
// names are mapped onto that order (an unknown name is refused at its cell, a missing one
// by finish()).
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "knit/grn/detail/text.hpp"
#include "knit/grn/expression.hpp"

namespace knit::grn::detail {

class gene_mapper {
public:
    // `file` and `expected` must outlive the mapper.
    gene_mapper(const std::string& file, const std::vector<std::string>& expected);

    void add(const field& cell, std::size_t line);
    // The gene names in result order; refuses (at `line`, column 0) a table that lacks an
    // expected gene.
    std::vector<std::string> finish(std::size_t line) const;
    std::size_t size() const { return position_to_gene.size(); }

    // position_to_gene[i]: where the i-th name added goes in the result.
    std::vector<std::size_t> position_to_gene;

private:
    const std::string& file_;
    const std::vector<std::string>& expected_;
    gene_index index_;
    std::unordered_map<std::string, std::size_t> seen_;
    std::vector<std::string> names_;
};

// "1 cell", "3 cells".
std::string count_cells(std::size_t n);

// A row of the wrong width: parse_error at the first extra cell (column 0 when cells are
// missing), "got N cells, expected W cells (<what>)".
[[noreturn]] void refuse_ragged(const std::string& file, std::size_t line, const std::vector<field>& row,
                                std::size_t width, const std::string& what);

}  // namespace knit::grn::detail
