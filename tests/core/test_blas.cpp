#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "knit/core/blas.hpp"
#include "knit/core/random.hpp"

using knit::transpose;

namespace {
template <class T>
void check_against_reference(transpose ta, transpose tb, std::size_t m, std::size_t n,
                             std::size_t k, T alpha, T beta, double tol) {
    knit::rng g(m * 131 + n * 17 + k);
    const std::size_t lda = (ta == transpose::yes ? m : k) + 3;  // padded strides
    const std::size_t ldb = (tb == transpose::yes ? k : n) + 2;
    const std::size_t ldc = n + 1;
    std::vector<T> a((ta == transpose::yes ? k : m) * lda), b((tb == transpose::yes ? n : k) * ldb);
    std::vector<T> c(m * ldc);
    for (auto& v : a) v = T(g.uniform(-1, 1));
    for (auto& v : b) v = T(g.uniform(-1, 1));
    for (auto& v : c) v = T(g.uniform(-1, 1));
    std::vector<T> expected = c;
    knit::gemm(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
    knit::gemm_reference(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta,
                         expected.data(), ldc);
    for (std::size_t i = 0; i < c.size(); ++i) REQUIRE(std::abs(c[i] - expected[i]) <= tol);
}
}  // namespace

TEST_CASE("gemm equals the naive reference for every transpose pair, alpha and beta") {
    for (auto ta : {transpose::no, transpose::yes})
        for (auto tb : {transpose::no, transpose::yes}) {
            check_against_reference<double>(ta, tb, 7, 5, 3, 1.0, 0.0, 1e-13);
            check_against_reference<double>(ta, tb, 100, 21, 64, -0.5, 1.0, 1e-12);
            check_against_reference<float>(ta, tb, 100, 128, 34, 2.0f, 0.25f, 1e-4);
        }
}

TEST_CASE("gemm with beta = 0 ignores NaN already in C, as BLAS does") {
    std::vector<double> a{1, 2, 3, 4}, b{1, 0, 0, 1}, c(4, std::nan(""));
    knit::gemm(transpose::no, transpose::no, 2, 2, 2, 1.0, a.data(), 2, b.data(), 2, 0.0, c.data(), 2);
    CHECK(c == std::vector<double>{1, 2, 3, 4});
    std::vector<double> r(4, std::nan(""));
    knit::gemm_reference(transpose::no, transpose::no, 2, 2, 2, 1.0, a.data(), 2, b.data(), 2, 0.0, r.data(), 2);
    CHECK(r == c);
}

TEST_CASE("gemm with an empty inner dimension scales C by beta") {
    std::vector<double> c{1, 2, 3, 4};
    knit::gemm(transpose::no, transpose::no, 2, 2, 0, 1.0, nullptr, 1, nullptr, 2, 0.5, c.data(), 2);
    CHECK(c == std::vector<double>{0.5, 1, 1.5, 2});
}

TEST_CASE("the BLAS core name is known and an override is only proposed for a fallback") {
    const std::string core = knit::blas_core_name();
    CHECK_FALSE(core.empty());
    const std::string wanted = knit::blas_core_override();
    if (!wanted.empty()) {
        CHECK((core == "Prescott" || core == "Core2" || core == "Nehalem"));
        CHECK((wanted == "SkylakeX" || wanted == "Haswell"));
    }
}
