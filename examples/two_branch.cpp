// A two-branch network: each branch reads its own slice of the input columns, the
// outputs are concatenated and a head decides. The task needs both halves: do vectors a
// and b have sums of the same sign? (The paper's AE-NN has this shape, with one branch
// per gene of a candidate regulator/target pair.)
//
//   ./example_two_branch
#include <knit/knit.hpp>
#include <knit/nn/branches.hpp>

#include <cstdio>

int main() try {
    using namespace knit;
    const std::size_t n = 3000;
    rng g(3);
    tensor<float> x = tensor<float>::from_shape({n, 6}), y = tensor<float>::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) {
        float sum_a = 0, sum_b = 0;
        for (std::size_t j = 0; j < 3; ++j) sum_a += (x(i, j) = float(g.uniform(-1, 1)));
        for (std::size_t j = 3; j < 6; ++j) sum_b += (x(i, j) = float(g.uniform(-1, 1)));
        y(i, 0) = (sum_a > 0) == (sum_b > 0) ? 1.f : 0.f;
    }

    auto two = std::make_unique<nn::branches<float>>();
    two->add_branch(0, 3).add(nn::dense<float>(8, nn::activation::tanh));  // reads a
    two->add_branch(3, 6).add(nn::dense<float>(8, nn::activation::tanh));  // reads b
    nn::sequential<float> model({6});
    model.add(std::unique_ptr<nn::layer<float>>(std::move(two)));
    model.add(nn::dense<float>(16, nn::activation::tanh));
    model.add(nn::dense<float>(1, nn::activation::sigmoid));
    model.compile(/*seed=*/4);
    std::printf("%s\n", model.summary().c_str());

    nn::binary_crossentropy<float> loss;
    nn::adam<float> adam(nn::adam_options{0.01});
    nn::fit_options<float> options;
    options.epochs = 40;
    options.validation_split = 0.2;
    options.metrics = {nn::metric::binary_accuracy};
    const auto h = nn::fit(model, x, y, loss, adam, options);
    const double accuracy = h.epochs.back().val_metrics.at("binary_accuracy");
    std::printf("validation accuracy: %.1f %% after %zu epochs\n", 100 * accuracy, h.epochs.size());
    return accuracy > 0.9 ? 0 : 1;
} catch (const knit::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
}
