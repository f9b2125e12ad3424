#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "knit/nn/losses.hpp"
#include "support/gradcheck.hpp"

using namespace knit;

namespace {

// Runs the double gradient check of `l` at (x, target) and returns the result.
test::gradcheck_result check_loss(nn::loss<double>& l, const tensor<double>& x, const tensor<double>& target) {
    l.forward(x, target);
    const tensor<double> analytic = l.backward();
    return test::check_scalar_gradient([&](const tensor<double>& p) { return l.forward(p, target); },
                                       analytic, x);
}

// Soft targets whose rows sum to one.
tensor<double> soft_rows(const shape_t& shape, rng& g) {
    tensor<double> t = test::random_tensor(shape, g, 0.05, 1);
    const std::size_t k = shape.back();
    for (std::size_t r = 0; r < t.size() / k; ++r) {
        double s = 0;
        for (std::size_t j = 0; j < k; ++j) s += t.data()[r * k + j];
        for (std::size_t j = 0; j < k; ++j) t.data()[r * k + j] /= s;
    }
    return t;
}

tensor<double> softmax_rows(const tensor<double>& z) {
    tensor<double> y = z;
    const std::size_t k = z.shape().back();
    for (std::size_t r = 0; r < z.size() / k; ++r) {
        double m = -1e300, s = 0;
        for (std::size_t j = 0; j < k; ++j) m = std::max(m, z.data()[r * k + j]);
        for (std::size_t j = 0; j < k; ++j) s += (y.data()[r * k + j] = std::exp(z.data()[r * k + j] - m));
        for (std::size_t j = 0; j < k; ++j) y.data()[r * k + j] /= s;
    }
    return y;
}

template <class T>
bool all_finite(const tensor<T>& t) {
    for (auto v : t)
        if (!std::isfinite(v)) return false;
    return true;
}

}  // namespace

TEST_CASE("every loss passes the double gradient check over every prediction element") {
    rng g(7);
    SUBCASE("mean_squared_error") {
        nn::mean_squared_error<double> l;
        auto r = check_loss(l, test::random_tensor({4, 3}, g, -2, 2), test::random_tensor({4, 3}, g, -2, 2));
        INFO(r.worst);
        CHECK(r.checked == 12);
        CHECK(r.ok());
    }
    SUBCASE("binary_crossentropy on probabilities, soft targets") {
        nn::binary_crossentropy<double> l;
        auto r = check_loss(l, test::random_tensor({5, 2}, g, 0.05, 0.95), test::random_tensor({5, 2}, g, 0, 1));
        INFO(r.worst);
        CHECK(r.checked == 10);
        CHECK(r.ok());
    }
    SUBCASE("binary_crossentropy at clipped probabilities has a zero gradient there") {
        nn::binary_crossentropy<double> l;
        tensor<double> p = {{0.0, 0.3}, {1.0, 0.7}};
        tensor<double> t = {{1.0, 0.0}, {0.0, 1.0}};
        l.forward(p, t);
        CHECK(l.backward()(0, 0) == 0.0);
        CHECK(l.backward()(1, 0) == 0.0);
        CHECK(l.backward()(0, 1) != 0.0);
    }
    SUBCASE("bce_with_logits") {
        nn::bce_with_logits<double> l;
        auto r = check_loss(l, test::random_tensor({3, 2, 2}, g, -6, 6), test::random_tensor({3, 2, 2}, g, 0, 1));
        INFO(r.worst);
        CHECK(r.checked == 12);
        CHECK(r.ok());
    }
    SUBCASE("categorical_crossentropy on unnormalised probabilities, soft targets, rank 3") {
        nn::categorical_crossentropy<double> l;
        auto r = check_loss(l, test::random_tensor({2, 3, 4}, g, 0.1, 1), soft_rows({2, 3, 4}, g));
        INFO(r.worst);
        CHECK(r.checked == 24);
        CHECK(r.ok());
    }
    SUBCASE("categorical_crossentropy on softmax outputs, one-hot targets") {
        nn::categorical_crossentropy<double> l;
        tensor<double> t = {{0, 1}, {1, 0}, {1, 0}};
        auto r = check_loss(l, softmax_rows(test::random_tensor({3, 2}, g, -2, 2)), t);
        INFO(r.worst);
        CHECK(r.ok());
    }
    SUBCASE("softmax_cross_entropy, soft targets that do not sum to one") {
        nn::softmax_cross_entropy<double> l;
        auto r = check_loss(l, test::random_tensor({4, 5}, g, -3, 3), test::random_tensor({4, 5}, g, 0, 1));
        INFO(r.worst);
        CHECK(r.checked == 20);
        CHECK(r.ok());
    }
}

