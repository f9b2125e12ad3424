// Every expression file a user gave, as one experiment set (see
// include/knit/grn/expression_table.hpp).
#include <array>
#include <map>

#include "knit/core/error.hpp"
#include "knit/grn/detail/table.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/expression_table.hpp"

namespace knit::grn {

namespace {

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

// True when the first non-blank line of `text` names a role (time, experiment, condition):
// then the file is a table, whatever its name says.
bool header_names_a_role(std::string_view text, const std::string& file) {
    detail::line_cursor lines(text);
    std::string_view line;
    while (lines.next(line)) {
        if (detail::is_blank(line)) continue;
        for (const auto& cell : detail::split_fields(line, detail::detect_delimiter(text), file, lines.line_number()))
            if (detail::role_of(cell.text)) return true;
        return false;
    }
    return false;
}

// One steady-state file: a DREAM4 steady-state file when its name gives the kind and its
// header names no role (and genes are not declared to be rows); a table otherwise.
std::vector<steady_state_data> read_steady_state_file(const std::string& path, const table_options& options,
                                                      const std::vector<std::string>& genes) {
    const std::string text = detail::read_file(path);
    const steady_state_kind named = steady_state_kind_from_path(path);
    if (named != steady_state_kind::other && options.genes_as != gene_axis::rows &&
        !header_names_a_role(detail::text_body(text, path), path))
        return {parse_steady_state(text, named, path, genes)};
    return parse_steady_state_table(text, options, path, genes);
}

experiment_kind slot_of(steady_state_kind kind) {
    switch (kind) {
        case steady_state_kind::wildtype: return experiment_kind::wildtype;
        case steady_state_kind::knockouts: return experiment_kind::knockouts;
        case steady_state_kind::knockdowns: return experiment_kind::knockdowns;
        default: return experiment_kind::multifactorial;
    }
}

// The label a row read without one gets when it is merged with labelled rows.
std::string implied_label(const steady_state_data& part, std::size_t row) {
    switch (part.kind) {
        case steady_state_kind::wildtype: return "wt";
        case steady_state_kind::knockouts: return "KO:" + part.genes[part.perturbed[row]];
        case steady_state_kind::knockdowns: return "KD:" + part.genes[part.perturbed[row]];
        default: return "";
    }
}

struct kind_parts {
    std::vector<steady_state_data> parts;
    std::vector<std::string> files;  // of each part
};

steady_state_data merge(kind_parts& kind, experiment_kind slot) {
    if (kind.parts.size() == 1) return std::move(kind.parts.front());
    const std::size_t genes = kind.parts.front().gene_count();
    std::size_t rows = 0;
    bool labelled = false;
    for (const auto& part : kind.parts) {
        rows += part.experiment_count();
        labelled = labelled || !part.conditions.empty();
    }
    steady_state_data out;
    out.genes = kind.parts.front().genes;
    out.kind = steady_state_kind_of(slot);
    out.values = tensor<double>::from_shape({rows, genes});
    std::map<std::size_t, std::size_t> file_of_gene;  // perturbed gene -> part
    std::size_t row = 0;
    for (std::size_t p = 0; p < kind.parts.size(); ++p) {
        const steady_state_data& part = kind.parts[p];
        for (std::size_t e = 0; e < part.experiment_count(); ++e, ++row) {
            for (std::size_t g = 0; g < genes; ++g) out.values(row, g) = part.values(e, g);
            if (!part.perturbed.empty()) {
                const auto [it, inserted] = file_of_gene.emplace(part.perturbed[e], p);
                KNIT_CHECK_AS(value_error, inserted,
                              kind.files[p] << ": got gene '" << part.genes[part.perturbed[e]] << "' in the "
                                            << to_string(slot) << " again (also in " << kind.files[it->second]
                                            << "), expected each gene perturbed at most once");
                out.perturbed.push_back(part.perturbed[e]);
            }
            if (labelled) out.conditions.push_back(part.conditions.empty() ? implied_label(part, e) : part.conditions[e]);
        }
    }
    return out;
}

}  // namespace

experiment_set read_user_experiments(const user_files& files, const table_options& options) {
    KNIT_CHECK_AS(value_error, files.beeline_expression.empty() == files.beeline_pseudotime.empty(),
                  "BEELINE input: got " << (files.beeline_expression.empty() ? "a pseudotime file without an expression file"
                                                                             : "an expression file without a pseudotime file")
                                        << ", expected both ExpressionData.csv and PseudoTime.csv");
    KNIT_CHECK_AS(value_error,
                  !files.time_series.empty() || !files.steady_states.empty() || !files.beeline_expression.empty(),
                  "got no expression file, expected at least one time-series table, steady-state table or BEELINE pair");
    experiment_set out;
    std::vector<std::string> genes;  // of the first file read; every later file must match
    std::vector<std::string> series_files;
    auto add_series = [&](time_series_data part) {
        if (genes.empty()) genes = part.genes;
        for (auto& experiment : part.experiments) out.time_series.experiments.push_back(std::move(experiment));
    };
    for (const auto& path : files.time_series) {
        add_series(read_time_series_table(path, options, genes));
        series_files.push_back(path);
    }
    if (!files.beeline_expression.empty()) {
        add_series(read_beeline(files.beeline_expression, files.beeline_pseudotime, genes));
        series_files.push_back(files.beeline_expression);
        series_files.push_back(files.beeline_pseudotime);
    }
    out.genes = out.time_series.genes = genes;
    out.files[std::size_t(experiment_kind::time_series)] = joined(series_files);

    std::array<kind_parts, 5> kinds;  // index: experiment_kind
    for (const auto& path : files.steady_states) {
        for (auto& part : read_steady_state_file(path, options, genes)) {
            if (genes.empty()) genes = part.genes;
            kind_parts& kind = kinds[std::size_t(slot_of(part.kind))];
            kind.parts.push_back(std::move(part));
            kind.files.push_back(path);  // a table holds each kind once: one part per file
        }
    }
    for (experiment_kind slot : all_experiment_kinds) {
        kind_parts& kind = kinds[std::size_t(slot)];
        if (kind.parts.empty()) continue;
        add_steady_state(out, merge(kind, slot), joined(kind.files));
    }
    out.genes = out.time_series.genes = genes;
    out.validate();
    return out;
}

}  // namespace knit::grn
