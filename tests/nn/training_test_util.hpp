// Helpers shared by the training tests (data sources, callbacks, checkpoints, metrics):
// a small two-class problem, a model with dropout, bit-exact comparisons, temp files.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "knit/core/random.hpp"
#include "knit/core/tensor.hpp"
#include "knit/nn/dense.hpp"
#include "knit/nn/dropout.hpp"
#include "knit/nn/sequential.hpp"

namespace knit::test {

// n rows of 4 features; the label is whether a fixed linear score is positive, with 10 %
// of the labels flipped so that no model reaches zero loss.
struct labelled {
    tensor<float> x, y;
};
inline labelled two_class_data(std::size_t n, std::uint64_t seed) {
    rng g(seed);
    labelled d{tensor<float>::from_shape({n, 4}), tensor<float>::from_shape({n, 1})};
    for (std::size_t i = 0; i < n; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            d.x(i, j) = static_cast<float>(g.normal());
            s += d.x(i, j) * double(j + 1) * (j % 2 ? -1 : 1);
        }
        const bool label = (s > 0) != (g.uniform() < 0.1);
        d.y(i, 0) = label ? 1.f : 0.f;
    }
    return d;
}

// dense(16, relu) -> dropout(0.3) -> dense(1, sigmoid), compiled from `seed`.
inline std::unique_ptr<nn::sequential<float>> dropout_model(std::uint64_t seed, std::uint64_t dropout_seed = 11) {
    auto m = std::make_unique<nn::sequential<float>>(shape_t{4});
    m->add(nn::dense<float>(16, nn::activation::relu));
    m->add(nn::dropout<float>(0.3, dropout_seed));
    m->add(nn::dense<float>(1, nn::activation::sigmoid));
    m->compile(seed);
    return m;
}

inline bool same_values(const nn::sequential<float>& a, const nn::sequential<float>& b) {
    return a.store().size() == b.store().size() &&
           std::equal(a.store().values(), a.store().values() + a.store().size(), b.store().values());
}

// A path in the temp folder, unique to this process.
inline std::string temp_file(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("knit_test_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

}  // namespace knit::test
