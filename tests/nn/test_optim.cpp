#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "knit/nn/optim/adam.hpp"
#include "knit/nn/optim/rmsprop.hpp"
#include "knit/nn/optim/sgd.hpp"
#include "support/simd_levels.hpp"
#include "support/fixtures.hpp"

using namespace knit;

namespace {

// Builds an optimiser from a fixture's "<config>_hyper" vector (layouts in
// tests/fixtures/make_optim_fixtures.py).
template <class T>
using optimizer_factory = std::function<std::unique_ptr<nn::optimizer<T>>(const tensor<double>&)>;

template <class T>
std::unique_ptr<nn::optimizer<T>> make_sgd(const tensor<double>& h) {
    return std::make_unique<nn::sgd<T>>(nn::sgd_options{h(0), h(1), h(4) != 0, h(3), h(2)});
}
template <class T>
std::unique_ptr<nn::optimizer<T>> make_rmsprop(const tensor<double>& h) {
    return std::make_unique<nn::rmsprop<T>>(nn::rmsprop_options{h(0), h(1), h(2), h(3), h(4) != 0});
}
template <class T>
std::unique_ptr<nn::optimizer<T>> make_adam(const tensor<double>& h) {
    return std::make_unique<nn::adam<T>>(nn::adam_options{
        h(0), h(1), h(2), h(3), h(4) != 0 ? nn::adam_eps::keras : nn::adam_eps::pytorch, h(5) != 0});
}

// Steps a fresh optimiser three times from p0 over g1..g3 and compares every parameter
// after every step; returns the number of configurations checked.
template <class T>
std::size_t check_against_fixture(const std::string& file, const optimizer_factory<T>& make, double rtol,
                                  double atol) {
    const test::fixture f = test::load_fixture(file);
    const tensor<double>& p0 = test::get(f, "p0");
    std::size_t configs = 0;
    for (const auto& [key, hyper] : f) {
        const std::string suffix = "_hyper";
        if (key.size() <= suffix.size() || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string config = key.substr(0, key.size() - suffix.size());
        CAPTURE(file);
        CAPTURE(config);
        auto opt = make(hyper);
        std::vector<T> values(p0.begin(), p0.end());
        for (int t = 1; t <= 3; ++t) {
            CAPTURE(t);
            const tensor<double>& g = test::get(f, "g" + std::to_string(t));
            const std::vector<T> grads(g.begin(), g.end());
            opt->step(values.data(), grads.data(), values.size());
            CHECK(opt->steps() == static_cast<std::size_t>(t));
            CHECK(std::equal(grads.begin(), grads.end(), g.begin(),
                             [](T a, double b) { return a == static_cast<T>(b); }));  // untouched
            const tensor<double>& expected = test::get(f, config + "_p" + std::to_string(t));
            double worst = 0;
            std::size_t worst_index = 0;
            for (std::size_t i = 0; i < values.size(); ++i) {
                const double err = std::abs(values[i] - expected(i)) / (atol + rtol * std::abs(expected(i)));
                if (!(err <= worst)) worst = err, worst_index = i;
            }
            INFO("element " << worst_index << ": got " << values[worst_index] << ", expected "
                            << expected(worst_index));
            CHECK(worst <= 1.0);
        }
        ++configs;
    }
    return configs;
}

}  // namespace

TEST_CASE("the first three optimiser steps equal PyTorch's (double)") {
    CHECK(check_against_fixture<double>("optim_sgd.txt", make_sgd<double>, 1e-13, 1e-15) == 7);
    CHECK(check_against_fixture<double>("optim_rmsprop.txt", make_rmsprop<double>, 1e-13, 1e-15) == 6);
    // torch_* from torch.optim.Adam, keras_* from the Keras 2.2 formula (see the script);
    // without AMSGrad through the Highway kernel, at every level
    test::for_each_simd_level(
        [] { CHECK(check_against_fixture<double>("optim_adam.txt", make_adam<double>, 1e-13, 1e-15) == 7); });
}

TEST_CASE("the float optimisers follow the same steps within float rounding") {
    CHECK(check_against_fixture<float>("optim_sgd.txt", make_sgd<float>, 1e-5, 1e-6) == 7);
    CHECK(check_against_fixture<float>("optim_rmsprop.txt", make_rmsprop<float>, 1e-5, 1e-6) == 6);
    // 40 parameters: at avx512 (Highway's AVX3 build) two vectors of 16 and a partial one,
    // at avx2 five vectors of 8, at scalar ten of 4
    test::for_each_simd_level(
        [] { CHECK(check_against_fixture<float>("optim_adam.txt", make_adam<float>, 1e-5, 1e-6) == 7); });
}

TEST_CASE("the fixtures tell the variants apart") {
    // Guards against a fixture in which eps placement or AMSGrad change nothing: then the
    // comparison above could not catch a wrong placement.
    const test::fixture f = test::load_fixture("optim_adam.txt");
    auto max_diff = [&](const std::string& a, const std::string& b) {
        double d = 0;
        const tensor<double>& x = test::get(f, a);
        const tensor<double>& y = test::get(f, b);
        for (std::size_t i = 0; i < x.size(); ++i) d = std::max(d, std::abs(x(i) - y(i)));
        return d;
    };
    CHECK(max_diff("torch_large_eps_p3", "keras_large_eps_p3") > 1e-3);
    CHECK(max_diff("torch_amsgrad_p3", "torch_no_amsgrad_p3") > 1e-3);

    // And our optimiser with the wrong placement misses the Keras values.
    nn::adam<double> wrong({5e-2, 0.9, 0.999, 1e-3, nn::adam_eps::pytorch, false});
    const tensor<double>& p0 = test::get(f, "p0");
    std::vector<double> values(p0.begin(), p0.end());
    const tensor<double>& g1 = test::get(f, "g1");
    wrong.step(values.data(), g1.data(), values.size());
    double d = 0;
    for (std::size_t i = 0; i < values.size(); ++i) d = std::max(d, std::abs(values[i] - test::get(f, "keras_large_eps_p1")(i)));
    CHECK(d > 1e-3);
}

TEST_CASE("optimisers step a param_store, refuse another size and reset") {
    param_store<double> store;
    using spec_list = std::vector<std::pair<std::string, param_spec>>;
    store.allocate(spec_list{{"a.weight", param_spec{"weight", {3, 2}}}, {"a.bias", param_spec{"bias", {2}}}});
    for (std::size_t i = 0; i < store.size(); ++i) {
        store.values()[i] = 0.1 * static_cast<double>(i);
        store.grads()[i] = 1.0 - 0.3 * static_cast<double>(i);
    }
    param_store<double> other;
    other.allocate(spec_list{{"b.weight", param_spec{"weight", {4}}}});
    for (std::size_t i = 0; i < other.size(); ++i) other.grads()[i] = 0.5;

    std::vector<std::unique_ptr<nn::optimizer<double>>> optimizers;
    optimizers.push_back(std::make_unique<nn::sgd<double>>(nn::sgd_options{0.1, 0.9, true}));
    optimizers.push_back(std::make_unique<nn::rmsprop<double>>(nn::rmsprop_options{0.01, 0.9, 1e-7, 0.5, true}));
    optimizers.push_back(std::make_unique<nn::adam<double>>(nn::adam_options{0.01, 0.9, 0.999, 1e-8, nn::adam_eps::pytorch, true}));
    for (auto& opt : optimizers) {
        CAPTURE(opt->name());
        const std::vector<double> before(store.values(), store.values() + store.size());
        opt->step(store);
        opt->step(store);
        CHECK(opt->steps() == 2);
        for (std::size_t i = 0; i < store.size(); ++i) CHECK(store.values()[i] != before[i]);
        CHECK_THROWS_WITH_AS(opt->step(other), doctest::Contains("got a buffer of 4 parameters, expected 8"),
                             state_error);
        CHECK(opt->steps() == 2);

        // After reset() the optimiser starts over on the other buffer, exactly like a new one.
        opt->reset();
        CHECK(opt->steps() == 0);
        std::vector<double> a(4, 1.0), b(4, 1.0);
        opt->step(a.data(), other.grads(), 4);
        opt->step(a.data(), other.grads(), 4);
        std::unique_ptr<nn::optimizer<double>> fresh;
        if (opt->name() == "sgd") fresh = std::make_unique<nn::sgd<double>>(nn::sgd_options{0.1, 0.9, true});
        if (opt->name() == "rmsprop") fresh = std::make_unique<nn::rmsprop<double>>(nn::rmsprop_options{0.01, 0.9, 1e-7, 0.5, true});
        if (opt->name() == "adam") fresh = std::make_unique<nn::adam<double>>(nn::adam_options{0.01, 0.9, 0.999, 1e-8, nn::adam_eps::pytorch, true});
        REQUIRE(fresh);
        fresh->step(b.data(), other.grads(), 4);
        fresh->step(b.data(), other.grads(), 4);
        CHECK(a == b);
        CHECK(a[0] != 1.0);
        CHECK_THROWS_AS(opt->step(store), state_error);
    }
}

TEST_CASE("the learning rate can change between steps") {
    nn::sgd<double> opt({0.5});
    std::vector<double> p{1.0, 2.0};
    const std::vector<double> g{1.0, -1.0};
    opt.step(p.data(), g.data(), 2);
    CHECK(p == std::vector<double>{0.5, 2.5});
    opt.set_learning_rate(0.25);
    CHECK(opt.options().lr == 0.25);
    opt.step(p.data(), g.data(), 2);
    CHECK(p == std::vector<double>{0.25, 2.75});
    CHECK_THROWS_AS(opt.set_learning_rate(-1), value_error);
}

TEST_CASE("optimiser options are validated") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(nn::sgd<double>({-0.1}), doctest::Contains("sgd lr: got -0.1, expected"), value_error);
    CHECK_THROWS_AS(nn::sgd<float>({nan}), value_error);
    CHECK_THROWS_AS(nn::sgd<double>({0.1, -0.9}), value_error);
    CHECK_THROWS_WITH_AS(nn::sgd<double>({0.1, 0.0, true}), doctest::Contains("expected momentum > 0"), value_error);
    CHECK_THROWS_AS(nn::sgd<double>({0.1, 0.9, true, 0.0, 0.1}), value_error);  // Nesterov with dampening
    CHECK_THROWS_AS(nn::sgd<double>({0.1, 0.9, false, -1.0}), value_error);
    CHECK_THROWS_AS(nn::sgd<double>({0.1, 0.9, false, 0.0, 1.5}), value_error);
    CHECK_NOTHROW(nn::sgd<double>({0.1, 0.9, true, 1e-4}));

