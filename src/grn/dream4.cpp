// DREAM4 and generic expression readers/writers (see include/knit/grn/dream4.hpp).
#include "knit/grn/dream4.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <unordered_map>

#include "knit/core/atomic_file.hpp"
#include "knit/core/error.hpp"
#include "knit/grn/detail/gene_mapper.hpp"
#include "knit/grn/detail/text.hpp"

namespace knit::grn {

using detail::count_cells;
using detail::field;
using detail::gene_mapper;
using detail::format_double;
using detail::line_cursor;
using detail::parse_finite_double;
using detail::split_fields;

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The first non-blank line, or a parse_error for an empty (or all-blank) text.
std::string_view header_line(line_cursor& lines, const std::string& file, const char* expected) {
    std::string_view line;
    while (lines.next(line))
        if (!detail::is_blank(line)) return line;
    throw parse_error(file, std::max<std::size_t>(lines.line_number(), 1), 0,
                      std::string("got an empty file, expected ") + expected);
}

char header_delimiter(std::string_view line, char requested) {
    if (requested != 0) return requested;
    if (line.find('\t') != std::string_view::npos) return '\t';
    if (line.find(',') != std::string_view::npos) return ',';
    return '\t';
}

tensor<double> to_tensor(const std::vector<double>& values, std::size_t rows, std::size_t cols) {
    tensor<double> out = tensor<double>::from_shape({rows, cols});
    std::copy(values.begin(), values.end(), out.data());
    return out;
}

// Names are always written quoted, so anything but a line feed reads back unchanged.
void check_writable_name(const std::string& name, const char* what, bool may_be_empty = false) {
    KNIT_CHECK_AS(value_error, (may_be_empty || !name.empty()) && name.find('\n') == std::string::npos,
                  "cannot write " << what << " '" << name
                                  << "': got an empty name or a line feed, expected a "
                                     "non-empty single-line name");
}

}  // namespace

// --- time series -------------------------------------------------------------------

time_series_data parse_time_series(std::string_view text, const std::string& file,
                                   const std::vector<std::string>& expected_genes) {
    line_cursor lines(detail::text_body(text, file));
    const std::string_view first =
        header_line(lines, file, "a header line \"Time\" followed by gene names");
    const std::size_t header_number = lines.line_number();
    const char delimiter = header_delimiter(first, 0);
    const auto header = split_fields(first, delimiter, file, header_number);
    if (lower(header[0].text) != "time")
        throw parse_error(file, header_number, header[0].column,
                          "got '" + detail::shorten(header[0].text) +
                              "' as the first header cell, expected \"Time\"");
    if (header.size() < 2)
        throw parse_error(file, header_number, 0,
                          "got no gene names, expected \"Time\" followed by at least one gene");
    gene_mapper mapper(file, expected_genes);
    for (std::size_t c = 1; c < header.size(); ++c) mapper.add(header[c], header_number);

    time_series_data out;
    out.genes = mapper.finish(header_number);
    const std::size_t genes = out.genes.size();
    const std::size_t width = header.size();
    const std::string row_form = "a time and " + std::to_string(genes) + " gene values";

    std::vector<double> times;
    std::vector<double> values;
    std::size_t first_line = 0;
    auto close_experiment = [&] {
        if (times.empty()) return;
        time_series_experiment experiment;
        experiment.values = to_tensor(values, times.size(), genes);
        experiment.times = std::move(times);
        experiment.first_line = first_line;
        out.experiments.push_back(std::move(experiment));
        times.clear();
        values.clear();
    };

    std::string_view line;
    while (lines.next(line)) {
        const std::size_t number = lines.line_number();
        if (detail::is_blank(line)) {  // an empty line starts the next experiment
            close_experiment();
            continue;
        }
        const auto row = split_fields(line, delimiter, file, number);
        if (row.size() != width) detail::refuse_ragged(file, number, row, width, row_form);
        const double time = parse_finite_double(row[0], file, number, "a finite time");
        if (!times.empty() && !(time > times.back()))
            throw parse_error(file, number, row[0].column,
                              "got time " + format_double(time) + " after " +
                                  format_double(times.back()) +
                                  ", expected strictly increasing times within an experiment "
                                  "(an empty line starts the next experiment)");
        if (times.empty()) first_line = number;
        times.push_back(time);
        const std::size_t base = values.size();
        values.resize(base + genes);
        for (std::size_t c = 1; c < width; ++c)
            values[base + mapper.position_to_gene[c - 1]] =
                parse_finite_double(row[c], file, number, "a finite expression value");
    }
    close_experiment();
    if (out.experiments.empty())
        throw parse_error(file, header_number, 0,
                          "got a header but no data rows, expected at least one experiment");
    return out;
}

