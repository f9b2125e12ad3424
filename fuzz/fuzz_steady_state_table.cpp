// libFuzzer target: the steady-state table reader (include/knit/grn/expression_table.hpp).
// The first byte picks the layout option (detect, columns, rows); the rest is the file,
// inflated first when it starts with the gzip magic bytes (capped at 1 MiB). Only
// knit::error may come out; every table returned must validate(), and writing the tables
// back as one genes-as-columns table with a condition column must read back unchanged.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/expression_table.hpp"

namespace {

namespace grn = knit::grn;

std::string as_table(const std::vector<grn::steady_state_data>& tables) {
    std::string out = "condition";
    for (const auto& gene : tables.front().genes) out += "," + grn::detail::quote(gene);
    out += '\n';
    for (const auto& table : tables)
        for (std::size_t e = 0; e < table.experiment_count(); ++e) {
            out += grn::detail::quote(table.conditions.empty() ? "unlabelled" : table.conditions[e]);
            for (std::size_t g = 0; g < table.gene_count(); ++g) out += "," + grn::detail::format_double(table.values(e, g));
            out += '\n';
        }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    grn::table_options options;
    if (data[0] % 3 == 1) options.genes_as = grn::gene_axis::columns;
    if (data[0] % 3 == 2) options.genes_as = grn::gene_axis::rows;
    std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    std::vector<grn::steady_state_data> parsed;
    try {
        if (grn::detail::is_gzip(text)) text = grn::detail::inflate_gzip(text, "fuzz.csv.gz", 1 << 20);
        parsed = grn::parse_steady_state_table(text, options, "fuzz.csv");
    } catch (const knit::error&) {
        return 0;
    }
    if (parsed.empty()) std::abort();
    try {
        for (const auto& table : parsed) table.validate();
    } catch (const knit::error&) {
        std::abort();
    }
    const auto again = grn::parse_steady_state_table(as_table(parsed), grn::table_options{grn::gene_axis::columns}, "again.csv");
    if (again.size() != parsed.size()) std::abort();
    for (std::size_t k = 0; k < parsed.size(); ++k) {
        const auto& a = parsed[k];
        const auto& b = again[k];
        if (a.genes != b.genes || a.kind != b.kind || a.perturbed != b.perturbed ||
            (!a.conditions.empty() && a.conditions != b.conditions) || a.values.shape() != b.values.shape() ||
            std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)) != 0)
            std::abort();
    }
    return 0;
}
