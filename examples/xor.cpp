// The smallest complete knit program: build a network, train it on XOR with a progress
// bar, report accuracy, save it, load it into a fresh model, and check both agree.
//
//   ./example_xor [model-path]
#include <knit/knit.hpp>

#include <cstdio>
#include <filesystem>

int main(int argc, char** argv) try {
    using namespace knit;
    const std::string path = argc > 1 ? argv[1] : (std::filesystem::temp_directory_path() / "xor.knit").string();

    const tensor<float> x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    tensor<float> y = {0, 1, 1, 0};
    y.reshape({4, 1});  // one target column

    auto build = [] {
        auto m = std::make_unique<nn::sequential<float>>(shape_t{2});
        m->add(nn::dense<float>(8, nn::activation::tanh));
        m->add(nn::dense<float>(1, nn::activation::sigmoid));
        return m;
    };
    auto model = build();
    model->compile(/*seed=*/1);
    std::printf("%s\n", model->summary().c_str());

    nn::binary_crossentropy<float> loss;
    nn::adam<float> optimizer(nn::adam_options{0.05});
    nn::fit_options<float> options;
    options.epochs = 400;
    options.batch_size = 4;
    options.metrics = {nn::metric::binary_accuracy};
    const nn::history h = nn::fit(*model, x, y, loss, optimizer, options);
    std::printf("trained %zu epochs: loss %.4f -> %.4f\n", h.epochs.size(), h.epochs.front().loss,
                h.epochs.back().loss);

    const auto result = nn::evaluate(*model, x, y, loss, {nn::metric::binary_accuracy});
    std::printf("accuracy %.0f %%\n", 100 * result.metrics.at("binary_accuracy"));

    nn::save(*model, path);
    auto reloaded = build();
    reloaded->compile(/*seed=*/99);  // different initial weights, replaced by load()
    nn::load(*reloaded, path);
    const tensor<float> before = nn::predict(*model, x), after = nn::predict(*reloaded, x);
    for (std::size_t i = 0; i < 4; ++i)
        std::printf("xor(%g, %g) = %.3f (reloaded %.3f)\n", x(i, 0), x(i, 1), before(i, 0), after(i, 0));
    std::printf("saved to %s\n", path.c_str());
    return before == after && result.metrics.at("binary_accuracy") == 1.0 ? 0 : 1;
} catch (const knit::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
}