time_series_data read_time_series(const std::string& path,
                                  const std::vector<std::string>& expected_genes) {
    return parse_time_series(detail::read_file(path), path, expected_genes);
}

std::string format_time_series(const time_series_data& data) {
    data.validate();
    std::string out = detail::quote("Time");
    for (const auto& gene : data.genes) {
        check_writable_name(gene, "gene name");
        out += '\t';
        out += detail::quote(gene);
    }
    out += '\n';
    const std::size_t genes = data.gene_count();
    for (const auto& experiment : data.experiments) {
        out += '\n';
        for (std::size_t k = 0; k < experiment.time_points(); ++k) {
            out += format_double(experiment.times[k]);
            for (std::size_t g = 0; g < genes; ++g) {
                out += '\t';
                out += format_double(experiment.values(k, g));
            }
            out += '\n';
        }
    }
    return out;
}

void write_time_series(const time_series_data& data, const std::string& path) {
    write_file_atomically(path, format_time_series(data));
}

// --- steady states -----------------------------------------------------------------

steady_state_data parse_steady_state(std::string_view text, steady_state_kind kind,
                                     const std::string& file,
                                     const std::vector<std::string>& expected_genes) {
    line_cursor lines(detail::text_body(text, file));
    const std::string_view first = header_line(lines, file, "a header line of gene names");
    const std::size_t header_number = lines.line_number();
    const char delimiter = header_delimiter(first, 0);
    const auto header = split_fields(first, delimiter, file, header_number);
    gene_mapper mapper(file, expected_genes);
    for (const auto& cell : header) mapper.add(cell, header_number);

    steady_state_data out;
    out.kind = kind;
    out.genes = mapper.finish(header_number);
    const std::size_t genes = out.genes.size();
    const std::string row_form = "one value per gene";

    std::vector<double> values;
    std::size_t rows = 0;
    std::size_t last_line = header_number;
    std::string_view line;
    while (lines.next(line)) {
        const std::size_t number = lines.line_number();
        if (detail::is_blank(line)) continue;
        last_line = number;
        const auto row = split_fields(line, delimiter, file, number);
        if (row.size() != genes) detail::refuse_ragged(file, number, row, genes, row_form);
        const std::size_t base = values.size();
        values.resize(base + genes);
        for (std::size_t c = 0; c < genes; ++c)
            values[base + mapper.position_to_gene[c]] =
                parse_finite_double(row[c], file, number, "a finite expression value");
        ++rows;
    }
    if (rows == 0)
        throw parse_error(file, header_number, 0,
                          "got a header but no data rows, expected at least one steady state");
    const bool one_per_gene =
        kind == steady_state_kind::knockouts || kind == steady_state_kind::knockdowns;
    if (one_per_gene && rows != genes)
        throw parse_error(file, last_line, 0,
                          "got " + std::to_string(rows) + " rows, expected one per gene (" +
                              std::to_string(genes) + ") in a " + to_string(kind) + " file");
    out.values = tensor<double>::from_shape({rows, genes});
    for (std::size_t r = 0; r < rows; ++r) {
        // Row r of a knockout/knockdown file perturbs the r-th gene of the header, so the
        // rows follow the genes when they are reordered.
        const std::size_t target_row = one_per_gene ? mapper.position_to_gene[r] : r;
        std::copy(values.begin() + static_cast<std::ptrdiff_t>(r * genes),
                  values.begin() + static_cast<std::ptrdiff_t>((r + 1) * genes),
                  out.values.data() + target_row * genes);
    }
    if (one_per_gene) out.perturbed = one_row_per_gene(genes);
    return out;
}