    CHECK_THROWS_AS(nn::rmsprop<double>({-1e-3}), value_error);
    CHECK_THROWS_WITH_AS(nn::rmsprop<double>({1e-3, 1.0}), doctest::Contains("rho: got 1"), value_error);
    CHECK_THROWS_AS(nn::rmsprop<double>({1e-3, 0.9, -1e-7}), value_error);
    CHECK_THROWS_AS(nn::rmsprop<double>({1e-3, 0.9, 1e-7, -0.5}), value_error);
    CHECK(nn::rmsprop_options::torch().rho == 0.99);
    CHECK(nn::rmsprop_options::keras().eps == 1e-7);

    CHECK_THROWS_AS(nn::adam<double>({-1e-3}), value_error);
    CHECK_THROWS_WITH_AS(nn::adam<double>({1e-3, 1.0}), doctest::Contains("beta1: got 1"), value_error);
    CHECK_THROWS_AS(nn::adam<double>({1e-3, -0.1}), value_error);
    CHECK_THROWS_AS(nn::adam<double>({1e-3, 0.9, 1.0}), value_error);
    CHECK_THROWS_AS(nn::adam<double>({1e-3, 0.9, nan}), value_error);
    CHECK_THROWS_AS(nn::adam<double>({1e-3, 0.9, 0.999, -1e-8}), value_error);
    CHECK(nn::adam_options::keras().eps_placement == nn::adam_eps::keras);
    CHECK(nn::adam_options::keras().eps == 1e-7);
    CHECK(nn::adam_options::torch().eps == 1e-8);
}

