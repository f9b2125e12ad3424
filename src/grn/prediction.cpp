// DREAM prediction lists: reader, writer and ranking of score matrices
// (see include/knit/grn/prediction.hpp).
#include "knit/grn/prediction.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <exception>
#include <numeric>
#include <string_view>
#include <tuple>

#include "knit/core/atomic_file.hpp"
#include "knit/core/error.hpp"
#include "knit/core/parallel.hpp"
#include "knit/core/score_order.hpp"
#include "knit/grn/detail/text.hpp"

namespace knit::grn {

bool operator==(const scored_edge& a, const scored_edge& b) {
    // Bitwise on the score so that the round-trip tests are exact (and -0 != 0 is caught).
    return a.regulator == b.regulator && a.target == b.target &&
           std::signbit(a.score) == std::signbit(b.score) && a.score == b.score;
}

// ---------------------------------------------------------------------------------------
// formats

const char* to_string(edge_format format) {
    switch (format) {
        case edge_format::dream: return "dream";
        case edge_format::arboreto: return "arboreto";
        case edge_format::beeline: return "beeline";
    }
    return "?";
}

edge_format edge_format_from_string(const std::string& name) {
    for (edge_format f : {edge_format::dream, edge_format::arboreto, edge_format::beeline})
        if (name == to_string(f)) return f;
    throw value_error("edge format: got '" + detail::shorten(name) + "', expected dream, arboreto or beeline");
}

namespace {

// The header of a format with one: its three cell names (compared without regard to case).
const char* const arboreto_header[3] = {"TF", "target", "importance"};
const char* const beeline_header[3] = {"Gene1", "Gene2", "EdgeWeight"};

bool same_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string delimiter_name(char delimiter) {
    return delimiter == '\t' ? "<TAB>" : delimiter == ',' ? "," : " ";
}

// "'TF<TAB>target<TAB>importance'" in messages.
std::string header_text(const char* const cells[3], char delimiter) {
    const std::string d = delimiter_name(delimiter);
    return std::string("'") + cells[0] + d + cells[1] + d + cells[2] + "'";
}

bool is_finite_number(const detail::field& cell, const std::string& source) {
    try {
        detail::parse_finite_double(cell, source, 1);
        return true;
    } catch (const parse_error&) {
        return false;
    }
}

// What the first non-blank line says about the format: a header (its line and delimiter),
// or the headerless DREAM form. A line starting like a header that is not one is refused.
struct detected_format {
    edge_format format = edge_format::dream;
    std::size_t header_line = 0;  // 0: no header
    char delimiter = '\t';
};

detected_format detect_format(std::string_view body, const std::string& source) {
    detail::line_cursor lines(body);
    std::string_view line;
    while (lines.next(line) && detail::is_blank(line)) {
    }
    detected_format out;
    if (detail::is_blank(line)) return out;  // nothing but blank lines: the parser refuses it
    const std::size_t n = lines.line_number();
    const char delimiter = line.find('\t') != std::string_view::npos ? '\t'
                           : line.find(',') != std::string_view::npos ? ','
                                                                      : ' ';
    const std::vector<detail::field> cells = detail::split_fields(line, delimiter, source, n);
    const char* const* header = nullptr;
    edge_format format = edge_format::dream;
    if (same_ignoring_case(cells[0].text, arboreto_header[0])) header = arboreto_header, format = edge_format::arboreto;
    if (same_ignoring_case(cells[0].text, beeline_header[0])) header = beeline_header, format = edge_format::beeline;
    if (header == nullptr) return out;
    // A DREAM line whose regulator happens to be called TF or Gene1 has a number last.
    if (cells.size() == 3 && is_finite_number(cells[2], source)) return out;
    const std::string expected = std::string(to_string(format)) + " header " + header_text(header, delimiter) +
                                 " (a headerless DREAM line has a number in its third field)";
    if (cells.size() != 3)
        throw parse_error(source, n, 0,
                          "got " + std::to_string(cells.size()) + " header cell(s), expected the " + expected);
    for (std::size_t c = 1; c < 3; ++c)
        if (!same_ignoring_case(cells[c].text, header[c]))
            throw parse_error(source, n, cells[c].column,
                              "got header cell '" + detail::shorten(cells[c].text) + "', expected '" + header[c] +
                                  "' of the " + expected);
    out.format = format;
    out.header_line = n;
    out.delimiter = delimiter;
    return out;
}

}  // namespace

std::vector<scored_edge> parse_prediction(const std::string& text, const std::string& source,
                                          edge_format& format) {
    const std::string_view body = detail::text_body(text, source);
    const detected_format form = detect_format(body, source);
    format = form.format;
    const bool has_header = form.header_line != 0;
    const std::string expected =
        !has_header ? std::string("'regulator<TAB>target<TAB>score'")
                    : header_text(form.format == edge_format::arboreto ? arboreto_header : beeline_header,
                                  form.delimiter) +
                          " rows (" + (form.delimiter == ',' ? "comma" : form.delimiter == '\t' ? "TAB" : "space") +
                          "-separated like the header on line " + std::to_string(form.header_line) + ")";
    std::vector<scored_edge> edges;
    edges.reserve(text.size() / 16);
    detail::data_line_cursor lines(body, source, "edges", expected);
    std::string_view line;
    while (lines.next(line)) {
        const std::size_t n = lines.line_number();
        if (n == form.header_line) continue;
        const char delimiter = has_header ? form.delimiter : line.find('\t') != std::string_view::npos ? '\t' : ' ';
        std::vector<detail::field> cells = detail::split_fields(line, delimiter, source, n);
        if (cells.size() != 3) {
            std::string message = "got " + std::to_string(cells.size()) + " field(s), expected " + expected;
            if (!has_header && cells.size() == 1 && line.find(',') != std::string_view::npos)
                message += " (a comma-separated list needs the header Gene1,Gene2,EdgeWeight)";
            throw parse_error(source, n, 0, message);
        }
        for (std::size_t c = 0; c < 2; ++c) {
            if (cells[c].text.empty())
                throw parse_error(source, n, cells[c].column,
                                  std::string("got an empty ") +
                                      (c == 0 ? "regulator" : "target") +
                                      " name, expected a gene name");
            detail::check_gene_name(cells[c], source, n);
        }
        const double score =
            detail::parse_finite_double(cells[2], source, n, "a finite confidence score");
        edges.push_back({std::move(cells[0].text), std::move(cells[1].text), score});
    }
    if (edges.empty())
        throw parse_error(source, lines.line_number() == 0 ? 1 : lines.line_number(), 0,
                          std::string(has_header ? "got a header and no edge" : "got an empty prediction list") +
                              ", expected lines " + expected);
    return edges;
}

std::vector<scored_edge> parse_prediction(const std::string& text, const std::string& source) {
    edge_format format;
    return parse_prediction(text, source, format);
}

std::vector<scored_edge> read_prediction(const std::string& path) {
    return parse_prediction(detail::read_file(path), path);
}

namespace {

// The text of `count` rows in `format`, in parts: the header (empty for DREAM), then the
// rows in blocks of rows_per_part, each block a parallel task. row(i) gives edge i's
// regulator, target and score. A refusal names the first bad edge, as one pass would: the
// blocks run in order on one thread, and parallel_for rethrows the lowest block's error.
constexpr std::size_t rows_per_part = 1 << 16;

// Rows first, first + 1, ... of a list shared out over MPI ranks, with the format's header
// or without it; none: the whole list, which may not be empty.
struct row_slice {
    std::size_t first = 0;
    bool header = false;
};

template <class Row>
std::vector<std::string> format_parts(std::size_t count, const Row& row, edge_format format, const char* who,
                                      std::size_t threads, const row_slice* rows = nullptr) {
    const std::size_t first = rows ? rows->first : 0;
    KNIT_CHECK_AS(value_error, count != 0 || rows,
                  who << ": got an empty list, expected at least one edge (a list without an edge "
                         "would not read back)");
    auto check_name = [who](const std::string& name, std::size_t i, const char* what) {
        bool ok = !name.empty();
        for (char ch : name) {
            const auto c = static_cast<unsigned char>(ch);
            ok = ok && c >= 0x20 && c != 0x7f && c != ' ' && c != ',' && c != '"';
        }
        // A UTF-8 byte-order mark opening the file is dropped by the reader, so the first
        // name of a DREAM list would lose it: refused at the start of any name.
        ok = ok && name.rfind("\xef\xbb\xbf", 0) != 0;
        KNIT_CHECK_AS(value_error, ok,
                      who << ": got " << what << " name '" << detail::shorten(name) << "' at edge " << i
                          << ", expected a non-empty name without TAB, comma, quote, space, newline, "
                             "control character or leading byte-order mark");
    };
    const char delimiter = format == edge_format::beeline ? ',' : '\t';
    const std::size_t blocks = (count + rows_per_part - 1) / rows_per_part;
    std::vector<std::string> parts(1 + blocks);
    if (format != edge_format::dream && (!rows || rows->header)) {
        const char* const* names = format == edge_format::arboreto ? arboreto_header : beeline_header;
        for (int c = 0; c < 3; ++c) {
            parts[0] += names[c];
            parts[0] += c < 2 ? delimiter : '\n';
        }
    }
    parallel_for_without_blas(blocks, threads, [&](std::size_t block) {
        std::string& text = parts[1 + block];
        const std::size_t begin = block * rows_per_part, end = std::min(count, begin + rows_per_part);
        // Two names, two delimiters, up to 24 characters of score and a newline: enough
        // for most rows, so a block's text is rarely copied while it grows.
        text.reserve((end - begin) * 40);
        for (std::size_t i = begin; i < end; ++i) {
            const auto [regulator, target, score] = row(i);
            check_name(regulator, first + i, "regulator");
            check_name(target, first + i, "target");
            KNIT_CHECK_AS(value_error, std::isfinite(score),
                          who << ": got score " << score << " at edge " << first + i << ", expected a finite number");
            text += regulator;
            text += delimiter;
            text += target;
            text += delimiter;
            detail::append_double(text, score);
            text += '\n';
        }
    });
    return parts;
}

std::string format_list(const std::vector<scored_edge>& edges, edge_format format, const char* who) {
    const auto parts = format_parts(
        edges.size(),
        [&](std::size_t i) {
            const scored_edge& e = edges[i];
            return std::tuple<const std::string&, const std::string&, double>(e.regulator, e.target, e.score);
        },
        format, who, 1);
    std::size_t bytes = 0;
    for (const auto& p : parts) bytes += p.size();
    std::string text;
    text.reserve(bytes);
    for (const auto& p : parts) text += p;
    return text;
}


// How many of the first `k` entries of merge(a, b) come from a: a binary search for the
// split where a's part ends before b's next entry and b's part ends before a's next. The
// order is total (no two entries tie), so the split is unique.
template <class Better>
std::size_t taken_from_first(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b, std::size_t k,
                             Better better) {
    std::size_t low = k > b.size() ? k - b.size() : 0, high = std::min(k, a.size());
    while (low < high) {
        const std::size_t i = low + (high - low) / 2, j = k - i;
        if (j > 0 && better(a[i], b[j - 1])) low = i + 1;  // a[i] belongs among the first k
        else high = i;
    }
    return low;
}

// Merges sorted runs into one sorted list of at most `keep`, pairwise in rounds (run 0
// with run 1, 2 with 3, ...), so each entry moves about log2(runs) times: O(n log K) for K
// runs, where merging one run after another into a growing list would be O(n K). Each
// pair's output is cut into pieces at split points found by binary search
// (taken_from_first), so a round of fewer pairs than threads, the last one always, still
// runs as `threads` tasks. The order is total, so any merge order gives one list.
template <class Better>
std::vector<std::size_t> merge_sorted_runs(std::vector<std::vector<std::size_t>> runs, std::size_t keep,
                                           std::size_t threads, Better better) {
    if (runs.empty()) return {};
    while (runs.size() > 1) {
        const std::size_t pairs = runs.size() / 2;
        std::vector<std::vector<std::size_t>> next((runs.size() + 1) / 2);
        for (std::size_t pair = 0; pair < pairs; ++pair)
            next[pair].resize(std::min(keep, runs[2 * pair].size() + runs[2 * pair + 1].size()));
        // Pieces of at least 2^15 entries, so short merges stay whole.
        const std::size_t pieces = std::max<std::size_t>(
            1, std::min((threads + pairs - 1) / pairs, next[0].size() / (std::size_t(1) << 15)));
        parallel_for_without_blas(pairs * pieces, threads, [&](std::size_t task) {
            const std::size_t pair = task / pieces, piece = task % pieces;
            const std::vector<std::size_t>&a = runs[2 * pair], &b = runs[2 * pair + 1];
            std::vector<std::size_t>& out = next[pair];
            const std::size_t from = out.size() * piece / pieces, to = out.size() * (piece + 1) / pieces;
            const std::size_t a0 = taken_from_first(a, b, from, better), a1 = taken_from_first(a, b, to, better);
            const auto at = [](const std::vector<std::size_t>& v, std::size_t i) { return v.begin() + std::ptrdiff_t(i); };
            std::merge(at(a, a0), at(a, a1), at(b, from - a0), at(b, to - a1), out.begin() + std::ptrdiff_t(from), better);
        });
        if (runs.size() % 2 == 1) next.back() = std::move(runs.back());
        runs = std::move(next);
    }
    runs.front().resize(std::min(runs.front().size(), keep));
    return std::move(runs.front());
}

}  // namespace

std::string format_edges(const std::vector<scored_edge>& edges, edge_format format) {
    return format_list(edges, format, "format_edges");
}

void write_edges(const std::string& path, const std::vector<scored_edge>& edges, edge_format format) {
    write_file_atomically(path, format_list(edges, format, "write_edges"));
}

void write_prediction(const std::string& path, const std::vector<scored_edge>& edges) {
    write_file_atomically(path, format_list(edges, edge_format::dream, "write_prediction"));
}

std::vector<std::size_t> rank_pair_indices(const knit::tensor<double>& scores, const std::vector<std::string>& genes,
                                           std::vector<std::size_t> order, std::size_t top_k, std::size_t threads,
                                           communicator* ranks) {
    const std::size_t g = genes.size();
    KNIT_CHECK_AS(shape_error, scores.dimension() == 2 && scores.shape(0) == g && scores.shape(1) == g,
                  "rank_edges: got scores of shape " << shape_to_string(scores.shape()) << ", expected (" << g << ", "
                                                     << g << ") for the " << g << " genes");
    for (std::size_t i = 0; i < order.size(); ++i)
        KNIT_CHECK_AS(value_error, order[i] >= g * g || order[i] / g != order[i] % g,
                      "rank_edges: got pair index " << order[i] << " at " << i
                                                    << ", expected increasing indices r * G + t with r != t");
    return rank_pair_indices(scores, genes, genes, std::move(order), top_k, threads, ranks);
}

std::vector<std::size_t> rank_pair_indices(const knit::tensor<double>& scores, const std::vector<std::string>& row_genes,
                                           const std::vector<std::string>& genes, std::vector<std::size_t> order,
                                           std::size_t top_k, std::size_t threads, communicator* ranks) {
    KNIT_CHECK_AS(value_error, threads >= 1, "rank_edges: got threads 0, expected >= 1");
    const std::size_t g = genes.size(), rows = row_genes.size();
    KNIT_CHECK_AS(shape_error, scores.dimension() == 2 && scores.shape(0) == rows && scores.shape(1) == g,
                  "rank_edges: got scores of shape " << shape_to_string(scores.shape()) << ", expected (" << rows
                                                     << ", " << g << ") for " << rows << " regulators and " << g
                                                     << " genes");
    const double* s = scores.data();
    for (std::size_t i = 0; i < order.size(); ++i) {
        const std::size_t k = order[i];
        KNIT_CHECK_AS(value_error, k < rows * g && (i == 0 || order[i - 1] < k),
                      "rank_edges: got pair index " << k << " at " << i << ", expected increasing indices r * G + t below "
                                                    << rows * g);
        KNIT_CHECK_AS(value_error, !std::isnan(s[k]),
                      "rank_edges: got NaN for " << row_genes[k / g] << " -> " << genes[k % g] << ", expected a number");
    }
    // Flat index r * g + t is increasing in (r, t) order, so it is the tie-break; with it
    // the order is total, so sorting parts and merging them gives the one sorted order.
    const auto better = [s](std::size_t a, std::size_t b) { return s[a] > s[b] || (s[a] == s[b] && a < b); };
    const std::size_t keep = top_k > 0 && top_k < order.size() ? top_k : order.size();
    if (ranks && ranks->size() > 1) {
        // Rank k ranks slice k of the list on its threads; rank 0 merges the slices and
        // sends the result to every rank.
        check_same_on_every_rank(*ranks, order.size(), "rank_pair_indices: the pairs to rank");
        check_same_on_every_rank(*ranks, keep, "rank_pair_indices: the pairs to keep (top_k)");
        const std::size_t k = ranks->rank(), count = ranks->size();
        const auto [begin, end] = slice_of(order.size(), *ranks);
        std::vector<std::size_t> mine(order.begin() + std::ptrdiff_t(begin), order.begin() + std::ptrdiff_t(end));
        std::vector<std::size_t>().swap(order);
        mine = rank_pair_indices(scores, row_genes, genes, std::move(mine), keep, threads);
        std::uint64_t kept = mine.size();
        const std::vector<char> kept_counts = ranks->gather(&kept, sizeof kept, 0);
        std::vector<char> all = ranks->gather(mine.data(), mine.size() * sizeof(std::size_t), 0);
        std::vector<std::size_t>().swap(mine);
        std::vector<std::size_t> merged;
        if (k == 0) {
            // The ranks' slices, each sorted, one after another in rank order.
            std::vector<std::vector<std::size_t>> runs(count);
            std::size_t at = 0;
            for (std::size_t from = 0; from < count; ++from) {
                std::uint64_t n = 0;
                std::memcpy(&n, kept_counts.data() + from * sizeof n, sizeof n);
                runs[from].resize(std::size_t(n));
                if (n > 0) std::memcpy(runs[from].data(), all.data() + at, std::size_t(n) * sizeof(std::size_t));
                at += std::size_t(n) * sizeof(std::size_t);
            }
            std::vector<char>().swap(all);
            merged = merge_sorted_runs(std::move(runs), keep, threads, better);
        }
        broadcast_vector(*ranks, merged, 0);
        return merged;
    }
    // One part per thread (one part for short lists); each part keeps its best `keep`.
    const std::size_t parts = std::max<std::size_t>(1, std::min(threads, order.size() / (1 << 15)));
    std::vector<std::vector<std::size_t>> sorted(parts);
    parallel_for_without_blas(parts, threads, [&](std::size_t p) {
        const std::size_t begin = order.size() * p / parts, end = order.size() * (p + 1) / parts;
        std::vector<std::size_t>& part = sorted[p];
        part.assign(order.begin() + std::ptrdiff_t(begin), order.begin() + std::ptrdiff_t(end));
        // A short top-k: a partial sort of comparisons. Most of the part: every entry in
        // radix passes (order_by_decreasing_score), then cut.
        if (keep < part.size() / 4) {
            std::partial_sort(part.begin(), part.begin() + std::ptrdiff_t(keep), part.end(), better);
            part.resize(keep);
        } else {
            order_by_decreasing_score(s, part);
            part.resize(std::min(keep, part.size()));
        }
    });
    return merge_sorted_runs(std::move(sorted), keep, threads, better);
}

std::vector<std::size_t> rank_pair_indices(const knit::tensor<double>& scores, const std::vector<std::string>& genes,
                                           std::size_t top_k, std::size_t threads, communicator* ranks) {
    KNIT_CHECK_AS(value_error, threads >= 1, "rank_edges: got threads 0, expected >= 1");
    const std::size_t g = genes.size();
    // Row r's G - 1 pairs start at r (G - 1); the rows are filled as tasks.
    std::vector<std::size_t> pairs(g * (g == 0 ? 0 : g - 1));
    parallel_for_without_blas(g, threads, [&](std::size_t r) {
        std::size_t at = r * (g - 1);
        for (std::size_t t = 0; t < g; ++t)
            if (r != t) pairs[at++] = r * g + t;
    });
    return rank_pair_indices(scores, genes, std::move(pairs), top_k, threads, ranks);
}

std::vector<scored_edge> rank_edges(const knit::tensor<double>& scores,
                                    const std::vector<std::string>& genes) {
    const std::size_t g = genes.size();
    const double* s = scores.data();
    std::vector<scored_edge> out;
    for (std::size_t k : rank_pair_indices(scores, genes)) out.push_back({genes[k / g], genes[k % g], s[k]});
    return out;
}

void write_ranked_pairs(const std::string& path, const knit::tensor<double>& scores,
                        const std::vector<std::string>& genes, const std::vector<std::size_t>& order,
                        edge_format format, std::size_t threads, communicator* ranks) {
    write_ranked_pairs(path, scores, genes, genes, order, format, threads, ranks);
}

void write_ranked_pairs(const std::string& path, const knit::tensor<double>& scores,
                        const std::vector<std::string>& row_genes, const std::vector<std::string>& genes,
                        const std::vector<std::size_t>& order, edge_format format, std::size_t threads,
                        communicator* ranks) {
    const std::size_t g = genes.size(), score_rows = row_genes.size();
    KNIT_CHECK_AS(shape_error, scores.dimension() == 2 && scores.shape(0) == score_rows && scores.shape(1) == g,
                  "write_ranked_pairs: got scores of shape " << shape_to_string(scores.shape()) << ", expected ("
                                                             << score_rows << ", " << g << ")");
    for (std::size_t k : order)
        KNIT_CHECK_AS(value_error, k < score_rows * g,
                      "write_ranked_pairs: got pair index " << k << ", expected < " << score_rows * g);
    const double* s = scores.data();
    const char* who = format == edge_format::dream ? "write_prediction" : "write_edges";
    if (!ranks || ranks->size() == 1) {
        const auto parts = format_parts(
            order.size(),
            [&](std::size_t i) {
                // Rank order reads the scores all over the (G, G) matrix: fetch ahead.
                if (i + 64 < order.size()) __builtin_prefetch(s + order[i + 64]);
                const std::size_t k = order[i];
                return std::tuple<const std::string&, const std::string&, double>(row_genes[k / g], genes[k % g], s[k]);
            },
            format, who, threads);
        write_file_atomically(path, std::vector<std::string_view>(parts.begin(), parts.end()), threads);
        return;
    }
    // Rank k formats slice k of the rows; rank 0 gathers the text in rank order and writes
    // the file. A refusal on any rank is raised on every rank (none writes).
    check_same_on_every_rank(*ranks, order.size(), "write_ranked_pairs: the rows to write");
    check_same_on_every_rank(*ranks, std::uint64_t(format), "write_ranked_pairs: the format");
    KNIT_CHECK_AS(value_error, !order.empty(), who << ": got an empty list, expected at least one edge (a list without an "
                                                      "edge would not read back)");
    // A named slice, not a structured binding: C++17 lambdas cannot capture those.
    const slice mine = slice_of(order.size(), *ranks);
    const std::size_t begin = mine.begin, end = mine.end;
    const row_slice rows{begin, ranks->rank() == 0};
    std::string text;
    std::exception_ptr failure;
    try {
        const auto parts = format_parts(
            end - begin,
            [&](std::size_t i) {
                if (begin + i + 64 < end) __builtin_prefetch(s + order[begin + i + 64]);  // as above
                const std::size_t pair = order[begin + i];
                return std::tuple<const std::string&, const std::string&, double>(row_genes[pair / g],
                                                                                  genes[pair % g], s[pair]);
            },
            format, who, threads, &rows);
        for (const auto& p : parts) text += p;
    } catch (...) {
        failure = std::current_exception();
    }
    rethrow_on_every_rank(*ranks, failure, who);
    const std::vector<char> file = ranks->gather(text.data(), text.size(), 0);
    if (ranks->rank() == 0) write_file_atomically(path, {std::string_view(file.data(), file.size())}, threads);
}

void sort_by_score(std::vector<scored_edge>& edges) {
    for (std::size_t i = 0; i < edges.size(); ++i)
        KNIT_CHECK_AS(value_error, !std::isnan(edges[i].score),
                      "sort_by_score: got NaN at edge " << i << " (" << edges[i].regulator
                                                        << " -> " << edges[i].target
                                                        << "), expected a number");
    std::stable_sort(edges.begin(), edges.end(), [](const scored_edge& a, const scored_edge& b) {
        return a.score > b.score;
    });
}

}  // namespace knit::grn
