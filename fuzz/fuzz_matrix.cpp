// libFuzzer target: the generic expression-matrix reader. The first byte picks the
// options (delimiter, orientation, row labels). Only knit::error may come out, and what
// the reader accepts must survive write -> read unchanged with the same options.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "knit/core/error.hpp"
#include "knit/grn/dream4.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    knit::grn::matrix_options options;
    const char delimiters[] = {0, '\t', ',', ';'};
    options.delimiter = delimiters[data[0] & 3];
    options.genes = (data[0] & 4) ? knit::grn::gene_axis::rows : knit::grn::gene_axis::columns;
    options.row_labels = (data[0] & 8) != 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    knit::grn::expression_matrix parsed;
    try {
        parsed = knit::grn::parse_expression_matrix(text, options, "fuzz.csv");
    } catch (const knit::error&) {
        return 0;
    }
    const auto again = knit::grn::parse_expression_matrix(
        knit::grn::format_expression_matrix(parsed, options), options, "again.csv");
    if (again.genes != parsed.genes || again.samples != parsed.samples ||
        again.values.shape() != parsed.values.shape() ||
        std::memcmp(again.values.data(), parsed.values.data(), parsed.values.size() * sizeof(double)) != 0)
        std::abort();
    return 0;
}
