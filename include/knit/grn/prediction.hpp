// DREAM prediction lists: ranked directed edges `regulator<TAB>target<TAB>score`, one per
// line, most confident first (the DREAM3/DREAM4/DREAM5 submission format).
//
// Reading: LF or CRLF line endings; TAB-separated (a line without any TAB may use spaces);
// exactly 3 fields per line; non-empty gene names; the score a finite number. Empty lines
// are allowed only at the end. The list keeps file order: the DREAM metric scores the
// order only, so the reader never re-sorts. Self-loops and repeated pairs are read as they
// are; score_dream (metrics.hpp) drops them and counts what it dropped. An empty file is
// refused (a ranking with no edge is almost always a bug upstream), as is anything else
// malformed, with a knit::parse_error naming file, line, column and what was expected.
//
// Writing: temporary file + rename; scores in shortest round-trip form, so
// read_prediction(write_prediction(x)) == x exactly. The writer refuses what the reader
// would refuse (empty list, empty names or names holding TAB, space, quote or newline,
// non-finite scores).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "knit/core/tensor.hpp"

namespace knit::grn {

struct scored_edge {
    std::string regulator, target;
    double score = 0;
};

bool operator==(const scored_edge& a, const scored_edge& b);

std::vector<scored_edge> read_prediction(const std::string& path);
void write_prediction(const std::string& path, const std::vector<scored_edge>& edges);

// The parser behind read_prediction, on text in memory; `source` names it in errors.
std::vector<scored_edge> parse_prediction(const std::string& text, const std::string& source);

// All ordered pairs r != t of a (G, G) score matrix, scores[r, t] = confidence of r -> t,
// sorted by decreasing score; ties keep (r, t) index order. Refuses a non-square matrix,
// a gene count other than G, and NaN scores (knit::value_error / shape_error).
std::vector<scored_edge> rank_edges(const knit::tensor<double>& scores,
                                    const std::vector<std::string>& genes);

// Stable sort of a list by decreasing score (ties keep list order); refuses NaN scores.
void sort_by_score(std::vector<scored_edge>& edges);

}  // namespace knit::grn
