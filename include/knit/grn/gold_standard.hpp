// The gold standard of a gene-regulatory network: which directed edges regulator -> target
// are true, optionally with their sign (+1 activation, -1 repression).
//
//   gold_standard   G genes (names, in index order) and a dense G x G edge table.
//                   Self-loops are never edges; every ordered pair r != t is either a
//                   positive edge or a negative (non-edge). pairs() = G (G - 1).
//
// File formats (DREAM4, see ../shared/data/dream4/README.md), TAB-separated, no header,
// LF or CRLF line endings, empty lines allowed only at the end of the file:
//   unsigned, all pairs      `G1<TAB>G2<TAB>1` / `G1<TAB>G3<TAB>0`  (label 0 or 1)
//   unsigned, positives only `G1<TAB>G2<TAB>1` lines only, or `G1<TAB>G2` two-column lines
//   signed                   `G8<TAB>G2<TAB>-` / `G1<TAB>G5<TAB>+`   (positives only)
// All lines of a file have the same number of fields. Pairs a file does not list are
// negatives (so a positives-only file and an all-pairs file give the same gold standard).
//
// BEELINE form (refNetwork.csv, Pratapa et al. 2020), told apart by a first line holding a
// comma and no TAB: a header `Gene1,Gene2` or `Gene1,Gene2,Type` (any case, cells may be
// quoted), then one positive edge per comma-separated row; Type is `+` or `-`. As BEELINE's
// evaluation does, self-loops and repeats of a pair are skipped (first listing wins) and
// counted in gold_standard_listing, not refused. The unsigned readers ignore Type; the
// signed readers need it. Without a gene list, the genes are those with an edge (BEELINE's
// own universe), and the listing says positives only.
// Refused, with a knit::parse_error naming file, line, column and what was expected:
// empty files, ragged rows, bad labels or signs, empty gene names, self-loops, a pair
// listed twice, and (when the caller gives the gene list) a gene the data lacks. A UTF-8
// byte-order mark is skipped; UTF-16 text and names holding a space, TAB, comma, quote or
// control character are refused (as by every knit reader, docs/grn.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace knit::grn {

class gold_standard {
public:
    // G genes, no edges. Refuses empty or duplicate names (knit::value_error).
    explicit gold_standard(std::vector<std::string> genes);

    const std::vector<std::string>& genes() const { return genes_; }
    std::size_t size() const { return genes_.size(); }  // number of genes G
    std::size_t pairs() const { return size() * (size() == 0 ? 0 : size() - 1); }  // G (G - 1)
    std::optional<std::size_t> index(const std::string& gene) const;

    // Marks regulator -> target as a true edge with sign +1, -1 or 0 (unknown). Refuses
    // self-loops, indices >= size(), signs outside {-1, 0, 1} and an edge added twice.
    void add_edge(std::size_t regulator, std::size_t target, int sign = 0);
    bool is_edge(std::size_t regulator, std::size_t target) const;
    // +1 or -1 for a signed edge, 0 for an edge of unknown sign or no edge.
    int sign(std::size_t regulator, std::size_t target) const;
    std::size_t positives() const { return positives_; }
    std::size_t negatives() const { return pairs() - positives_; }
    // True when every positive edge carries a sign (+1 or -1).
    bool is_signed() const { return positives_ > 0 && signed_edges_ == positives_; }
    // The positive edges in (regulator, target) index order.
    std::vector<std::pair<std::size_t, std::size_t>> edges() const;

    // Raw edge table for hot loops: code(r, t) = 0 no edge, else an edge (see below).
    std::uint8_t code(std::size_t regulator, std::size_t target) const {
        return table_[regulator * genes_.size() + target];
    }
    static constexpr std::uint8_t no_edge = 0, unsigned_edge = 1, activation = 2, repression = 3;

private:
    void check_index(std::size_t i, const char* what) const;

    std::vector<std::string> genes_;
    std::unordered_map<std::string, std::size_t> lookup_;
    std::vector<std::uint8_t> table_;  // (G, G) row-major, [regulator * G + target]
    std::size_t positives_ = 0;
    std::size_t signed_edges_ = 0;
};

// Unsigned gold standard (all pairs or positives only) over the caller's genes, in that
// order; a gene the file names that is not in `genes` is refused.
gold_standard read_gold_standard(const std::string& path, const std::vector<std::string>& genes);
// The same with the genes inferred from the file, in natural order (G2 before G10). A gene
// that appears on no line of a positives-only file cannot be known: pass the gene list.
gold_standard read_gold_standard(const std::string& path);
// Signed gold standard (`+` / `-` per positive edge) over the caller's genes.
gold_standard read_signed_gold_standard(const std::string& path,
                                        const std::vector<std::string>& genes);
gold_standard read_signed_gold_standard(const std::string& path);

// What an unsigned gold-standard file listed: lines with label 1 (or two-column lines) and
// lines with label 0. A positives-only file (negative_lines == 0) cannot name the genes
// that have no edge, so genes inferred from it may be too few: give the gene list.
struct gold_standard_listing {
    std::size_t positive_lines = 0, negative_lines = 0;
    bool beeline = false;  // the file was in BEELINE's refNetwork.csv form
    // BEELINE form only: rows skipped as self-loops or as repeats of an earlier pair.
    std::size_t skipped_self_loops = 0, skipped_repeats = 0;
    bool positives_only() const { return negative_lines == 0; }
};
// read_gold_standard with the genes given (or inferred when nullptr), reporting the listing.
gold_standard read_gold_standard(const std::string& path, const std::vector<std::string>* genes,
                                 gold_standard_listing& listing);

// The parsers behind the readers, on text already in memory; `source` names the text in
// error messages. `genes` == nullptr infers the genes (natural order).
gold_standard parse_gold_standard(const std::string& text, const std::string& source,
                                  const std::vector<std::string>* genes,
                                  gold_standard_listing* listing = nullptr);
gold_standard parse_signed_gold_standard(const std::string& text, const std::string& source,
                                         const std::vector<std::string>* genes);

// Writers (temporary file + rename). The unsigned writer lists all G (G - 1) pairs like
// DREAM4 (positives first, each block in (regulator, target) index order) or, with
// all_pairs = false, the positives only; the signed writer needs every edge signed.
void write_gold_standard(const std::string& path, const gold_standard& gs, bool all_pairs = true);
void write_signed_gold_standard(const std::string& path, const gold_standard& gs);

// A gene list: one gene name per line (blank lines skipped; a name may be quoted). Refused
// with a knit::parse_error naming file, line and column: an empty list, a line of several
// TAB-separated cells, a name knit's outputs cannot hold (see the readers), a gene twice.
std::vector<std::string> read_gene_list(const std::string& path);
std::vector<std::string> parse_gene_list(const std::string& text, const std::string& source);

// Natural ("human") order of names: digit runs compare as numbers, so G2 < G10;
// ties (G01 vs G1) fall back to plain byte order, which keeps the order total.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace knit::grn