steady_state_kind steady_state_kind_from_path(const std::string& path) {
    const std::size_t slash = path.find_last_of("/\\");
    const std::string name = lower(slash == std::string::npos ? path : path.substr(slash + 1));
    if (name.find("_wildtype") != std::string::npos) return steady_state_kind::wildtype;
    if (name.find("_knockouts") != std::string::npos) return steady_state_kind::knockouts;
    if (name.find("_knockdowns") != std::string::npos) return steady_state_kind::knockdowns;
    if (name.find("_multifactorial") != std::string::npos) return steady_state_kind::multifactorial;
    return steady_state_kind::other;
}

steady_state_data read_steady_state(const std::string& path,
                                    const std::vector<std::string>& expected_genes) {
    return read_steady_state(path, steady_state_kind_from_path(path), expected_genes);
}

steady_state_data read_steady_state(const std::string& path, steady_state_kind kind,
                                    const std::vector<std::string>& expected_genes) {
    return parse_steady_state(detail::read_file(path), kind, path, expected_genes);
}

std::string format_steady_state(const steady_state_data& data) {
    data.validate();
    // A DREAM4 knockout (knockdown) file has no row labels: row g perturbs gene g. Rows of
    // a table in another order are written in gene order; a table that leaves genes out
    // cannot be written in this format.
    std::vector<std::size_t> order(data.experiment_count());
    for (std::size_t e = 0; e < order.size(); ++e) order[e] = e;
    if (!data.perturbed.empty()) {
        KNIT_CHECK_AS(value_error, data.perturbed.size() == data.gene_count(),
                      "cannot write " << to_string(data.kind) << " in the DREAM4 format: got " << data.perturbed.size()
                                      << " perturbed genes, expected one row per gene (the format has no row labels)");
        for (std::size_t e = 0; e < order.size(); ++e) order[data.perturbed[e]] = e;
    }
    std::string out;
    for (std::size_t g = 0; g < data.gene_count(); ++g) {
        check_writable_name(data.genes[g], "gene name");
        if (g) out += '\t';
        out += detail::quote(data.genes[g]);
    }
    out += '\n';
    for (std::size_t row : order) {
        for (std::size_t g = 0; g < data.gene_count(); ++g) {
            if (g) out += '\t';
            out += format_double(data.values(row, g));
        }
        out += '\n';
    }
    return out;
}

void write_steady_state(const steady_state_data& data, const std::string& path) {
    write_file_atomically(path, format_steady_state(data));
}

// --- generic matrix ----------------------------------------------------------------