TEST_CASE("losses give the textbook values and Keras' reductions") {
    nn::mean_squared_error<double> mse;
    CHECK(mse.forward(tensor<double>{{1.0, 2.0}, {3.0, 0.0}}, tensor<double>{{0.0, 0.0}, {1.0, 0.0}}) ==
          doctest::Approx((1 + 4 + 4 + 0) / 4.0));

    nn::binary_crossentropy<double> bce;
    CHECK(bce.forward(tensor<double>{0.5, 0.9}, tensor<double>{1.0, 0.0}) ==
          doctest::Approx((std::log(2.0) - std::log(0.1)) / 2).epsilon(1e-14));

    nn::bce_with_logits<double> bcel;
    CHECK(bcel.forward(tensor<double>{0.0, 2.0}, tensor<double>{1.0, 1.0}) ==
          doctest::Approx((std::log(2.0) + std::log1p(std::exp(-2.0))) / 2).epsilon(1e-14));

    // Categorical and softmax CE sum over the class axis and average over the rows.
    nn::categorical_crossentropy<double> cce;
    CHECK(cce.forward(tensor<double>{{0.25, 0.75}, {0.5, 0.5}}, tensor<double>{{0.0, 1.0}, {1.0, 0.0}}) ==
          doctest::Approx((-std::log(0.75) - std::log(0.5)) / 2).epsilon(1e-14));
    // Keras rescales a row to sum to one: (1, 3) is the same distribution as (0.25, 0.75).
    CHECK(cce.forward(tensor<double>{{1.0, 3.0}}, tensor<double>{{0.0, 1.0}}) ==
          doctest::Approx(-std::log(0.75)).epsilon(1e-14));

    nn::softmax_cross_entropy<double> sce;
    CHECK(sce.forward(tensor<double>{{0.0, 0.0}, {0.0, std::log(3.0)}}, tensor<double>{{1.0, 0.0}, {0.0, 1.0}}) ==
          doctest::Approx((std::log(2.0) - std::log(0.75)) / 2).epsilon(1e-14));
}

TEST_CASE("the logit losses equal the probability losses after sigmoid / softmax") {
    rng g(11);
    const tensor<double> z = test::random_tensor({6, 3}, g, -4, 4);
    tensor<double> sig = z;
    for (auto& v : sig) v = nn::sigmoid(v);
    const tensor<double> t01 = test::random_tensor({6, 3}, g, 0, 1);
    nn::bce_with_logits<double> bcel;
    nn::binary_crossentropy<double> bce;
    CHECK(bcel.forward(z, t01) == doctest::Approx(bce.forward(sig, t01)).epsilon(1e-12));
    // d/dz = d/dp * sigmoid'(z): the chain rule through the sigmoid
    const tensor<double> dz = bcel.backward();
    const tensor<double> dp = bce.backward();
    for (std::size_t i = 0; i < z.size(); ++i)
        CHECK(dz.data()[i] == doctest::Approx(dp.data()[i] * sig.data()[i] * (1 - sig.data()[i])).epsilon(1e-10));

    const tensor<double> soft = soft_rows({6, 3}, g);
    nn::softmax_cross_entropy<double> sce;
    nn::categorical_crossentropy<double> cce;
    CHECK(sce.forward(z, soft) == doctest::Approx(cce.forward(softmax_rows(z), soft)).epsilon(1e-12));
}

TEST_CASE("categorical and softmax CE average over every row of a rank-3 prediction") {
    rng g(5);
    const tensor<double> z = test::random_tensor({2, 3, 4}, g, -2, 2);
    const tensor<double> t = soft_rows({2, 3, 4}, g);
    nn::softmax_cross_entropy<double> whole, row;
    const double total = whole.forward(z, t);
    double sum = 0;
    for (std::size_t r = 0; r < 6; ++r) {
        tensor<double> zr = tensor<double>::from_shape({1, 4}), tr = tensor<double>::from_shape({1, 4});
        std::copy(z.data() + 4 * r, z.data() + 4 * r + 4, zr.data());
        std::copy(t.data() + 4 * r, t.data() + 4 * r + 4, tr.data());
        sum += row.forward(zr, tr);
    }
    CHECK(total == doctest::Approx(sum / 6).epsilon(1e-14));
}

