// Expression tables in either orientation (see include/knit/grn/detail/table.hpp).
#include "knit/grn/detail/table.hpp"

#include <cctype>

#include "knit/core/error.hpp"
#include "knit/grn/detail/gene_mapper.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/expression_table.hpp"

namespace knit::grn::detail {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

struct text_line {
    std::string_view text;
    std::size_t number = 0;
    bool blank = false;
};

// The first cell of a line, without splitting the rest (detection looks at the first cell
// of every line of tables that may have thousands of columns).
field first_field(std::string_view line, char delimiter, const std::string& file, std::size_t number) {
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || (delimiter != '\t' && line[i] == '\t'))) ++i;
    if (i < line.size() && line[i] == '"') {
        for (++i; i < line.size(); ++i) {
            if (line[i] != '"') continue;
            if (i + 1 < line.size() && line[i + 1] == '"') {
                ++i;
                continue;
            }
            break;
        }
    }
    const std::size_t end = line.find(delimiter, i);
    return split_fields(line.substr(0, end), delimiter, file, number).front();
}

bool all_numbers(const std::vector<field>& cells, std::size_t from) {
    for (std::size_t c = from; c < cells.size(); ++c)
        if (!is_finite_number(cells[c].text)) return false;
    return true;
}

bool is_condition_like(const std::string& text) {
    return parse_condition(text).kind != steady_state_kind::multifactorial;
}

[[noreturn]] void refuse_layout(const std::string& file, std::size_t line, std::size_t column,
                                const std::string& why) {
    throw parse_error(file, line, column,
                      "cannot tell whether genes are columns or rows: " + why +
                          ", expected the layout to be given (genes_as; knit-grn: --genes-as rows|columns)");
}

// The orientation of a table whose first non-blank line has `header` cells (docs/grn.md
// "Detection"): a role name in the header after its first cell means columns; a later line
// starting with a role name means rows; both is ambiguous. Otherwise a header starting with
// a role name means columns, except a `time` header followed by numbers (rows when a later
// line starts with a non-number, a gene name; else ambiguous) and a `condition` header
// followed by a wt/KO:/KD: label (rows).
gene_axis detect_axis(const std::vector<field>& header, std::size_t header_line,
                      const std::vector<text_line>& lines, std::size_t first_data, char delimiter,
                      const std::string& file, const table_request& request) {
    std::optional<std::size_t> role_in_header;  // index of a role cell after the first
    for (std::size_t c = 1; c < header.size() && !role_in_header; ++c)
        if (role_of(header[c].text)) role_in_header = c;
    std::optional<located_cell> role_line;      // a later line starting with a role name
    bool later_non_number = false;
    for (std::size_t i = first_data; i < lines.size(); ++i) {
        if (lines[i].blank) continue;
        const field first = first_field(lines[i].text, delimiter, file, lines[i].number);
        if (!role_line && role_of(first.text)) role_line = located_cell{first.text, lines[i].number, first.column};
        if (!is_finite_number(first.text)) later_non_number = true;
        if (role_line && later_non_number) break;
    }
    if (role_in_header && role_line)
        refuse_layout(file, role_line->line, role_line->column,
                      "got '" + shorten(header[*role_in_header].text) + "' in the header (line " +
                          std::to_string(header_line) + ", column " + std::to_string(header[*role_in_header].column) +
                          ") and '" + shorten(role_line->text) + "' starting this line");
    if (role_in_header) return gene_axis::columns;
    if (role_line) return gene_axis::rows;
    const auto first_role = role_of(header.front().text);
    if (first_role == table_role::time && header.size() > 1 && all_numbers(header, 1)) {
        if (later_non_number) return gene_axis::rows;
        refuse_layout(file, header_line, header.front().column,
                      "got a first line of 'time' and numbers, which is a time row or a header of "
                      "numeric gene names");
    }
    if (first_role == table_role::condition) {
        for (std::size_t c = 1; c < header.size(); ++c)
            if (is_condition_like(header[c].text)) return gene_axis::rows;
        return gene_axis::columns;
    }
    if (first_role) return gene_axis::columns;
    if (request.roles[std::size_t(table_role::time)])
        throw parse_error(file, header_line, 0,
                          "got no column or row named time, expected a time column (genes as columns) or a "
                          "time row (genes as rows)");
    std::string names;
    for (std::size_t r = 0; r < table_role_count; ++r)
        if (request.roles[r]) names += std::string(names.empty() ? "" : " or ") + to_string(table_role(r));
    refuse_layout(file, header_line, 0,
                  "got no cell named " + names + " in the first line or at the start of a line");
}

class table_reader {
public:
    table_reader(const table_request& request, expression_table& out)
        : rq_(request), file_(request.file), out_(out), mapper_(file_, request.expected_genes) {}

