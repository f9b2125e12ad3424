// Gold standards: the dense edge table, the readers and the writers
// (see include/knit/grn/gold_standard.hpp for the formats).
#include "knit/grn/gold_standard.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <string_view>

#include "knit/core/atomic_file.hpp"
#include "knit/core/error.hpp"
#include "knit/grn/detail/text.hpp"

namespace knit::grn {

// ---------------------------------------------------------------------------------------
// gold_standard

gold_standard::gold_standard(std::vector<std::string> genes) : genes_(std::move(genes)) {
    lookup_.reserve(genes_.size());
    for (std::size_t i = 0; i < genes_.size(); ++i) {
        KNIT_CHECK_AS(value_error, !genes_[i].empty(),
                      "gold_standard: got an empty name for gene " << i
                                                                   << ", expected a non-empty name");
        const bool inserted = lookup_.emplace(genes_[i], i).second;
        KNIT_CHECK_AS(value_error, inserted,
                      "gold_standard: got gene '" << detail::shorten(genes_[i]) << "' twice (index "
                                                  << lookup_.at(genes_[i]) << " and " << i
                                                  << "), expected unique names");
    }
    table_.assign(genes_.size() * genes_.size(), no_edge);
}

std::optional<std::size_t> gold_standard::index(const std::string& gene) const {
    auto it = lookup_.find(gene);
    if (it == lookup_.end()) return std::nullopt;
    return it->second;
}

void gold_standard::check_index(std::size_t i, const char* what) const {
    KNIT_CHECK_AS(value_error, i < genes_.size(),
                  "gold_standard: got " << what << " index " << i << ", expected < "
                                        << genes_.size() << " (the number of genes)");
}

void gold_standard::add_edge(std::size_t regulator, std::size_t target, int sign) {
    check_index(regulator, "regulator");
    check_index(target, "target");
    KNIT_CHECK_AS(value_error, regulator != target,
                  "gold_standard: got a self-loop " << detail::shorten(genes_[regulator]) << " -> "
                                                    << detail::shorten(genes_[target])
                                                    << ", expected regulator != target");
    KNIT_CHECK_AS(value_error, sign >= -1 && sign <= 1,
                  "gold_standard: got sign " << sign << ", expected -1, 0 or +1");
    std::uint8_t& cell = table_[regulator * genes_.size() + target];
    KNIT_CHECK_AS(value_error, cell == no_edge,
                  "gold_standard: got edge " << detail::shorten(genes_[regulator]) << " -> " << detail::shorten(genes_[target])
                                             << " twice, expected each edge once");
    cell = sign > 0 ? activation : sign < 0 ? repression : unsigned_edge;
    ++positives_;
    if (sign != 0) ++signed_edges_;
}

bool gold_standard::is_edge(std::size_t regulator, std::size_t target) const {
    check_index(regulator, "regulator");
    check_index(target, "target");
    return code(regulator, target) != no_edge;
}

int gold_standard::sign(std::size_t regulator, std::size_t target) const {
    check_index(regulator, "regulator");
    check_index(target, "target");
    switch (code(regulator, target)) {
        case activation: return 1;
        case repression: return -1;
        default: return 0;
    }
}

std::vector<std::pair<std::size_t, std::size_t>> gold_standard::edges() const {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    out.reserve(positives_);
    const std::size_t g = genes_.size();
    for (std::size_t r = 0; r < g; ++r)
        for (std::size_t t = 0; t < g; ++t)
            if (table_[r * g + t] != no_edge) out.emplace_back(r, t);
    return out;
}

// ---------------------------------------------------------------------------------------
// natural order

bool natural_less(const std::string& a, const std::string& b) {
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (is_digit(a[i]) && is_digit(b[j])) {
            std::size_t i_end = i, j_end = j;
            while (i_end < a.size() && is_digit(a[i_end])) ++i_end;
            while (j_end < b.size() && is_digit(b[j_end])) ++j_end;
            // Compare the runs as numbers without converting (they may be long).
            std::size_t i_first = i, j_first = j;
            while (i_first + 1 < i_end && a[i_first] == '0') ++i_first;
            while (j_first + 1 < j_end && b[j_first] == '0') ++j_first;
            const std::size_t i_len = i_end - i_first, j_len = j_end - j_first;
            if (i_len != j_len) return i_len < j_len;
            const int cmp = a.compare(i_first, i_len, b, j_first, j_len);
            if (cmp != 0) return cmp < 0;
            i = i_end;
            j = j_end;
        } else {
            if (a[i] != b[j])
                return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
            ++i;
            ++j;
        }
    }
    if ((i < a.size()) != (j < b.size())) return j < b.size();  // a prefix comes first
    return a < b;  // equal up to leading zeros: byte order keeps the order strict and total
}