expression_matrix parse_expression_matrix(std::string_view text, const matrix_options& options,
                                          const std::string& file,
                                          const std::vector<std::string>& expected_genes) {
    line_cursor lines(detail::text_body(text, file));
    const std::string_view first = header_line(lines, file, "a header line");
    const std::size_t header_number = lines.line_number();
    const char delimiter = header_delimiter(first, options.delimiter);
    const auto header = split_fields(first, delimiter, file, header_number);
    const bool genes_in_rows = options.genes == gene_axis::rows;
    const bool labels = options.row_labels || genes_in_rows;

    // The header names the columns; with row labels it may or may not have a corner cell
    // above them, which the first data row's width decides.
    std::vector<field> column_names;
    std::size_t width = header.size();
    bool decided = !labels;
    if (!labels) column_names = header;

    gene_mapper column_genes(file, expected_genes);
    gene_mapper row_genes(file, expected_genes);
    std::vector<std::string> row_labels;
    std::vector<double> values;  // row-major as in the file: (rows, columns)
    std::size_t rows = 0;
    std::size_t last_line = header_number;

    if (!labels)
        for (const auto& cell : column_names) column_genes.add(cell, header_number);

    std::string_view line;
    while (lines.next(line)) {
        const std::size_t number = lines.line_number();
        if (detail::is_blank(line)) continue;
        last_line = number;
        const auto row = split_fields(line, delimiter, file, number);
        if (!decided) {
            decided = true;
            if (row.size() == header.size() && header.size() >= 2) {
                column_names.assign(header.begin() + 1, header.end());
            } else if (row.size() == header.size() + 1) {
                column_names = header;
                width = header.size() + 1;
            } else {
                throw parse_error(file, number, 0,
                                  "got " + count_cells(row.size()) + ", expected " +
                                      std::to_string(header.size()) + " or " +
                                      std::to_string(header.size() + 1) +
                                      " (a label and one value per gene/sample column of the "
                                      "header, which may or may not have a corner cell)");
            }
            if (!genes_in_rows)
                for (const auto& cell : column_names) column_genes.add(cell, header_number);
        }
        if (row.size() != width)
            detail::refuse_ragged(file, number, row, width,
                   labels ? "a label and one value per column" : "one value per column");
        std::size_t c0 = 0;
        if (labels) {
            c0 = 1;
            if (genes_in_rows)
                row_genes.add(row[0], number);
            else
                row_labels.push_back(row[0].text);
        }
        for (std::size_t c = c0; c < width; ++c)
            values.push_back(parse_finite_double(row[c], file, number, "a finite expression value"));
        ++rows;
    }
    if (rows == 0)
        throw parse_error(file, header_number, 0,
                          "got a header but no data rows, expected at least one row of values");

    expression_matrix out;
    const std::size_t columns = column_names.size();
    if (!genes_in_rows) {
        out.genes = column_genes.finish(header_number);
        out.samples = std::move(row_labels);
        out.values = tensor<double>::from_shape({rows, columns});
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < columns; ++c)
                out.values(r, column_genes.position_to_gene[c]) = values[r * columns + c];
    } else {
        out.genes = row_genes.finish(last_line);
        for (const auto& cell : column_names) out.samples.push_back(cell.text);
        out.values = tensor<double>::from_shape({columns, rows});
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < columns; ++c)
                out.values(c, row_genes.position_to_gene[r]) = values[r * columns + c];
    }
    return out;
}

expression_matrix read_expression_matrix(const std::string& path, const matrix_options& options,
                                         const std::vector<std::string>& expected_genes) {
    return parse_expression_matrix(detail::read_file(path), options, path, expected_genes);
}

std::string format_expression_matrix(const expression_matrix& matrix,
                                     const matrix_options& options) {
    matrix.validate();
    const char delimiter = options.delimiter ? options.delimiter : '\t';
    for (const auto& gene : matrix.genes) check_writable_name(gene, "gene name");
    for (const auto& sample : matrix.samples) check_writable_name(sample, "sample name", true);
    const std::size_t samples = matrix.values.shape(0);
    const std::size_t genes = matrix.genes.size();
    std::string out;
    auto cell = [&](bool first_cell, const std::string& text) {
        if (!first_cell) out += delimiter;
        out += text;
    };
    if (options.genes == gene_axis::columns) {
        const bool labels = !matrix.samples.empty();
        if (labels) cell(true, detail::quote("sample"));
        for (std::size_t g = 0; g < genes; ++g) cell(!labels && g == 0, detail::quote(matrix.genes[g]));
        out += '\n';
        for (std::size_t s = 0; s < samples; ++s) {
            if (labels) cell(true, detail::quote(matrix.samples[s]));
            for (std::size_t g = 0; g < genes; ++g)
                cell(!labels && g == 0, format_double(matrix.values(s, g)));
            out += '\n';
        }
    } else {
        cell(true, detail::quote("gene"));
        for (std::size_t s = 0; s < samples; ++s)
            cell(false, detail::quote(matrix.samples.empty() ? std::to_string(s + 1)
                                                             : matrix.samples[s]));
        out += '\n';
        for (std::size_t g = 0; g < genes; ++g) {
            cell(true, detail::quote(matrix.genes[g]));
            for (std::size_t s = 0; s < samples; ++s) cell(false, format_double(matrix.values(s, g)));
            out += '\n';
        }
    }
    return out;
}