namespace {

// Five steps of detail::adam_update_simd against the reference loop over n parameters.
// Each step moves p by up to lr = 1e-3. The fast path may differ from the reference in the
// last bits of each move: fused multiply-adds in m, v and sqrt(v) scale + eps (Highway at
// avx2 and avx512; the hand-written float kernel that ran at avx512 until 62a5906 used
// refined reciprocals, error < 2^-27 each). Allowed: 4 ulps of the total move, plus p's
// own rounding (an ulp of p, when the two moves round it to neighbours).
template <class T>
void check_adam_kernel_against_reference(std::size_t n) {
    CAPTURE(n);
    const double ulp = std::numeric_limits<T>::epsilon();
    // gradients span 1e-6..1 and every 7th is 0, as a dead unit's are
    rng g(17);
    std::vector<T> p_fast(n), grads(n);
    for (std::size_t i = 0; i < n; ++i) {
        p_fast[i] = static_cast<T>(g.uniform(-1, 1));
        grads[i] = i % 7 == 0 ? T(0) : static_cast<T>(g.uniform(-1, 1) * std::pow(10.0, -6.0 * g.uniform(0, 1)));
    }
    std::vector<T> p_ref = p_fast, m_fast(n, T(0)), v_fast(n, T(0)), m_ref(n, T(0)), v_ref(n, T(0));
    const std::vector<T> p0 = p_fast;
    for (int t = 1; t <= 5; ++t) {
        const double bc1 = 1 - std::pow(0.9, t), bc2 = 1 - std::pow(0.999, t);
        const nn::detail::adam_coefficients<T> c{T(0.9), T(0.1), T(0.999), T(0.001), static_cast<T>(1e-3 / bc1),
                                                 static_cast<T>(1 / std::sqrt(bc2)), T(1e-8)};
        nn::detail::adam_update_simd(p_fast.data(), grads.data(), m_fast.data(), v_fast.data(), n, c);
        nn::detail::adam_update<T>(p_ref.data(), grads.data(), m_ref.data(), v_ref.data(), nullptr, n, c);
    }
    // the moments: float as before (1e-6, 8 ulps); double 10 ulps after five steps of
    // at most one rounding apart each
    const double moment_eps = std::is_same_v<T, float> ? 1e-6 : 10 * ulp;
    double worst = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double moved = std::abs(double(p_ref[i]) - p0[i]);
        const double floor = std::is_same_v<T, float> ? 1e-12 : 1e-30;
        worst = std::max(worst, std::abs(double(p_fast[i]) - p_ref[i]) /
                                    (4 * ulp * moved + ulp * std::abs(double(p_ref[i])) + floor));
        CHECK(m_fast[i] == doctest::Approx(m_ref[i]).epsilon(moment_eps));
        CHECK(v_fast[i] == doctest::Approx(v_ref[i]).epsilon(moment_eps));
    }
    CHECK(worst <= 1.0);
    CHECK(p_fast[0] == p0[0]);  // a zero gradient leaves p where it was
    if (n > 7) CHECK(p_fast[7] == p0[7]);
}