    // A role cell (header or first column) taken as a role of this reader.
    std::optional<table_role> role(const field& cell, std::size_t line, const char* axis_word) {
        bool any = false;
        for (bool r : rq_.roles) any = any || r;
        if (!any) return std::nullopt;
        const auto r = role_of(cell.text);
        if (!r) return std::nullopt;
        const std::size_t k = std::size_t(*r);
        if (!rq_.roles[k]) {
            const char* hint = *r == table_role::condition ? " (conditions belong to steady-state tables)"
                               : *r == table_role::time    ? " (a table with times is a time series)"
                                                           : " (every steady-state row is one experiment)";
            throw parse_error(file_, line, cell.column,
                              "got a '" + shorten(cell.text) + "' " + axis_word + ", expected a " + rq_.reader +
                                  " without one" + hint);
        }
        if (out_.roles[k])
            throw parse_error(file_, line, cell.column,
                              "got a second '" + shorten(cell.text) + "' " + axis_word + " (the first on line " +
                                  std::to_string(out_.role_names[k].line) + ", column " +
                                  std::to_string(out_.role_names[k].column) + "), expected one");
        out_.roles[k].emplace();
        out_.role_names[k] = located_cell{cell.text, line, cell.column};
        return r;
    }

    void columns(const std::vector<text_line>& lines, std::size_t header_index, char delimiter) {
        const text_line& head = lines[header_index];
        const auto header = split_fields(head.text, delimiter, file_, head.number);
        // Per column: a gene (its mapper position), a role, or the ignored sample labels.
        enum class kind { gene, role, label };
        std::vector<kind> kinds(header.size(), kind::gene);
        std::vector<std::size_t> slot(header.size(), 0);
        for (std::size_t c = 0; c < header.size(); ++c) {
            const std::string name = lower(header[c].text);
            if (c == 0 && header.size() > 1 && (name.empty() || name == "sample")) {
                kinds[c] = kind::label;
            } else if (const auto r = role(header[c], head.number, "column")) {
                kinds[c] = kind::role;
                slot[c] = std::size_t(*r);
            } else {
                slot[c] = mapper_.size();
                mapper_.add(header[c], head.number);
            }
        }
        if (mapper_.size() == 0)
            throw parse_error(file_, head.number, 0, "got no gene columns, expected at least one gene name in the header");
        out_.genes = mapper_.finish(head.number);
        const std::size_t genes = out_.genes.size();
        std::size_t block = 0, in_block = 0;
        for (std::size_t i = header_index + 1; i < lines.size(); ++i) {
            const text_line& line = lines[i];
            if (line.blank) {
                if (in_block > 0) ++block, in_block = 0;
                continue;
            }
            const auto row = split_fields(line.text, delimiter, file_, line.number);
            if (row.size() != header.size())
                refuse_ragged(file_, line.number, row, header.size(), "one cell per column of the header");
            const std::size_t base = out_.values.size();
            out_.values.resize(base + genes);
            for (std::size_t c = 0; c < row.size(); ++c) {
                if (kinds[c] == kind::gene)
                    out_.values[base + mapper_.position_to_gene[slot[c]]] =
                        parse_finite_double(row[c], file_, line.number, "a finite expression value");
                else if (kinds[c] == kind::role)
                    out_.roles[slot[c]]->push_back(located_cell{row[c].text, line.number, row[c].column});
            }
            out_.block.push_back(block);
            ++in_block;
            ++out_.samples;
            out_.last_line = line.number;
        }
    }