TEST_CASE_TEMPLATE("losses stay finite at |logit| = 1e4 and probabilities 0 and 1", T, float, double) {
    SUBCASE("bce_with_logits") {
        nn::bce_with_logits<T> l;
        const tensor<T> z = {T(1e4), T(-1e4), T(1e4), T(-1e4)};
        const tensor<T> t = {T(1), T(0), T(0), T(1)};
        // right answers cost 0, wrong ones |z| each
        CHECK(l.forward(z, t) == doctest::Approx(2e4 / 4));
        const tensor<T>& d = l.backward();
        CHECK(all_finite(d));
        CHECK(d(0) == doctest::Approx(0));
        CHECK(d(2) == doctest::Approx(0.25));
        CHECK(d(3) == doctest::Approx(-0.25));
    }
    SUBCASE("softmax_cross_entropy") {
        nn::softmax_cross_entropy<T> l;
        const tensor<T> z = {{T(1e4), T(-1e4), T(0)}, {T(-1e4), T(-1e4), T(1e4)}};
        const tensor<T> t = {{T(0), T(1), T(0)}, {T(0), T(0), T(1)}};
        CHECK(l.forward(z, t) == doctest::Approx(2e4 / 2));
        const tensor<T>& d = l.backward();
        CHECK(all_finite(d));
        CHECK(d(0, 0) == doctest::Approx(0.5));
        CHECK(d(0, 1) == doctest::Approx(-0.5));
        CHECK(d(1, 2) == doctest::Approx(0));
    }
    SUBCASE("binary_crossentropy at 0 and 1 is clipped at 1e-7") {
        nn::binary_crossentropy<T> l;
        const tensor<T> p = {T(0), T(1), T(0), T(1)};
        const tensor<T> t = {T(1), T(0), T(0), T(1)};
        const T value = l.forward(p, t);
        CHECK(std::isfinite(value));
        // two wrong answers: -log(eps) at p = 0 and -log(1 - (1 - eps)) at p = 1, with the
        // clip bounds rounded to T as the loss rounds them
        const double lo = static_cast<T>(1e-7), hi = static_cast<T>(T(1) - static_cast<T>(1e-7));
        CHECK(value == doctest::Approx((-std::log(lo) - std::log(1 - hi) - std::log(hi)) / 4).epsilon(1e-5));
        CHECK(all_finite(l.backward()));
    }
    SUBCASE("categorical_crossentropy at 0 and 1, and a row of zeros") {
        nn::categorical_crossentropy<T> l;
        const tensor<T> p = {{T(0), T(1)}, {T(1), T(0)}, {T(0), T(0)}};
        const tensor<T> t = {{T(1), T(0)}, {T(1), T(0)}, {T(0), T(1)}};
        const T value = l.forward(p, t);
        CHECK(std::isfinite(value));
        const double lo = static_cast<T>(1e-7), hi = static_cast<T>(T(1) - static_cast<T>(1e-7));
        CHECK(value == doctest::Approx((-2 * std::log(lo) - std::log(hi)) / 3).epsilon(1e-5));
        CHECK(all_finite(l.backward()));
    }
    SUBCASE("mean_squared_error") {
        nn::mean_squared_error<T> l;
        CHECK(l.forward(tensor<T>{T(1e4), T(-1e4)}, tensor<T>{T(0), T(0)}) == doctest::Approx(1e8));
        CHECK(all_finite(l.backward()));
    }
}

TEST_CASE("losses refuse bad shapes and backward before forward") {
    std::vector<std::unique_ptr<nn::loss<double>>> losses;
    for (const char* name : {"mse", "binary_crossentropy", "bce_with_logits", "categorical_crossentropy",
                             "softmax_cross_entropy"})
        losses.push_back(nn::make_loss<double>(name));
    for (auto& l : losses) {
        CAPTURE(l->name());
        CHECK_THROWS_AS(l->backward(), state_error);
        const tensor<double> p = {{0.2, 0.8}, {0.6, 0.4}};
        CHECK_THROWS_WITH_AS(l->forward(p, tensor<double>{0.0, 1.0}),
                             doctest::Contains("target shape: got (2,), expected (2, 2)"), shape_error);
        CHECK_THROWS_AS(l->forward(tensor<double>::from_shape({0, 2}), tensor<double>::from_shape({0, 2})),
                        shape_error);
        CHECK_THROWS_AS(l->backward(), state_error);
        l->forward(p, tensor<double>{{0.0, 1.0}, {1.0, 0.0}});
        CHECK(l->backward().shape() == p.shape());
        // a failed forward withdraws the previous gradient
        CHECK_THROWS_AS(l->forward(p, tensor<double>{{0.0, 1.0}}), shape_error);
        CHECK_THROWS_AS(l->backward(), state_error);
    }
    CHECK(nn::make_loss<float>("mean_squared_error")->name() == "mean_squared_error");
    CHECK_THROWS_AS(nn::make_loss<double>("hinge"), value_error);
    CHECK_THROWS_AS(nn::binary_crossentropy<double>(0.0), value_error);
    CHECK_THROWS_AS(nn::categorical_crossentropy<double>(0.5), value_error);
}

TEST_CASE("mean_squared_error's lane sums equal the plain sum for any length") {
    for (std::size_t n : {1u, 7u, 8u, 13u, 64u, 5377u}) {
        CAPTURE(n);
        rng g(n);
        tensor<float> p = tensor<float>::from_shape({n}), t = tensor<float>::from_shape({n});
        for (auto& v : p) v = static_cast<float>(g.uniform(-1, 1));
        for (auto& v : t) v = static_cast<float>(g.uniform(-1, 1));
        double plain = 0;
        for (std::size_t i = 0; i < n; ++i) plain += double(p(i) - t(i)) * double(p(i) - t(i));
        nn::mean_squared_error<float> l;
        CHECK(l.forward(p, t) == doctest::Approx(plain / double(n)).epsilon(1e-7));
        const tensor<float>& d = l.backward();
        for (std::size_t i = 0; i < n; ++i) CHECK(d(i) == 2.0f / float(n) * (p(i) - t(i)));
    }
}
