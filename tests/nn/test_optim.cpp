#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
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
    // torch_* from torch.optim.Adam, keras_* from the Keras 2.2 formula (see the script)
    CHECK(check_against_fixture<double>("optim_adam.txt", make_adam<double>, 1e-13, 1e-15) == 7);
}

TEST_CASE("the float optimisers follow the same steps within float rounding") {
    CHECK(check_against_fixture<float>("optim_sgd.txt", make_sgd<float>, 1e-5, 1e-6) == 7);
    CHECK(check_against_fixture<float>("optim_rmsprop.txt", make_rmsprop<float>, 1e-5, 1e-6) == 6);
    // 40 parameters: Adam's AVX-512 kernel (32, then a portable tail of 8), and the portable loop only
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

TEST_CASE("the float Adam kernel follows the reference loop, and flushes denormal moments") {
    // adam_update_float on both its paths: the AVX-512 kernel (with the loop for the tail),
    // and the loop alone.
    test::for_each_simd_level([] {
        // 1000 parameters leave a remainder past any vector width; gradients span 1e-6..1 and
        // every 7th is 0, as a dead unit's are.
        const std::size_t n = 1000;
        rng g(17);
        std::vector<float> p_fast(n), grads(n);
        for (std::size_t i = 0; i < n; ++i) {
            p_fast[i] = static_cast<float>(g.uniform(-1, 1));
            grads[i] = i % 7 == 0 ? 0.0f : static_cast<float>(g.uniform(-1, 1) * std::pow(10.0, -6.0 * g.uniform(0, 1)));
        }
        std::vector<float> p_ref = p_fast, m_fast(n, 0.0f), v_fast(n, 0.0f), m_ref(n, 0.0f), v_ref(n, 0.0f);
        const std::vector<float> p0 = p_fast;
        for (int t = 1; t <= 5; ++t) {
            const double bc1 = 1 - std::pow(0.9, t), bc2 = 1 - std::pow(0.999, t);
            const nn::detail::adam_coefficients<float> c{0.9f, 0.1f, 0.999f, 0.001f, static_cast<float>(1e-3 / bc1),
                                                         static_cast<float>(1 / std::sqrt(bc2)), 1e-8f};
            nn::detail::adam_update_float(p_fast.data(), grads.data(), m_fast.data(), v_fast.data(), n, c);
            nn::detail::adam_update<float>(p_ref.data(), grads.data(), m_ref.data(), v_ref.data(), nullptr, n, c);
        }
        double worst = 0;
        for (std::size_t i = 0; i < n; ++i) {
            // Each step moves p by up to lr = 1e-3; the kernel's refined reciprocals (error
            // < 2^-27 each) may differ from the reference's divide and square root in the
            // last float bits of each move: allow 4 ulps of the total move, plus p's own
            // rounding (an ulp of p, when the two moves round it to neighbours).
            const double moved = std::abs(double(p_ref[i]) - p0[i]);
            worst = std::max(worst, std::abs(double(p_fast[i]) - p_ref[i]) / (4.8e-7 * moved + 1.2e-7 * std::abs(p_ref[i]) + 1e-12));
            CHECK(m_fast[i] == doctest::Approx(m_ref[i]).epsilon(1e-6));
            CHECK(v_fast[i] == doctest::Approx(v_ref[i]).epsilon(1e-6));
        }
        CHECK(worst <= 1.0);
        CHECK(p_fast[7] == p0[7]);  // a zero gradient leaves p where it was

        // A moment that would fall below FLT_MIN is written as 0 by both paths: here
        // 0.9 * 1.2e-38 and 0.999 * 0.91e-38 / 0.999 (even elements), beside ordinary ones
        // (odd elements); 34 elements run through the vector body and the remainder.
        const float tiny = std::numeric_limits<float>::min();
        for (bool fast : {false, true}) {
            CAPTURE(fast);
            const std::size_t k = 34;
            std::vector<float> p(k, 1.0f), gz(k, 0.0f), m(k), v(k);
            for (std::size_t i = 0; i < k; ++i) {
                m[i] = i % 2 ? 1e-3f : tiny;
                v[i] = i % 2 ? 1e-6f : tiny * 0.9f / 0.999f * 1.01f;
            }
            const nn::detail::adam_coefficients<float> c{0.9f, 0.1f, 0.999f, 0.001f, 1e-3f, 1.0f, 1e-8f};
            if (fast) nn::detail::adam_update_float(p.data(), gz.data(), m.data(), v.data(), k, c);
            else nn::detail::adam_update<float>(p.data(), gz.data(), m.data(), v.data(), nullptr, k, c);
            for (std::size_t i = 0; i < k; ++i) {
                CAPTURE(i);
                if (i % 2 == 0) {
                    CHECK(m[i] == 0.0f);
                    CHECK(v[i] == 0.0f);
                    CHECK(p[i] == 1.0f);
                } else {
                    CHECK(m[i] == doctest::Approx(0.9e-3).epsilon(1e-6));
                    CHECK(v[i] == doctest::Approx(0.999e-6).epsilon(1e-6));
                    // p = 1 - 1e-3 * 0.9e-3 / (sqrt(0.999e-6) + 1e-8)
                    CHECK(p[i] == doctest::Approx(1 - 1e-3 * 0.9e-3 / (std::sqrt(0.999e-6) + 1e-8)).epsilon(1e-7));
                }
            }
        }
    });
}
