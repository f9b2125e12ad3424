// Small synthetic time series for grn tests: genes G1..Gn, `experiments` experiments of
// `steps` points at times 0, 1, 2, ..., each value given by value(experiment, step, gene).
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "knit/grn/expression.hpp"

namespace knit::test {

template <class Value>
grn::time_series_data make_series(std::size_t genes, std::size_t experiments, std::size_t steps, Value&& value) {
    grn::time_series_data d;
    for (std::size_t g = 0; g < genes; ++g) d.genes.push_back("G" + std::to_string(g + 1));
    for (std::size_t e = 0; e < experiments; ++e) {
        grn::time_series_experiment ex;
        ex.values = tensor<double>::from_shape({steps, genes});
        for (std::size_t k = 0; k < steps; ++k) {
            ex.times.push_back(static_cast<double>(k));
            for (std::size_t g = 0; g < genes; ++g) ex.values(k, g) = value(e, k, g);
        }
        d.experiments.push_back(std::move(ex));
    }
    return d;
}

// Textbook two-pass Pearson correlation of two equal-length vectors.
inline double naive_pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const double n = static_cast<double>(a.size());
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= n;
    mb /= n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / std::sqrt(saa * sbb);
}

}  // namespace knit::test