// A moment that would fall below the smallest normal number is written as 0 by both paths:
// 0.9 min and 0.999 (0.909 min / 0.999) (even elements), beside ordinary ones (odd
// elements), over k parameters.
template <class T>
void check_adam_flushes_denormal_moments(std::size_t k) {
    CAPTURE(k);
    const T tiny = std::numeric_limits<T>::min();
    for (bool fast : {false, true}) {
        CAPTURE(fast);
        std::vector<T> p(k, T(1)), gz(k, T(0)), m(k), v(k);
        for (std::size_t i = 0; i < k; ++i) {
            m[i] = i % 2 ? T(1e-3) : tiny;
            v[i] = i % 2 ? T(1e-6) : static_cast<T>(tiny * 0.9 / 0.999 * 1.01);
        }
        const nn::detail::adam_coefficients<T> c{T(0.9), T(0.1), T(0.999), T(0.001), T(1e-3), T(1), T(1e-8)};
        if (fast) nn::detail::adam_update_simd(p.data(), gz.data(), m.data(), v.data(), k, c);
        else nn::detail::adam_update<T>(p.data(), gz.data(), m.data(), v.data(), nullptr, k, c);
        for (std::size_t i = 0; i < k; ++i) {
            CAPTURE(i);
            if (i % 2 == 0) {
                CHECK(m[i] == T(0));
                CHECK(v[i] == T(0));
                CHECK(p[i] == T(1));
            } else {
                CHECK(m[i] == doctest::Approx(0.9e-3).epsilon(1e-6));
                CHECK(v[i] == doctest::Approx(0.999e-6).epsilon(1e-6));
                // p = 1 - 1e-3 * 0.9e-3 / (sqrt(0.999e-6) + 1e-8)
                CHECK(p[i] == doctest::Approx(1 - 1e-3 * 0.9e-3 / (std::sqrt(0.999e-6) + 1e-8)).epsilon(1e-7));
            }
        }
    }
}

}  // namespace

TEST_CASE("the Adam kernels (float, double) follow the reference loop, and flush denormal moments") {
    // Lengths that leave every remainder a vector width can: 1000 is whole vectors of 8
    // and 4 (avx2 float, scalar) but not of 16 (avx512), 1001 and the small odd ones end in
    // a tail everywhere; 3 is shorter than most vectors.
    test::for_each_simd_level([] {
        for (std::size_t n : {1, 3, 7, 17, 35, 1000, 1001}) {
            check_adam_kernel_against_reference<float>(n);
            check_adam_kernel_against_reference<double>(n);
        }
        // 34: whole vectors and a tail at every level, 5: a tail only
        for (std::size_t k : {5, 34}) {
            check_adam_flushes_denormal_moments<float>(k);
            check_adam_flushes_denormal_moments<double>(k);
        }
    });
}