    void rows(const std::vector<text_line>& lines, std::size_t header_index, char delimiter) {
        const text_line& head = lines[header_index];
        const auto first = split_fields(head.text, delimiter, file_, head.number);
        const std::string corner = lower(first.front().text);
        const bool has_header =
            rq_.rows_header_always || corner.empty() || corner == "gene" || corner == "genes" ||
            (!role_of(first.front().text) && !all_numbers(first, 1));
        std::size_t width = 0;
        std::vector<double> by_gene;  // (genes in file order, samples)
        for (std::size_t i = header_index + (has_header ? 1 : 0); i < lines.size(); ++i) {
            const text_line& line = lines[i];
            if (line.blank) continue;
            const auto row = split_fields(line.text, delimiter, file_, line.number);
            if (width == 0) {
                width = row.size();
                if (width < 2)
                    throw parse_error(file_, line.number, 0,
                                      "got 1 cell, expected a name followed by one value per sample");
                if (has_header) {
                    if (first.size() != width && first.size() + 1 != width)
                        throw parse_error(file_, line.number, 0,
                                          "got " + count_cells(width) + ", expected " + std::to_string(first.size()) +
                                              " or " + std::to_string(first.size() + 1) +
                                              " (a name, then one value per sample named in the header on line " +
                                              std::to_string(head.number) + ", which may or may not have a corner cell)");
                    for (std::size_t c = first.size() + 1 - width; c < first.size(); ++c)
                        out_.sample_names.push_back(located_cell{first[c].text, head.number, first[c].column});
                }
            }
            if (row.size() != width) refuse_ragged(file_, line.number, row, width, "a name, then one value per sample");
            if (const auto r = role(row.front(), line.number, "row")) {
                auto& cells = *out_.roles[std::size_t(*r)];
                for (std::size_t c = 1; c < width; ++c)
                    cells.push_back(located_cell{row[c].text, line.number, row[c].column});
            } else {
                mapper_.add(row.front(), line.number);
                for (std::size_t c = 1; c < width; ++c)
                    by_gene.push_back(parse_finite_double(row[c], file_, line.number, "a finite expression value"));
            }
            out_.last_line = line.number;
        }
        if (width == 0) return;  // a header alone: the caller refuses it
        if (mapper_.size() == 0)
            throw parse_error(file_, out_.last_line, 0, "got no gene rows, expected at least one row named by a gene");
        out_.genes = mapper_.finish(out_.last_line);
        out_.samples = width - 1;
        const std::size_t genes = out_.genes.size();
        out_.values.assign(out_.samples * genes, 0.0);
        for (std::size_t r = 0; r < genes; ++r)
            for (std::size_t s = 0; s < out_.samples; ++s)
                out_.values[s * genes + mapper_.position_to_gene[r]] = by_gene[r * out_.samples + s];
        out_.block.assign(out_.samples, 0);
    }

private:
    const table_request& rq_;
    const std::string& file_;
    expression_table& out_;
    gene_mapper mapper_;
};

}  // namespace

const char* to_string(table_role role) {
    switch (role) {
        case table_role::time: return "time";
        case table_role::experiment: return "experiment";
        case table_role::condition: return "condition";
    }
    return "?";
}

std::optional<table_role> role_of(std::string_view text) {
    const std::string name = lower(trim(text));
    if (name == "time") return table_role::time;
    if (name == "experiment") return table_role::experiment;
    if (name == "condition") return table_role::condition;
    return std::nullopt;
}

condition_label parse_condition(std::string_view label) {
    condition_label out;
    const std::string name = lower(trim(label));
    if (name == "wt" || name == "wildtype" || name == "wild-type" || name == "wild_type") {
        out.kind = steady_state_kind::wildtype;
        return out;
    }
    if (name.size() >= 3 && (name.compare(0, 3, "ko:") == 0 || name.compare(0, 3, "kd:") == 0)) {
        out.kind = name[1] == 'o' ? steady_state_kind::knockouts : steady_state_kind::knockdowns;
        std::size_t start = label.find(':') + 1;
        while (start < label.size() && (label[start] == ' ' || label[start] == '\t')) ++start;
        out.gene_offset = start;
        out.gene = std::string(trim(label.substr(start)));
    }
    return out;
}

expression_table read_expression_table(std::string_view text, const table_request& request) {
    const std::string& file = request.file;
    std::vector<text_line> lines;
    {
        line_cursor cursor(text);
        std::string_view line;
        while (cursor.next(line)) lines.push_back(text_line{line, cursor.line_number(), is_blank(line)});
    }
    std::size_t header_index = 0;
    while (header_index < lines.size() && lines[header_index].blank) ++header_index;
    if (header_index == lines.size())
        throw parse_error(file, std::max<std::size_t>(lines.size(), 1), 0,
                          std::string("got an empty file, expected a ") + request.reader +
                              " (a header line, then rows of values)");
    const char delimiter = detect_delimiter(text);
    const text_line& head = lines[header_index];

    expression_table out;
    out.header_line = out.last_line = head.number;
    if (request.genes_as) {
        out.axis = *request.genes_as;
    } else {
        const auto header = split_fields(head.text, delimiter, file, head.number);
        out.axis = detect_axis(header, head.number, lines, header_index + 1, delimiter, file, request);
    }
    table_reader reader(request, out);
    if (out.axis == gene_axis::columns)
        reader.columns(lines, header_index, delimiter);
    else
        reader.rows(lines, header_index, delimiter);
    if (out.samples == 0)
        throw parse_error(file, head.number, 0, "got a header but no data rows, expected at least one row of values");
    return out;
}

}  // namespace knit::grn::detail

namespace knit::grn {

const char* to_string(gene_axis axis) { return axis == gene_axis::rows ? "rows" : "columns"; }

gene_axis gene_axis_from_string(const std::string& name) {
    if (name == "rows") return gene_axis::rows;
    if (name == "columns") return gene_axis::columns;
    throw value_error("got genes as '" + name + "', expected rows or columns");
}

}  // namespace knit::grn
