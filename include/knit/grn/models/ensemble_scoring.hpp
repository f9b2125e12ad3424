// Scoring in parallel blocks: every ordered pair of one network with an ensemble of small
// networks whose input is one feature row per pair (context-mlp, evidence-mlp,
// score_pair_rows), and any list of records with one network (the paper's rnn, cnn and
// ae-nn, score_in_chunks).
//
// score_pair_rows:
//
//   rows:    r * G + t for the ordered pair (r, t); the G diagonal rows are skipped
//   fill:    fill(begin, end, out) writes feature rows [begin, end) into out,
//            (end - begin, F) floats, row-major
//   result:  (G, G) with [r, t] = mean over members m of P_m(edge | row r * G + t),
//            diagonal 0; members are added in order, each divided by the member count
//
// Only one unit of features (fill_blocks blocks; one block by default) and one block of
// activations per task is alive at a time, so memory is
// O(threads x unit x F + threads x block x hidden) beyond the caller's feature source,
// not O(G^2 x F). Each of the min(threads, units) tasks copies the members once (a forward
// pass writes the layers' buffers, so two tasks cannot share one network) and scores every
// threads-th unit. With options.ranks (MPI ranks, knit/core/communicator.hpp) rank k
// scores units k, k + K, k + 2K, ... that way and the ranks sum their results, each entry
// nonzero on one rank only. Blocks are fixed by block_rows alone, never by the thread or
// rank count or fill_blocks, so the result is bit-identical for every thread and rank
// count. Against one forward pass over all rows (knit before blocks) a score can
// move in its last bits: OpenBLAS picks its kernels by the product's size, and a narrower
// or smaller-matrix kernel sums in another order (measured on 2,000 genes: at most
// 1.4e-7). tests/grn/test_ensemble_scoring.cpp checks both.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "knit/core/communicator.hpp"
#include "knit/core/tensor.hpp"
#include "knit/nn/sequential.hpp"

namespace knit::grn {

struct pair_scoring_options {
    std::size_t threads = 1;        // knit::parallel_for's threads (knit-grn's --threads)
    std::size_t block_rows = 8192;  // feature rows per forward pass
    // The processes that share the work (every one calls with the same data and gets the
    // whole result); nullptr: this process alone.
    communicator* ranks = nullptr;
    // Blocks whose features one fill() call makes, then scored block by block: for a
    // feature source with a large cost per call (streamed_dynamics_features computes
    // products for the regulators a call covers). Each block's forward pass is the same
    // whatever the value; a feature source may round its rows differently for another
    // unit (a product of another shape), so keep it the same to keep the bits.
    std::size_t fill_blocks = 1;
};

using feature_fill = std::function<void(std::size_t begin, std::size_t end, float* out)>;
// Builds a network's layers, not compiled (a model's own build function).
using network_maker = std::function<std::unique_ptr<nn::sequential<float>>()>;

// A compiled copy of `from` (same layers, same weights) built by make(). A forward pass
// writes its network's buffers, so two tasks cannot share one network; each gets a copy.
// Throws knit::state_error when make() builds another parameter count.
std::unique_ptr<nn::sequential<float>> copy_network(const nn::sequential<float>& from, const network_maker& make);

// Requires at least one member, compiled, all with input (F) and output (1) per row.
tensor<double> score_pair_rows(const std::vector<std::unique_ptr<nn::sequential<float>>>& members,
                               std::size_t genes, std::size_t features, const feature_fill& fill,
                               const network_maker& make_member,
                               const pair_scoring_options& options = {});
// The same for the rows of some regulators only (gene indices, R of them, any order):
// rows i * G + t for the pair (regulators[i], t), skipped where the two are one gene;
// result (R, G) with [i, t] the pair's score. The overload above is this one with every
// gene, 0, ..., G - 1, as a regulator.
tensor<double> score_pair_rows(const std::vector<std::unique_ptr<nn::sequential<float>>>& members,
                               const std::vector<std::size_t>& regulators, std::size_t genes, std::size_t features,
                               const feature_fill& fill, const network_maker& make_member,
                               const pair_scoring_options& options = {});

// score_in_chunks: the scores of `count` records with one network, in chunks of `chunk`
// records. fill(begin, end, input) writes the network's input for records [begin, end)
// (it is called from several tasks at once, so it may only read shared data); the
// network's output row i gives the score output[i * stride + column] (column 1 of a
// 2-class softmax, column 0 of a sigmoid). Chunk c goes to rank c mod K (options.ranks)
// and, on its rank, to one of min(threads, its chunks) tasks; task 0 uses `net`, the others
// a copy made by copy_network(net, make) before the tasks start. Each score is computed
// once, on one rank, and the ranks sum their vectors (zero where another rank scored),
// so every rank gets the whole list. Chunks are fixed by `chunk` alone, so the scores are
// the same, bit for bit, for every thread and rank count.
using chunk_fill = std::function<void(std::size_t begin, std::size_t end, tensor<float>& input)>;
std::vector<double> score_in_chunks(nn::sequential<float>& net, const network_maker& make, std::size_t count,
                                    std::size_t chunk, std::size_t stride, std::size_t column, const chunk_fill& fill,
                                    const pair_scoring_options& options = {});

}  // namespace knit::grn