void write_expression_matrix(const expression_matrix& matrix, const std::string& path,
                             const matrix_options& options) {
    write_file_atomically(path, format_expression_matrix(matrix, options));
}

// --- DREAM4 paths ------------------------------------------------------------------

std::string dream4_path(const std::string& root, int size, int network, dream4_file file) {
    KNIT_CHECK_AS(value_error, size >= 1, "dream4_path: got size " << size << ", expected >= 1");
    KNIT_CHECK_AS(value_error, network >= 1, "dream4_path: got network " << network << ", expected >= 1");
    const std::string s = std::to_string(size);
    const std::string n = std::to_string(network);
    const std::string dir = root + "/size" + s + "/";
    const std::string stem = "insilico_size" + s + "_" + n;
    switch (file) {
        case dream4_file::time_series: return dir + stem + "_timeseries.tsv";
        case dream4_file::wildtype: return dir + stem + "_wildtype.tsv";
        case dream4_file::knockouts: return dir + stem + "_knockouts.tsv";
        case dream4_file::knockdowns: return dir + stem + "_knockdowns.tsv";
        case dream4_file::multifactorial:
            // Size 100 multifactorial data form their own sub-challenge, genes renamed.
            if (size == 100) return root + "/size100_multifactorial/" + stem + "_multifactorial.tsv";
            return dir + stem + "_multifactorial.tsv";
        case dream4_file::gold_standard:
            return dir + "goldstandard/DREAM4_GoldStandard_InSilico_Size" + s + "_" + n + ".tsv";
        case dream4_file::gold_standard_signed:
            return dir + "goldstandard_signed/" + stem + "_goldstandard_signed.tsv";
        case dream4_file::dual_knockout_indexes:
            // Upstream spells one of the ten files with a capital S.
            if (size == 10 && network == 1) return dir + "inSilico_size10_1_dualknockouts_indexes.tsv";
            return dir + stem + "_dualknockouts_indexes.tsv";
        case dream4_file::multifactorial_gene_map:
            return root + "/size" + s + "_multifactorial/mapping/insilico_size" + s + "_multifactorial_" + n +
                   "_goldstandard_ref.tsv";
        case dream4_file::null_density:
            return root + "/scoring/probability_densities/pdf_size" + s + "_" + n + ".tsv";
    }
    return {};
}

std::string dream4_path(const std::string& root, int size, int network, experiment_kind kind) {
    switch (kind) {
        case experiment_kind::time_series: return dream4_path(root, size, network, dream4_file::time_series);
        case experiment_kind::wildtype: return dream4_path(root, size, network, dream4_file::wildtype);
        case experiment_kind::knockouts: return dream4_path(root, size, network, dream4_file::knockouts);
        case experiment_kind::knockdowns: return dream4_path(root, size, network, dream4_file::knockdowns);
        case experiment_kind::multifactorial: return dream4_path(root, size, network, dream4_file::multifactorial);
    }
    return {};
}

