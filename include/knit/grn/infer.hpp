// knit::grn::infer: a ranked network from a user's own expression data, with no training
// step and no labels (what arboreto's GRNBoost2/GENIE3 and BEELINE's methods give).
//
//   infer_options options;
//   options.regulators = read_gene_list("tfs.txt");
//   options.top_k = 1000;
//   inference result = infer(data, options);   // data: an experiment_set (any kinds)
//   for (const scored_edge& e : result.edges) ...   // regulator, target, score; best first
//
// Methods (infer_options::method):
//   ""                 the best shipped model for the kinds of experiment present
//                      (default_method); docs/infer.md says how the choice was made
//   "evidence-mlp"     shipped model: every experiment kind (knockouts, knockdowns,
//                      multifactorial, wild type, time series), any subset present
//   "context-mlp"      shipped model: time series only
//   a baseline         abs-pearson, abs-lag1-correlation, mutual-information, knockout-z,
//                      knockdown-z (evaluation.hpp): no model at all
//   model_file         instead of a method: a file written by knit-grn train
// The shipped models were trained on simulated networks only (models/README.md: data,
// seeds, the command that rebuilds them byte for byte). The paper's rnn, cnn and ae-nn
// read series of one fixed length, so none is shipped; train one and pass model_file.
//
// Pairs: every ordered pair (r, t), r != t, with r among `regulators` and t among
// `targets` (all genes when empty); only those pairs are scored. The list is sorted by
// decreasing score; ties keep (regulator, target) order in data.genes, so the same input
// always gives the same list. top_k > 0 keeps the first top_k edges.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "knit/grn/experiment_set.hpp"
#include "knit/grn/models/pair_model.hpp"
#include "knit/grn/prediction.hpp"

namespace knit::grn {

struct infer_options {
    std::string method;       // "" = default_method(data kinds); see above
    std::string model_file;   // a trained model file; excludes method
    std::vector<std::string> regulators, targets;  // gene names; empty = every gene
    std::size_t top_k = 0;                          // 0 = every scored pair
    // The experiment kinds a method may use (knit-grn's --inputs); the rest are ignored.
    experiment_kinds inputs = experiment_kinds::all();
    // Threads for a model's scoring (the shipped models' pair blocks, a record model's
    // chunks of records: pair_model::score_all_pairs, score) and the sort; the list is the
    // same for every count.
    std::size_t threads = 1;
    // Pair rows per scoring block of context-mlp and evidence-mlp (pair_scoring_options::block_rows).
    std::size_t block_rows = pair_scoring_options{}.block_rows;
    // MPI ranks that share the work (every rank calls infer with the same data and options
    // and gets the whole inference): context-mlp and evidence-mlp deal their pair blocks
    // over the ranks, the record models their chunks of records, and every method's
    // ranking is sorted in slices, one per rank. The baselines score on every rank.
    // nullptr: this process alone.
    communicator* ranks = nullptr;
    // Streamed scoring, context-mlp's only: the chosen regulators' rows are scored with no
    // (G, G) matrix (context_mlp_model::score_regulators), for genome-scale networks.
    // automatic streams when the whole-network path would keep more than 2 GiB of (G, G)
    // matrices (eleven of doubles: G >= 4,940) and the method is context-mlp; always refuses
    // another method. The lists of the two paths agree to rounding (a near-tie can swap).
    enum class streaming { automatic, always, never };
    streaming streamed = streaming::automatic;
};

// Whether infer streams for this method, gene count and setting (above).
bool streams(const std::string& method_or_model_kind, std::size_t genes, infer_options::streaming setting);

struct inference {
    std::vector<scored_edge> edges;  // best first
    std::string method;              // what ranked them ("evidence-mlp (shipped)", a baseline, a file)
    std::size_t pairs_scored = 0;    // before top_k
    experiment_kinds used;           // the kinds of the data the method was given
    std::vector<std::string> warnings;  // where the data differ from what the model was trained on
};

// Throws knit::value_error for an unknown method or gene (the message lists them), a
// method whose experiment kinds are absent (naming them), or both method and model_file.
inference infer(const experiment_set& data, const infer_options& options = {});

// infer() without the list of named edges, for genome-scale lists: the (G, G) scores
// (entries outside the chosen pairs are not read and may be 0), or streamed the (R, G)
// scores of the regulators' rows, and the ranking as flat indices row * G + t into them
// (rank_pair_indices), 8 bytes a pair. infer() is this, each index turned into an edge;
// write_ranked_pairs(path, scores, row names, data.genes, order, ...) writes the same file
// as write_edges of infer()'s edges (row names: data.genes, or the regulators' names).
struct pair_inference {
    tensor<double> scores;
    // The gene of each row of scores: empty when scores is (G, G); streamed, the chosen
    // regulators in gene order, and scores is (R, G). order indexes scores either way.
    std::vector<std::size_t> score_rows;
    std::vector<std::size_t> order;  // best first
    std::size_t regulator_of(std::size_t k) const {
        return score_rows.empty() ? k / scores.shape(1) : score_rows[k / scores.shape(1)];
    }
    std::size_t target_of(std::size_t k) const { return k % scores.shape(1); }
    // The names of the rows of scores (write_ranked_pairs' row names): genes, or the
    // streamed regulators' names.
    std::vector<std::string> row_names(const std::vector<std::string>& genes) const {
        if (score_rows.empty()) return genes;
        std::vector<std::string> out;
        for (std::size_t r : score_rows) out.push_back(genes[r]);
        return out;
    }
    std::string method;
    std::size_t pairs_scored = 0;
    experiment_kinds used;
    std::vector<std::string> warnings;
};
pair_inference infer_pairs(const experiment_set& data, const infer_options& options = {});

// The methods infer() accepts by name: the shipped models, then the baselines.
std::vector<std::string> infer_method_names();
// The shipped model for these kinds: evidence-mlp when any steady-state kind is present,
// context-mlp for time series alone.
std::string default_method(const experiment_kinds& present);

// Shipped models, found by name ("evidence-mlp", "context-mlp") in, in order:
// $KNIT_MODEL_DIR, the source tree's models/ (builds from a checkout or add_subdirectory),
// and the installed share/knit/models. Throws knit::io_error naming every folder tried.
std::vector<std::string> shipped_model_names();
std::string shipped_model_path(const std::string& name);
std::unique_ptr<pair_model> load_shipped_model(const std::string& name);

}  // namespace knit::grn