// ---------------------------------------------------------------------------------------
// parsing

namespace {

enum class file_kind { unsigned_labels, signs };

// One line of a gold-standard file, kept until the gene list is known.
struct edge_row {
    detail::field regulator, target;
    std::size_t line = 0;
    int value = 0;  // unsigned: label 0/1; signed: +1/-1
};

// TAB-separated as in DREAM; a line without any TAB may use spaces instead.
std::vector<detail::field> split(std::string_view line, const std::string& source,
                                 std::size_t line_number) {
    const char delimiter = line.find('\t') != std::string_view::npos ? '\t' : ' ';
    return detail::split_fields(line, delimiter, source, line_number);
}

std::string expected_line(file_kind kind) {
    return kind == file_kind::signs ? "'regulator<TAB>target<TAB>sign' (sign + or -)"
                                    : "'regulator<TAB>target<TAB>label' (label 0 or 1) or "
                                      "'regulator<TAB>target'";
}

std::vector<edge_row> parse_rows(std::string_view text, const std::string& source,
                                 file_kind kind) {
    std::vector<edge_row> rows;
    detail::data_line_cursor lines(text, source, "data lines", expected_line(kind));
    std::string_view line;
    std::size_t width = 0;          // fields per line, fixed by the first data line
    std::size_t width_line = 0;
    while (lines.next(line)) {
        const std::size_t n = lines.line_number();
        std::vector<detail::field> cells = split(line, source, n);
        if (width == 0) {
            const bool ok = kind == file_kind::signs ? cells.size() == 3
                                                     : (cells.size() == 2 || cells.size() == 3);
            if (!ok)
                throw parse_error(source, n, 0,
                                  "got " + std::to_string(cells.size()) + " field(s), expected " +
                                      expected_line(kind));
            width = cells.size();
            width_line = n;
        } else if (cells.size() != width) {
            throw parse_error(source, n, 0,
                              "got " + std::to_string(cells.size()) + " field(s), expected " +
                                  std::to_string(width) + " like line " +
                                  std::to_string(width_line) + " (ragged rows)");
        }
        for (std::size_t c = 0; c < 2; ++c) {
            if (cells[c].text.empty())
                throw parse_error(source, n, cells[c].column,
                                  std::string("got an empty ") +
                                      (c == 0 ? "regulator" : "target") +
                                      " name, expected a gene name");
            detail::check_gene_name(cells[c], source, n);
        }
        edge_row row;
        row.line = n;
        if (width == 2) {
            row.value = 1;
        } else {
            const std::string& v = cells[2].text;
            if (kind == file_kind::signs) {
                if (v == "+") row.value = 1;
                else if (v == "-") row.value = -1;
                else
                    throw parse_error(source, n, cells[2].column,
                                      "got sign '" + detail::shorten(v) + "', expected '+' or '-'");
            } else {
                if (v == "1") row.value = 1;
                else if (v == "0") row.value = 0;
                else
                    throw parse_error(source, n, cells[2].column,
                                      "got label '" + detail::shorten(v) +
                                          "', expected 0 or 1" +
                                          (v == "+" || v == "-"
                                               ? " (a signed gold standard? use "
                                                 "read_signed_gold_standard)"
                                               : ""));
            }
        }
        if (cells[0].text == cells[1].text)
            throw parse_error(source, n, cells[1].column,
                              "got a self-loop '" + detail::shorten(cells[0].text) + "' -> '" +
                                  detail::shorten(cells[1].text) +
                                  "', expected regulator != target");
        row.regulator = std::move(cells[0]);
        row.target = std::move(cells[1]);
        rows.push_back(std::move(row));
    }
    if (rows.empty())
        throw parse_error(source, lines.line_number() == 0 ? 1 : lines.line_number(), 0,
                          "got an empty file, expected lines " + expected_line(kind));
    return rows;
}

// BEELINE's refNetwork.csv: a comma-separated header `Gene1,Gene2` or `Gene1,Gene2,Type`
// (any case, quoted or not), then one positive edge per row, Type `+` or `-`. A DREAM
// file is TAB- or space-separated and its names cannot hold a comma, so a first line
// with a comma and no TAB can only be this form.
bool is_beeline_form(std::string_view body) {
    detail::line_cursor lines(body);
    std::string_view line;
    while (lines.next(line))
        if (!detail::is_blank(line))
            return line.find('\t') == std::string_view::npos && line.find(',') != std::string_view::npos;
    return false;
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

struct beeline_rows {
    std::vector<edge_row> rows;
    std::size_t self_loops = 0, repeats = 0;
};

// Self-loops and repeated pairs are skipped and counted, as BEELINE's evaluation drops
// them (the first listing of a pair wins).
beeline_rows parse_beeline_rows(std::string_view body, const std::string& source, file_kind kind) {
    beeline_rows out;
    std::string expected = "BEELINE rows 'Gene1,Gene2' or 'Gene1,Gene2,Type' like the header";
    detail::data_line_cursor lines(body, source, "rows", expected);
    std::string_view line;
    std::size_t width = 0, header_line = 0;
    std::unordered_map<std::string, std::size_t> first_line;  // "regulator\ttarget" -> line
    while (lines.next(line)) {
        const std::size_t n = lines.line_number();
        std::vector<detail::field> cells = detail::split_fields(line, ',', source, n);
        if (header_line == 0) {
            static const char* const names[3] = {"Gene1", "Gene2", "Type"};
            const std::string wanted = "a BEELINE header 'Gene1,Gene2' or 'Gene1,Gene2,Type' (a DREAM gold "
                                       "standard is TAB-separated, without a header)";
            if (cells.size() < 2 || cells.size() > 3)
                throw parse_error(source, n, 0,
                                  "got " + std::to_string(cells.size()) + " comma-separated cell(s), expected " + wanted);
            for (std::size_t c = 0; c < cells.size(); ++c)
                if (!same_ignoring_case(cells[c].text, names[c]))
                    throw parse_error(source, n, cells[c].column,
                                      "got header cell '" + detail::shorten(cells[c].text) + "', expected '" +
                                          names[c] + "' of " + wanted);
            if (kind == file_kind::signs && cells.size() != 3)
                throw parse_error(source, n, 0,
                                  "got a BEELINE header without a Type column, expected 'Gene1,Gene2,Type' "
                                  "(signs + or -) for a signed gold standard");
            width = cells.size();
            header_line = n;
            continue;
        }
        if (cells.size() != width)
            throw parse_error(source, n, 0,
                              "got " + std::to_string(cells.size()) + " field(s), expected " + std::to_string(width) +
                                  " comma-separated like the header on line " + std::to_string(header_line));
        for (std::size_t c = 0; c < 2; ++c) {
            if (cells[c].text.empty())
                throw parse_error(source, n, cells[c].column,
                                  std::string("got an empty ") + (c == 0 ? "Gene1" : "Gene2") +
                                      " name, expected a gene name");
            detail::check_gene_name(cells[c], source, n);
        }
        edge_row row;
        row.line = n;
        row.value = 1;
        if (width == 3) {
            const std::string& v = cells[2].text;
            if (v != "+" && v != "-")
                throw parse_error(source, n, cells[2].column,
                                  "got Type '" + detail::shorten(v) + "', expected '+' or '-'");
            if (kind == file_kind::signs && v == "-") row.value = -1;
        }
        if (cells[0].text == cells[1].text) {
            ++out.self_loops;
            continue;
        }
        if (!first_line.emplace(cells[0].text + '\t' + cells[1].text, n).second) {
            ++out.repeats;
            continue;
        }
        row.regulator = std::move(cells[0]);
        row.target = std::move(cells[1]);
        out.rows.push_back(std::move(row));
    }
    if (header_line == 0)
        throw parse_error(source, 1, 0, "got an empty file, expected a BEELINE header 'Gene1,Gene2'");
    if (out.rows.empty())
        throw parse_error(source, lines.line_number(), 0,
                          "got a header and no edge" +
                              std::string(out.self_loops + out.repeats > 0 ? " but self-loops or repeats" : "") +
                              ", expected rows 'Gene1,Gene2' naming a positive edge each");
    return out;
}

std::vector<std::string> infer_genes(const std::vector<edge_row>& rows) {
    std::unordered_map<std::string, bool> seen;
    std::vector<std::string> genes;
    for (const edge_row& row : rows)
        for (const detail::field* cell : {&row.regulator, &row.target})
            if (seen.emplace(cell->text, true).second) genes.push_back(cell->text);
    std::sort(genes.begin(), genes.end(), natural_less);
    return genes;
}

gold_standard build(const std::vector<edge_row>& rows, const std::string& source,
                    const std::vector<std::string>* genes, file_kind kind, gold_standard_listing* listing) {
    if (listing != nullptr) {
        *listing = {};
        for (const edge_row& row : rows) ++(row.value == 0 ? listing->negative_lines : listing->positive_lines);
    }
    gold_standard gs(genes != nullptr ? *genes : infer_genes(rows));
    const std::size_t g = gs.size();
    std::vector<std::size_t> listed_on(g * g, 0);  // line that listed the pair, 0 = none
    auto resolve = [&](const detail::field& cell, std::size_t line) {
        auto i = gs.index(cell.text);
        if (!i) {
            std::ostringstream what;
            what << "got gene '" << detail::shorten(cell.text) << "', expected one of the " << g
                 << " genes of the data";
            if (g > 0) what << " (" << detail::shorten(gs.genes().front()) << " ... "
                            << detail::shorten(gs.genes().back()) << ")";
            throw parse_error(source, line, cell.column, what.str());
        }
        return *i;
    };
    for (const edge_row& row : rows) {
        const std::size_t r = resolve(row.regulator, row.line);
        const std::size_t t = resolve(row.target, row.line);
        std::size_t& first = listed_on[r * g + t];
        if (first != 0)
            throw parse_error(source, row.line, 0,
                              "got pair '" + detail::shorten(row.regulator.text) + "' -> '" +
                                  detail::shorten(row.target.text) + "' again (first on line " +
                                  std::to_string(first) + "), expected each pair once");
        first = row.line;
        if (kind == file_kind::signs) gs.add_edge(r, t, row.value);
        else if (row.value == 1) gs.add_edge(r, t, 0);
    }
    return gs;
}

}  // namespace

gold_standard parse_gold_standard(const std::string& text, const std::string& source,
                                  const std::vector<std::string>* genes, gold_standard_listing* listing) {
    const std::string_view body = detail::text_body(text, source);
    if (is_beeline_form(body)) {
        const beeline_rows parsed = parse_beeline_rows(body, source, file_kind::unsigned_labels);
        gold_standard gs = build(parsed.rows, source, genes, file_kind::unsigned_labels, listing);
        if (listing != nullptr) {
            listing->beeline = true;
            listing->skipped_self_loops = parsed.self_loops;
            listing->skipped_repeats = parsed.repeats;
        }
        return gs;
    }
    return build(parse_rows(body, source, file_kind::unsigned_labels), source, genes,
                 file_kind::unsigned_labels, listing);
}

gold_standard parse_signed_gold_standard(const std::string& text, const std::string& source,
                                         const std::vector<std::string>* genes) {
    const std::string_view body = detail::text_body(text, source);
    if (is_beeline_form(body))
        return build(parse_beeline_rows(body, source, file_kind::signs).rows, source, genes, file_kind::signs, nullptr);
    return build(parse_rows(body, source, file_kind::signs), source, genes, file_kind::signs, nullptr);
}

gold_standard read_gold_standard(const std::string& path, const std::vector<std::string>* genes,
                                 gold_standard_listing& listing) {
    return parse_gold_standard(detail::read_file(path), path, genes, &listing);
}

gold_standard read_gold_standard(const std::string& path, const std::vector<std::string>& genes) {
    return parse_gold_standard(detail::read_file(path), path, &genes);
}

gold_standard read_gold_standard(const std::string& path) {
    return parse_gold_standard(detail::read_file(path), path, nullptr);
}

gold_standard read_signed_gold_standard(const std::string& path,
                                        const std::vector<std::string>& genes) {
    return parse_signed_gold_standard(detail::read_file(path), path, &genes);
}

gold_standard read_signed_gold_standard(const std::string& path) {
    return parse_signed_gold_standard(detail::read_file(path), path, nullptr);
}

// ---------------------------------------------------------------------------------------
// gene lists

std::vector<std::string> parse_gene_list(const std::string& text, const std::string& source) {
    detail::line_cursor lines(detail::text_body(text, source));
    std::vector<std::string> genes;
    std::unordered_map<std::string, std::size_t> first_line;
    std::string_view line;
    while (lines.next(line)) {
        const std::size_t n = lines.line_number();
        if (detail::is_blank(line)) continue;
        std::vector<detail::field> cells = detail::split_fields(line, '\t', source, n);
        if (cells.size() != 1)
            throw parse_error(source, n, cells[1].column,
                              "got " + std::to_string(cells.size()) + " TAB-separated cells, expected one gene name per line");
        detail::check_gene_name(cells[0], source, n);
        const auto [it, inserted] = first_line.emplace(cells[0].text, n);
        if (!inserted)
            throw parse_error(source, n, cells[0].column,
                              "got gene '" + detail::shorten(cells[0].text) + "' again (first on line " +
                                  std::to_string(it->second) + "), expected each gene once");
        genes.push_back(std::move(cells[0].text));
    }
    if (genes.empty())
        throw parse_error(source, std::max<std::size_t>(lines.line_number(), 1), 0,
                          "got no gene name, expected one gene name per line");
    return genes;
}

std::vector<std::string> read_gene_list(const std::string& path) {
    return parse_gene_list(detail::read_file(path), path);
}

// ---------------------------------------------------------------------------------------
// writers

namespace {
void check_writable_names(const gold_standard& gs) {
    for (const std::string& name : gs.genes())
        KNIT_CHECK_AS(value_error,
                      name.find_first_of("\t\r\n \"") == std::string::npos,
                      "write_gold_standard: got gene name '"
                          << name << "', expected a name without TAB, space, quote or newline");
}
}  // namespace

void write_gold_standard(const std::string& path, const gold_standard& gs, bool all_pairs) {
    KNIT_CHECK_AS(value_error, all_pairs ? gs.size() >= 2 : gs.positives() > 0,
                  "write_gold_standard: got "
                      << gs.size() << " genes and " << gs.positives()
                      << " edges, expected at least one line to write (an empty file would "
                         "not read back)");
    check_writable_names(gs);
    const auto& names = gs.genes();
    const std::size_t g = gs.size();
    std::string text;
    text.reserve((all_pairs ? gs.pairs() : gs.positives()) * 12);
    for (int label = 1; label >= (all_pairs ? 0 : 1); --label)
        for (std::size_t r = 0; r < g; ++r)
            for (std::size_t t = 0; t < g; ++t) {
                if (r == t || (gs.code(r, t) != gold_standard::no_edge) != (label == 1)) continue;
                text += names[r];
                text += '\t';
                text += names[t];
                text += label == 1 ? "\t1\n" : "\t0\n";
            }
    write_file_atomically(path, text);
}

void write_signed_gold_standard(const std::string& path, const gold_standard& gs) {
    KNIT_CHECK_AS(value_error, gs.is_signed(),
                  "write_signed_gold_standard: got " << gs.positives() << " edges of which "
                                                     << "not all are signed, expected at least "
                                                        "one edge and a sign on every edge");
    check_writable_names(gs);
    const auto& names = gs.genes();
    std::string text;
    for (const auto& [r, t] : gs.edges()) {
        text += names[r];
        text += '\t';
        text += names[t];
        text += gs.code(r, t) == gold_standard::activation ? "\t+\n" : "\t-\n";
    }
    write_file_atomically(path, text);
}

}  // namespace knit::grn