std::vector<int> dream4_networks(const std::string& root, int size) {
    std::vector<int> out;
    auto exists = [](const std::string& path) {
        std::error_code ec;
        return std::filesystem::exists(path, ec);  // a directory there is read, and refused
    };
    for (int k = 1;; ++k) {
        if (!exists(dream4_path(root, size, k, dream4_file::time_series)) &&
            !exists(dream4_path(root, size, k, dream4_file::knockouts)))
            break;
        out.push_back(k);
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> read_gene_map(const std::string& path) {
    const std::string text = detail::read_file(path);
    line_cursor lines(detail::text_body(text, path));
    const std::string_view first = header_line(lines, path, "a header line (from, to)");
    const char delimiter = header_delimiter(first, 0);
    if (split_fields(first, delimiter, path, lines.line_number()).size() != 2)
        throw parse_error(path, lines.line_number(), 0, "got a header of other than 2 cells, expected 2 (from, to)");
    std::vector<std::pair<std::string, std::string>> out;
    std::string_view line;
    while (lines.next(line)) {
        if (detail::is_blank(line)) continue;
        const auto row = split_fields(line, delimiter, path, lines.line_number());
        if (row.size() != 2) detail::refuse_ragged(path, lines.line_number(), row, 2, "a gene name, then the name it maps to");
        for (const auto& cell : row) detail::check_gene_name(cell, path, lines.line_number());
        out.emplace_back(row[0].text, row[1].text);
    }
    return out;
}

namespace {
// Present at all: a directory (or anything else) in a data file's place is read, and the
// reader says what is wrong, rather than the kind silently missing.
bool file_exists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

// A steady-state file whose genes are renamed by a map (DREAM4 size-100 multifactorial).
steady_state_data read_renamed_steady_state(const std::string& path, steady_state_kind kind,
                                            const std::string& map_path,
                                            const std::vector<std::string>& genes) {
    std::string text = detail::read_file(path);
    steady_state_data table = parse_steady_state(text, kind, path);
    std::unordered_map<std::string, std::string> rename;
    for (auto& [from, to] : read_gene_map(map_path)) rename[from] = to;
    for (auto& g : table.genes) {
        const auto it = rename.find(g);
        if (it == rename.end())
            throw parse_error(map_path, 1, 0, "got no entry for gene '" + detail::shorten(g) + "' of " + path + ", expected every gene mapped");
        g = it->second;
    }
    gene_index check(table.genes);  // the map must not merge two genes
    if (!genes.empty() && std::is_permutation(genes.begin(), genes.end(), table.genes.begin(), table.genes.end()) == false)
        throw parse_error(map_path, 1, 0, "got mapped genes that differ from the time series' genes, expected the same genes");
    return table;
}
}  // namespace

experiment_set read_dream4_experiments(const std::string& root, int size, int network) {
    experiment_set out;
    std::vector<std::string> genes;
    for (experiment_kind kind : all_experiment_kinds) {
        const std::string path = dream4_path(root, size, network, kind);
        out.files[std::size_t(kind)] = path;
        if (!file_exists(path)) continue;
        if (kind == experiment_kind::time_series) {
            out.time_series = read_time_series(path);
            genes = out.genes = out.time_series.genes;
            continue;
        }
        const steady_state_kind ss = steady_state_kind_of(kind);
        const std::string map = dream4_path(root, size, network, dream4_file::multifactorial_gene_map);
        steady_state_data table = kind == experiment_kind::multifactorial && file_exists(map)
                                      ? read_renamed_steady_state(path, ss, map, genes)
                                      : read_steady_state(path, ss, genes);
        if (genes.empty()) genes = table.genes;
        add_steady_state(out, std::move(table), path);
    }
    KNIT_CHECK_AS(io_error, !out.kinds().empty(),
                  "data folder '" << root << "': got no file of size-" << size << " network " << network
                                  << ", expected at least " << out.file(experiment_kind::time_series) << " or "
                                  << out.file(experiment_kind::knockouts));
    out.time_series.genes = out.genes;
    out.validate();
    return out;
}

}  // namespace knit::grn
