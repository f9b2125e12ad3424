// Steady-state tables with conditions (see include/knit/grn/expression_table.hpp).
#include <array>
#include <unordered_map>

#include "knit/core/error.hpp"
#include "knit/grn/detail/table.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/expression_table.hpp"

namespace knit::grn {

using detail::located_cell;
using detail::table_role;

namespace {

// The output order of the kinds, and each kind's slot in it.
constexpr std::array<steady_state_kind, 4> kind_order = {steady_state_kind::wildtype, steady_state_kind::knockouts,
                                                         steady_state_kind::knockdowns,
                                                         steady_state_kind::multifactorial};
std::size_t slot_of(steady_state_kind kind) {
    for (std::size_t k = 0; k < kind_order.size(); ++k)
        if (kind_order[k] == kind) return k;
    return kind_order.size() - 1;
}

struct kind_rows {
    std::vector<std::size_t> samples, perturbed;
    std::vector<std::string> labels;
    std::unordered_map<std::size_t, std::size_t> line_of_gene;  // perturbed gene -> its line
};

}  // namespace

std::vector<steady_state_data> parse_steady_state_table(std::string_view text, const table_options& options,
                                                        const std::string& file,
                                                        const std::vector<std::string>& expected_genes) {
    detail::table_request request;
    request.file = file;
    request.genes_as = options.genes_as;
    request.expected_genes = expected_genes;
    request.roles[std::size_t(table_role::condition)] = true;
    request.reader = "steady-state table";
    const detail::expression_table table = detail::read_expression_table(detail::text_body(text, file), request);
    const gene_index genes(table.genes);

    std::array<kind_rows, kind_order.size()> kinds;
    const bool labelled = table.has(table_role::condition);
    for (std::size_t s = 0; s < table.samples; ++s) {
        if (!labelled) {
            kinds[slot_of(steady_state_kind::multifactorial)].samples.push_back(s);
            continue;
        }
        const located_cell& cell = table.cells(table_role::condition)[s];
        if (cell.text.empty())
            throw parse_error(file, cell.line, cell.column,
                              "got an empty condition, expected wt, KO:<gene>, KD:<gene> or a multifactorial label");
        const detail::condition_label condition = detail::parse_condition(cell.text);
        kind_rows& rows = kinds[slot_of(condition.kind)];
        const bool knockout = condition.kind == steady_state_kind::knockouts;
        if (knockout || condition.kind == steady_state_kind::knockdowns) {
            const char* verb = knockout ? "knocked out" : "knocked down";
            const std::string prefix = knockout ? "KO:" : "KD:";
            if (condition.gene.empty())
                throw parse_error(file, cell.line, cell.column,
                                  "got '" + detail::shorten(cell.text) + "' without a gene, expected " + prefix +
                                      "<gene>");
            const auto gene = genes.find(condition.gene);
            if (!gene)
                throw parse_error(file, cell.line, cell.column,
                                  "got '" + detail::shorten(cell.text) + "', a gene " + verb + " that is not in the table ('" +
                                      detail::shorten(condition.gene) + "'), expected one of its " +
                                      std::to_string(table.genes.size()) + " genes");
            const auto [it, inserted] = rows.line_of_gene.emplace(*gene, cell.line);
            if (!inserted)
                throw parse_error(file, cell.line, cell.column,
                                  "got gene '" + detail::shorten(condition.gene) + "' " + verb +
                                      " a second time (first on line " + std::to_string(it->second) +
                                      "), expected each gene " + verb + " at most once (average replicates first)");
            rows.perturbed.push_back(*gene);
        }
        rows.samples.push_back(s);
        rows.labels.push_back(cell.text);
    }

    std::vector<steady_state_data> out;
    const std::size_t g_count = table.genes.size();
    for (std::size_t k = 0; k < kind_order.size(); ++k) {
        kind_rows& rows = kinds[k];
        if (rows.samples.empty()) continue;
        steady_state_data data;
        data.genes = table.genes;
        data.kind = kind_order[k];
        data.values = tensor<double>::from_shape({rows.samples.size(), g_count});
        for (std::size_t r = 0; r < rows.samples.size(); ++r)
            for (std::size_t g = 0; g < g_count; ++g) data.values(r, g) = table.value(rows.samples[r], g);
        data.perturbed = std::move(rows.perturbed);
        data.conditions = std::move(rows.labels);
        out.push_back(std::move(data));
    }
    return out;
}

std::vector<steady_state_data> read_steady_state_table(const std::string& path, const table_options& options,
                                                       const std::vector<std::string>& expected_genes) {
    return parse_steady_state_table(detail::read_file(path), options, path, expected_genes);
}

}  // namespace knit::grn
