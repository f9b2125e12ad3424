#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "knit/core/random.hpp"

TEST_CASE("rng: the same seed gives the same draws, another seed other draws") {
    knit::rng a(7), b(7), c(8);
    for (int i = 0; i < 100; ++i) {
        const double x = a.uniform();
        CHECK(x == b.uniform());
        CHECK(x >= 0.0);
        CHECK(x < 1.0);
    }
    knit::rng d(7);
    int same = 0;
    for (int i = 0; i < 100; ++i) same += d.uniform() == c.uniform();
    CHECK(same == 0);
}

TEST_CASE("rng: uniform and normal have the moments they should") {
    knit::rng g(1);
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; ++i) {
        su += g.uniform(-2, 4);
        const double z = g.normal(3, 2);
        sn += z;
        sn2 += z * z;
    }
    CHECK(su / n == doctest::Approx(1.0).epsilon(0.01));
    const double mean = sn / n;
    CHECK(mean == doctest::Approx(3.0).epsilon(0.01));
    CHECK(std::sqrt(sn2 / n - mean * mean) == doctest::Approx(2.0).epsilon(0.01));
}

TEST_CASE("rng: truncated normal stays within two standard deviations") {
    knit::rng g(2);
    for (int i = 0; i < 10000; ++i) {
        const double z = g.truncated_normal(1, 0.5);
        REQUIRE(z >= 0.0);
        REQUIRE(z <= 2.0);
    }
}

TEST_CASE("rng: below is unbiased and in range; permutation is a permutation") {
    knit::rng g(3);
    std::vector<int> counts(6, 0);
    for (int i = 0; i < 60000; ++i) ++counts[g.below(6)];
    for (int c : counts) CHECK(c == doctest::Approx(10000).epsilon(0.05));
    CHECK_THROWS_AS(g.below(0), knit::error);
    auto p = knit::permutation(1000, g);
    std::vector<std::size_t> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) REQUIRE(sorted[i] == i);
    CHECK_FALSE(std::is_sorted(p.begin(), p.end()));
}

TEST_CASE("rng: state() and set_state() continue the same draws, spare normal included") {
    knit::rng a(11);
    for (int i = 0; i < 5; ++i) a.uniform();
    a.normal();  // leaves a spare
    const std::string saved = a.state();
    knit::rng b(99);
    b.set_state(saved);
    for (int i = 0; i < 50; ++i) {
        CHECK(a.normal() == b.normal());
        CHECK(a.bits() == b.bits());
    }
    knit::rng c(1);
    CHECK_THROWS_AS(c.set_state("1 2 3"), knit::value_error);
    CHECK_THROWS_AS(c.set_state(saved + " 7"), knit::value_error);
    CHECK(c.uniform() == knit::rng(1).uniform());  // a refused state leaves the engine as it was
}
