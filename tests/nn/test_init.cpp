#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "knit/nn/init.hpp"

using namespace knit;
using nn::init;

namespace {
std::vector<double> draw(const init& how, std::size_t rows, std::size_t cols, std::size_t fi, std::size_t fo) {
    std::vector<double> v(rows * cols);
    rng g(11);
    nn::initialize(how, v.data(), rows, cols, fi, fo, g);
    return v;
}
double max_abs(const std::vector<double>& v) {
    double m = 0;
    for (double x : v) m = std::max(m, std::abs(x));
    return m;
}
double stddev(const std::vector<double>& v) {
    double s = 0, s2 = 0;
    for (double x : v) { s += x; s2 += x * x; }
    const double mean = s / v.size();
    return std::sqrt(s2 / v.size() - mean * mean);
}
}  // namespace

TEST_CASE("uniform initialisers respect their limits and fill them") {
    const double glorot = std::sqrt(6.0 / (100 + 50));
    auto g = draw(init::glorot_uniform(), 100, 50, 100, 50);
    CHECK(max_abs(g) <= glorot);
    CHECK(max_abs(g) > 0.98 * glorot);
    CHECK(stddev(g) == doctest::Approx(glorot / std::sqrt(3.0)).epsilon(0.03));
    auto h = draw(init::he_uniform(), 100, 50, 100, 50);
    CHECK(max_abs(h) <= std::sqrt(6.0 / 100));
    auto t = draw(init::torch_default(), 100, 50, 100, 50);
    CHECK(max_abs(t) <= 0.1);
    CHECK(max_abs(t) > 0.098);
}

TEST_CASE("normal initialisers have the intended variance, truncated or not") {
    const double s = std::sqrt(2.0 / (200 + 100));
    CHECK(stddev(draw(init::glorot_normal(false), 200, 100, 200, 100)) == doctest::Approx(s).epsilon(0.03));
    auto keras = draw(init::glorot_normal(true), 200, 100, 200, 100);
    CHECK(max_abs(keras) <= 2 * s / nn::truncated_normal_std_correction + 1e-12);
    CHECK(stddev(keras) == doctest::Approx(s).epsilon(0.03));
    CHECK(stddev(draw(init::he_normal(false), 200, 100, 200, 100)) == doctest::Approx(std::sqrt(0.01)).epsilon(0.03));
}

TEST_CASE("orthogonal gives orthonormal rows (wide) or columns (tall), scaled by the gain") {
    for (auto [rows, cols] : {std::pair<std::size_t, std::size_t>{21, 84}, {84, 21}, {16, 16}}) {
        auto q = draw(init::orthogonal(2.0), rows, cols, rows, cols);
        const bool wide = rows < cols;
        const std::size_t k = wide ? rows : cols, len = wide ? cols : rows;
        for (std::size_t a = 0; a < k; ++a)
            for (std::size_t b = 0; b < k; ++b) {
                double dot = 0;
                for (std::size_t i = 0; i < len; ++i)
                    dot += wide ? q[a * cols + i] * q[b * cols + i] : q[i * cols + a] * q[i * cols + b];
                REQUIRE(dot == doctest::Approx(a == b ? 4.0 : 0.0).epsilon(1e-9).scale(1.0));
            }
    }
}

TEST_CASE("constant, zeros, and bad arguments") {
    CHECK(draw(init::constant(1.5), 2, 3, 2, 3) == std::vector<double>(6, 1.5));
    CHECK(draw(init::zeros(), 2, 3, 2, 3) == std::vector<double>(6, 0.0));
    std::vector<double> v(4);
    rng g(1);
    CHECK_THROWS_AS(nn::initialize(init::glorot_uniform(), v.data(), 2, 2, 0, 2, g), value_error);
    CHECK_THROWS_AS(nn::initialize(init::uniform(1, 0), v.data(), 2, 2, 2, 2, g), value_error);
    CHECK(init::glorot_normal().name() == "glorot_normal");
}
