// libFuzzer target: the time-series table reader (include/knit/grn/expression_table.hpp).
// The first byte picks the layout option (detect, columns, rows); the rest is the file,
// inflated first when it starts with the gzip magic bytes (capped at 1 MiB, as
// detail::read_file would cap at 4 GiB). Only knit::error may come out; what the reader
// accepts must validate() and survive the DREAM4 writer -> this reader unchanged.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "knit/core/error.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/expression_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    namespace grn = knit::grn;
    grn::table_options options;
    if (data[0] % 3 == 1) options.genes_as = grn::gene_axis::columns;
    if (data[0] % 3 == 2) options.genes_as = grn::gene_axis::rows;
    std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    grn::time_series_data parsed;
    try {
        if (grn::detail::is_gzip(text)) text = grn::detail::inflate_gzip(text, "fuzz.csv.gz", 1 << 20);
        parsed = grn::parse_time_series_table(text, options, "fuzz.csv");
    } catch (const knit::error&) {
        return 0;
    }
    try {
        parsed.validate();
    } catch (const knit::error&) {
        std::abort();  // a reader must not return what validate() refuses
    }
    const auto again = grn::parse_time_series_table(grn::format_time_series(parsed),
                                                    grn::table_options{grn::gene_axis::columns}, "again.tsv");
    if (again.genes != parsed.genes || again.experiments.size() != parsed.experiments.size()) std::abort();
    for (std::size_t e = 0; e < parsed.experiments.size(); ++e) {
        const auto& a = parsed.experiments[e];
        const auto& b = again.experiments[e];
        if (a.times != b.times || a.values.size() != b.values.size() ||
            std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)) != 0)
            std::abort();
    }
    return 0;
}
