// DREAM prediction lists: reader, writer and ranking of score matrices
// (see include/knit/grn/prediction.hpp).
#include "knit/grn/prediction.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string_view>

#include "knit/core/atomic_file.hpp"
#include "knit/core/error.hpp"
#include "knit/grn/detail/text.hpp"

namespace knit::grn {

bool operator==(const scored_edge& a, const scored_edge& b) {
    // Bitwise on the score so that the round-trip tests are exact (and -0 != 0 is caught).
    return a.regulator == b.regulator && a.target == b.target &&
           std::signbit(a.score) == std::signbit(b.score) && a.score == b.score;
}

std::vector<scored_edge> parse_prediction(const std::string& text, const std::string& source) {
    static const char* expected = "'regulator<TAB>target<TAB>score'";
    std::vector<scored_edge> edges;
    edges.reserve(text.size() / 16);
    detail::data_line_cursor lines(detail::text_body(text, source), source, "edges", expected);
    std::string_view line;
    while (lines.next(line)) {
        const std::size_t n = lines.line_number();
        const char delimiter = line.find('\t') != std::string_view::npos ? '\t' : ' ';
        std::vector<detail::field> cells = detail::split_fields(line, delimiter, source, n);
        if (cells.size() != 3)
            throw parse_error(source, n, 0,
                              "got " + std::to_string(cells.size()) + " field(s), expected " +
                                  expected);
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
                          std::string("got an empty prediction list, expected lines ") +
                              expected);
    return edges;
}

std::vector<scored_edge> read_prediction(const std::string& path) {
    return parse_prediction(detail::read_file(path), path);
}

void write_prediction(const std::string& path, const std::vector<scored_edge>& edges) {
    KNIT_CHECK_AS(value_error, !edges.empty(),
                  "write_prediction: got an empty list, expected at least one edge");
    auto check_name = [](const std::string& name, std::size_t i, const char* what) {
        KNIT_CHECK_AS(value_error,
                      !name.empty() && name.find_first_of("\t\r\n \"") == std::string::npos,
                      "write_prediction: got " << what << " name '" << detail::shorten(name) << "' at edge " << i
                                               << ", expected a non-empty name without TAB, "
                                                  "space, quote or newline");
    };
    std::string text;
    text.reserve(edges.size() * 24);
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const scored_edge& e = edges[i];
        check_name(e.regulator, i, "regulator");
        check_name(e.target, i, "target");
        KNIT_CHECK_AS(value_error, std::isfinite(e.score),
                      "write_prediction: got score " << e.score << " at edge " << i
                                                     << ", expected a finite number");
        text += e.regulator;
        text += '\t';
        text += e.target;
        text += '\t';
        text += detail::format_double(e.score);
        text += '\n';
    }
    write_file_atomically(path, text);
}

std::vector<scored_edge> rank_edges(const knit::tensor<double>& scores,
                                    const std::vector<std::string>& genes) {
    const std::size_t g = genes.size();
    KNIT_CHECK_AS(shape_error,
                  scores.dimension() == 2 && scores.shape(0) == g && scores.shape(1) == g,
                  "rank_edges: got scores of shape " << shape_to_string(scores.shape()) << ", expected ("
                                                     << g << ", " << g
                                                     << ") for the " << g << " genes");
    const double* s = scores.data();
    std::vector<std::size_t> order;
    order.reserve(g * (g == 0 ? 0 : g - 1));
    for (std::size_t r = 0; r < g; ++r)
        for (std::size_t t = 0; t < g; ++t) {
            if (r == t) continue;
            KNIT_CHECK_AS(value_error, !std::isnan(s[r * g + t]),
                          "rank_edges: got NaN for " << genes[r] << " -> " << genes[t]
                                                     << ", expected a number");
            order.push_back(r * g + t);
        }
    // Flat index r * g + t is increasing in (r, t) order, so it is the tie-break.
    std::sort(order.begin(), order.end(), [s](std::size_t a, std::size_t b) {
        return s[a] > s[b] || (s[a] == s[b] && a < b);
    });
    std::vector<scored_edge> out;
    out.reserve(order.size());
    for (std::size_t k : order) out.push_back({genes[k / g], genes[k % g], s[k]});
    return out;
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
