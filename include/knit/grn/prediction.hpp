// Prediction lists: ranked directed edges regulator -> target with a score, most confident
// first. Three formats, told apart by the first line:
//
//   dream     `G1<TAB>G2<TAB>score`, no header (the DREAM3/DREAM4/DREAM5 submission format)
//   arboreto  header `TF<TAB>target<TAB>importance`, then TAB-separated rows (GENIE3 and
//             GRNBoost2 as arboreto/pySCENIC write them)
//   beeline   header `Gene1,Gene2,EdgeWeight`, then comma-separated rows (BEELINE's
//             rankedEdges.csv; BEELINE itself writes it TAB-separated, which is read too)
//
// Reading (parse_prediction / read_prediction): a first line whose cells are, without
// regard to case and quotes, `TF,target,importance` or `Gene1,Gene2,EdgeWeight` (TAB- or
// comma-separated) is a header, and every row below it uses the header's delimiter;
// otherwise the text is the headerless DREAM form. A first line that starts like one of
// the headers (`TF` or `Gene1`) but does not match it is refused at the first wrong cell.
// In the DREAM form a line without any TAB may use spaces. Every form: LF or CRLF line
// endings; exactly 3 fields per row; non-empty gene names; the score a finite number;
// empty lines only at the end. The list keeps file order, in every format: the DREAM
// metric scores the order only, so the reader never re-sorts (BEELINE does not promise
// that rankedEdges.csv is sorted by EdgeWeight; a list that is not keeps its order here,
// and only the early precision of metrics.hpp looks at the scores). Self-loops and
// repeated pairs are read as they are; score_dream (metrics.hpp) drops them and counts
// what it dropped. A list without an edge (an empty file, or a header alone) is refused (a
// ranking with no edge is almost always a bug upstream), as is anything else malformed,
// with a knit::parse_error naming file, line, column and what was expected.
//
// Writing (write_edges, format_edges, write_prediction = write_edges(..., dream)): the
// format's header, then one row per edge in list order; scores in shortest round-trip
// form, so read_prediction(write_edges(x, f)) == x exactly for every format f. Files go
// through a temporary file + rename. The writers refuse (knit::value_error) what the
// reader would refuse or what one of the formats cannot hold: an empty list (in every
// format, header-only files included, so that every written file reads back), empty names
// or names holding a TAB, comma, double quote, space, newline or another control
// character or starting with a UTF-8 byte-order mark (the reader drops one that opens a
// file), and non-finite scores.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "knit/core/communicator.hpp"
#include "knit/core/tensor.hpp"

namespace knit::grn {

struct scored_edge {
    std::string regulator, target;
    double score = 0;
};

bool operator==(const scored_edge& a, const scored_edge& b);

// The formats of a list on disk (see above).
enum class edge_format { dream, arboreto, beeline };
// "dream", "arboreto", "beeline".
const char* to_string(edge_format format);
// The inverse of to_string; another name is a knit::value_error listing the valid ones.
edge_format edge_format_from_string(const std::string& name);

// Any of the three formats (detected from the first line), in file order.
std::vector<scored_edge> read_prediction(const std::string& path);
// The DREAM form; the same as write_edges(path, edges, edge_format::dream).
void write_prediction(const std::string& path, const std::vector<scored_edge>& edges);

// The text of a list in `format` (header included), and the same written to a file
// atomically (temporary file + rename). Refusals as described above.
std::string format_edges(const std::vector<scored_edge>& edges, edge_format format);
void write_edges(const std::string& path, const std::vector<scored_edge>& edges, edge_format format);

// The parser behind read_prediction, on text in memory; `source` names it in errors.
std::vector<scored_edge> parse_prediction(const std::string& text, const std::string& source);
// The same, also telling which format the text was in.
std::vector<scored_edge> parse_prediction(const std::string& text, const std::string& source,
                                          edge_format& format);

// All ordered pairs r != t of a (G, G) score matrix, scores[r, t] = confidence of r -> t,
// sorted by decreasing score; ties keep (r, t) index order. Refuses a non-square matrix,
// a gene count other than G, and NaN scores (knit::value_error / shape_error).
std::vector<scored_edge> rank_edges(const knit::tensor<double>& scores,
                                    const std::vector<std::string>& genes);
// The same order as flat indices r * G + t into scores: 8 bytes a pair instead of an edge
// holding two names, for genome-scale lists. top_k > 0 keeps the best top_k (only those
// are sorted); 0 keeps every pair. `threads` sort parts of the list side by side before
// they are merged; the order is the same for every count. With `ranks` (every rank calling
// with the same scores), each rank sorts one slice, rank 0 merges them, and every rank
// gets the order: the same order for every rank count.
std::vector<std::size_t> rank_pair_indices(const knit::tensor<double>& scores, const std::vector<std::string>& genes,
                                           std::size_t top_k = 0, std::size_t threads = 1,
                                           communicator* ranks = nullptr);
// The same among `pairs` only (flat indices r * G + t, r != t, in increasing order).
std::vector<std::size_t> rank_pair_indices(const knit::tensor<double>& scores, const std::vector<std::string>& genes,
                                           std::vector<std::size_t> pairs, std::size_t top_k,
                                           std::size_t threads = 1, communicator* ranks = nullptr);
// The same for the scores of some regulators' rows: (R, G), row i the regulator named
// row_genes[i], pairs flat indices i * G + t into them (increasing); the caller leaves out
// each regulator's own gene. Ties keep flat-index order, so with the regulators in gene
// order it is (regulator, target) order, as above (infer's streamed scoring).
std::vector<std::size_t> rank_pair_indices(const knit::tensor<double>& scores, const std::vector<std::string>& row_genes,
                                           const std::vector<std::string>& genes, std::vector<std::size_t> pairs,
                                           std::size_t top_k, std::size_t threads = 1, communicator* ranks = nullptr);
// write_edges for such a ranking: the same file as write_edges of the edges it names,
// its rows formatted by `threads` tasks. With `ranks`, each rank formats one slice of the
// rows and rank 0 writes the file (the others write nothing): the same bytes; a refusal
// on any rank is thrown on every rank, and no file is written.
void write_ranked_pairs(const std::string& path, const knit::tensor<double>& scores,
                        const std::vector<std::string>& genes, const std::vector<std::size_t>& order,
                        edge_format format, std::size_t threads = 1, communicator* ranks = nullptr);
// The same for (R, G) scores of some regulators' rows, named by row_genes.
void write_ranked_pairs(const std::string& path, const knit::tensor<double>& scores,
                        const std::vector<std::string>& row_genes, const std::vector<std::string>& genes,
                        const std::vector<std::size_t>& order, edge_format format, std::size_t threads = 1,
                        communicator* ranks = nullptr);

// Stable sort of a list by decreasing score (ties keep list order); refuses NaN scores.
void sort_by_score(std::vector<scored_edge>& edges);

}  // namespace knit::grn
