#include "knit/grn/models/ensemble_scoring.hpp"

#include <algorithm>
#include <cstring>
#include <exception>

#include "knit/core/error.hpp"
#include "knit/core/parallel.hpp"

namespace knit::grn {

std::unique_ptr<nn::sequential<float>> copy_network(const nn::sequential<float>& from, const network_maker& make) {
    std::unique_ptr<nn::sequential<float>> copy = make();
    copy->compile(0);
    const auto& weights = from.store();
    KNIT_CHECK_AS(state_error, copy->store().size() == weights.size(),
                  "pair scoring: a network copy has " << copy->store().size() << " parameters, expected "
                                                      << weights.size());
    std::memcpy(copy->store().values(), weights.values(), weights.size() * sizeof(float));
    return copy;
}

tensor<double> score_pair_rows(const std::vector<std::unique_ptr<nn::sequential<float>>>& members,
                               std::size_t genes, std::size_t features, const feature_fill& fill,
                               const network_maker& make_member, const pair_scoring_options& options) {
    std::vector<std::size_t> every(genes);
    for (std::size_t g = 0; g < genes; ++g) every[g] = g;
    return score_pair_rows(members, every, genes, features, fill, make_member, options);
}

tensor<double> score_pair_rows(const std::vector<std::unique_ptr<nn::sequential<float>>>& members,
                               const std::vector<std::size_t>& regulators, std::size_t genes, std::size_t features,
                               const feature_fill& fill, const network_maker& make_member,
                               const pair_scoring_options& options) {
    KNIT_CHECK_AS(state_error, !members.empty(), "pair scoring: got no ensemble member, expected a trained model");
    KNIT_CHECK_AS(value_error, options.threads >= 1 && options.block_rows >= 1,
                  "pair scoring: got threads " << options.threads << " and block rows " << options.block_rows
                                               << ", expected both >= 1");
    for (std::size_t r : regulators)
        KNIT_CHECK_AS(value_error, r < genes, "pair scoring: got regulator " << r << ", expected < " << genes);
    const std::size_t rows = regulators.size() * genes;
    KNIT_CHECK_AS(value_error, options.fill_blocks >= 1, "pair scoring: got fill blocks 0, expected >= 1");
    // Units of fill_blocks blocks (at most all of them): one fill() call each, then its
    // blocks one by one.
    const std::size_t blocks = rows / options.block_rows + (rows % options.block_rows != 0);
    const std::size_t unit_rows = std::min(options.fill_blocks, std::max<std::size_t>(blocks, 1)) * options.block_rows;
    const std::size_t units = rows / unit_rows + (rows % unit_rows != 0);
    communicator& ranks = options.ranks ? *options.ranks : this_process();
    check_same_on_every_rank(ranks, options.fill_blocks, "pair scoring: the fill blocks");
    check_same_on_every_rank(ranks, rows, "pair scoring: the pairs to score");
    check_same_on_every_rank(ranks, genes, "pair scoring: the genes");
    check_same_on_every_rank(ranks, features, "pair scoring: the features per pair");
    check_same_on_every_rank(ranks, options.block_rows, "pair scoring: the block rows");
    // This rank's units: rank, rank + K, rank + 2K, ...
    std::vector<std::size_t> mine;
    for (std::size_t unit = ranks.rank(); unit < units; unit += ranks.size()) mine.push_back(unit);
    tensor<double> out = xt::zeros<double>({regulators.size(), genes});
    double* scores = out.data();
    const double count = double(members.size());
    // One task per thread, each with its own copy of the members (same layers, same
    // weights), made once, and one input buffer; task w scores this rank's units w,
    // w + T, w + 2T, ...
    const std::size_t tasks = std::min(options.threads, mine.size());
    std::exception_ptr failure;
    try {
        parallel_for(tasks, options.threads, [&](std::size_t task) {
            std::vector<std::unique_ptr<nn::sequential<float>>> copies;
            for (const auto& member : members) copies.push_back(copy_network(*member, make_member));
            std::vector<float> filled;
            tensor<float> x;
            for (std::size_t i = task; i < mine.size(); i += tasks) {
                const std::size_t unit_begin = mine[i] * unit_rows, unit_end = std::min(rows, unit_begin + unit_rows);
                filled.resize((unit_end - unit_begin) * features);
                fill(unit_begin, unit_end, filled.data());
                for (std::size_t begin = unit_begin; begin < unit_end; begin += options.block_rows) {
                    const std::size_t end = std::min(unit_end, begin + options.block_rows);
                    if (x.dimension() != 2 || x.shape(0) != end - begin)
                        x = tensor<float>::from_shape({end - begin, features});
                    std::copy(filled.begin() + std::ptrdiff_t((begin - unit_begin) * features),
                              filled.begin() + std::ptrdiff_t((end - unit_begin) * features), x.data());
                    for (auto& copy : copies) {
                        const tensor<float>& p = copy->forward(x, nn::mode::infer);
                        for (std::size_t row = begin; row < end; ++row)
                            if (regulators[row / genes] != row % genes)
                                scores[row] += double(p.data()[row - begin]) / count;
                    }
                }
            }
        });
    } catch (...) {
        failure = std::current_exception();
    }
    rethrow_on_every_rank(ranks, failure, "pair scoring");
    if (ranks.size() > 1) ranks.sum(scores, rows);
    return out;
}

std::vector<double> score_in_chunks(nn::sequential<float>& net, const network_maker& make, std::size_t count,
                                    std::size_t chunk, std::size_t stride, std::size_t column, const chunk_fill& fill,
                                    const pair_scoring_options& options) {
    KNIT_CHECK_AS(value_error, options.threads >= 1 && chunk >= 1,
                  "record scoring: got threads " << options.threads << " and chunk " << chunk
                                                 << ", expected both >= 1");
    communicator& ranks = options.ranks ? *options.ranks : this_process();
    check_same_on_every_rank(ranks, count, "record scoring: the records to score");
    const std::size_t chunks = count / chunk + (count % chunk != 0);
    std::vector<std::size_t> mine;  // this rank's chunks: rank, rank + K, ...
    for (std::size_t c = ranks.rank(); c < chunks; c += ranks.size()) mine.push_back(c);
    std::vector<double> out(count, 0.0);
    const std::size_t tasks = std::min(options.threads, mine.size());
    std::exception_ptr failure;
    try {
        // The copies are made before any task runs, so none reads `net` while task 0's
        // forward passes write its buffers.
        std::vector<std::unique_ptr<nn::sequential<float>>> copies;
        for (std::size_t task = 1; task < tasks; ++task) copies.push_back(copy_network(net, make));
        parallel_for(tasks, options.threads, [&](std::size_t task) {
            nn::sequential<float>& own = task == 0 ? net : *copies[task - 1];
            tensor<float> input;
            for (std::size_t i = task; i < mine.size(); i += tasks) {
                const std::size_t begin = mine[i] * chunk, end = std::min(count, begin + chunk);
                fill(begin, end, input);
                const tensor<float>& p = own.forward(input, nn::mode::infer);
                for (std::size_t r = begin; r < end; ++r) out[r] = p.data()[(r - begin) * stride + column];
            }
        });
    } catch (...) {
        failure = std::current_exception();
    }
    rethrow_on_every_rank(ranks, failure, "record scoring");
    if (ranks.size() > 1) ranks.sum(out.data(), count);
    return out;
}

}  // namespace knit::grn
