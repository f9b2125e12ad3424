#include "knit/grn/models/ensemble_scoring.hpp"

#include <algorithm>
#include <cstring>

#include "knit/core/error.hpp"
#include "knit/core/parallel.hpp"

namespace knit::grn {

tensor<double> score_pair_rows(const std::vector<std::unique_ptr<nn::sequential<float>>>& members,
                               std::size_t genes, std::size_t features, const feature_fill& fill,
                               const std::function<std::unique_ptr<nn::sequential<float>>()>& make_member,
                               const pair_scoring_options& options) {
    KNIT_CHECK_AS(state_error, !members.empty(), "pair scoring: got no ensemble member, expected a trained model");
    KNIT_CHECK_AS(value_error, options.threads >= 1 && options.block_rows >= 1,
                  "pair scoring: got threads " << options.threads << " and block rows " << options.block_rows
                                               << ", expected both >= 1");
    const std::size_t rows = genes * genes;
    const std::size_t blocks = rows / options.block_rows + (rows % options.block_rows != 0);
    tensor<double> out = xt::zeros<double>({genes, genes});
    double* scores = out.data();
    const double count = double(members.size());
    parallel_for(blocks, options.threads, [&](std::size_t block) {
        const std::size_t begin = block * options.block_rows, end = std::min(rows, begin + options.block_rows);
        tensor<float> x = tensor<float>::from_shape({end - begin, features});
        fill(begin, end, x.data());
        for (const auto& member : members) {
            // The task's own copy: same layers, same weights.
            const auto copy = make_member();
            copy->compile(0);
            const auto& from = member->store();
            KNIT_CHECK_AS(state_error, copy->store().size() == from.size(),
                          "pair scoring: a member copy has " << copy->store().size() << " parameters, expected "
                                                             << from.size());
            std::memcpy(copy->store().values(), from.values(), from.size() * sizeof(float));
            const tensor<float>& p = copy->forward(x, nn::mode::infer);
            for (std::size_t row = begin; row < end; ++row)
                if (row / genes != row % genes) scores[row] += double(p.data()[row - begin]) / count;
        }
    });
    return out;
}

}  // namespace knit::grn
