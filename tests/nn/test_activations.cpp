#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "knit/nn/activations.hpp"
#include "support/contract.hpp"
#include "support/gradcheck.hpp"
#include "support/simd_levels.hpp"

using namespace knit;

namespace {
// hard_sigmoid has kinks at x = +-2.5: draw inputs in (-2.4, 2.4) or beyond +-2.6.
tensor<double> off_kinks(const shape_t& s, rng& g) {
    tensor<double> t = test::random_tensor(s, g, -4, 4);
    for (auto& v : t)
        if (std::abs(std::abs(v) - 2.5) < 0.1) v = v > 0 ? v + 0.3 : v - 0.3;
    for (auto& v : t)
        if (std::abs(v) < 1e-3) v = 0.5;  // and off ReLU's kink at 0
    return t;
}
}  // namespace

TEST_CASE("every activation layer passes the gradient check and keeps the contract") {
    for (auto act : {nn::activation::linear, nn::activation::relu, nn::activation::sigmoid,
                     nn::activation::hard_sigmoid, nn::activation::tanh, nn::activation::softmax}) {
        CAPTURE(nn::to_string(act));
        rng g(5);
        nn::activation_layer<double> layer(act);
        layer.build({3, 4});
        param_store<double> store;
        nn::bind_layers<double>({&layer}, store, g);
        auto r = test::check_layer_gradients(layer, store, off_kinks({2, 3, 4}, g), g);
        INFO(r.worst);
        CHECK(r.checked == 24);
        CHECK(r.ok());
        test::check_layer_contract([act] { return std::make_unique<nn::activation_layer<double>>(act); }, {3, 4}, off_kinks);
    }
}

TEST_CASE("activation values: hard_sigmoid is Keras 2.2's, sigmoid and softmax are stable") {
    CHECK(nn::hard_sigmoid(0.0) == 0.5);
    CHECK(nn::hard_sigmoid(1.0) == doctest::Approx(0.7));
    CHECK(nn::hard_sigmoid(3.0) == 1.0);
    CHECK(nn::hard_sigmoid(-2.5) == 0.0);
    CHECK(nn::sigmoid(1e4) == 1.0);
    CHECK(nn::sigmoid(-1e4) == 0.0);
    CHECK(nn::sigmoid(-745.0) >= 0.0);
    CHECK(nn::sigmoid(0.3f) == doctest::Approx(1 / (1 + std::exp(-0.3))));

    const double x[4] = {1e4, 0, -1e4, 1e4};
    double y[4];
    nn::activation_forward(nn::activation::softmax, x, y, 4, 2);
    CHECK(y[0] == 1.0);
    CHECK(y[1] == 0.0);
    CHECK(y[2] == 0.0);
    CHECK(y[3] == 1.0);
    const double z[3] = {1, 2, 3};
    double p[3];
    nn::activation_forward(nn::activation::softmax, z, p, 3, 3);
    const double total = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
    CHECK(p[2] == doctest::Approx(std::exp(3.0) / total));
    CHECK(nn::activation_from_string("tanh") == nn::activation::tanh);
    CHECK_THROWS_AS(nn::activation_from_string("swish"), value_error);
}

TEST_CASE("the float activation kernels follow the reference loops, at every SIMD level") {
    // Rows of 1, 3, 21, 37 and 64 units (7 rows: blocks of 7, 21, 147, 259 and 448, so
    // remainders at every vector width, in the per-row bias passes and the flat ones), with
    // and without a bias; inputs spread over +-12 plus values near 0, at tanh's switch
    // (0.4), past exp's clamp (+-100) and tiny ones whose activations are denormal.
    test::for_each_simd_level([] {
        for (auto act : {nn::activation::linear, nn::activation::relu, nn::activation::sigmoid,
                         nn::activation::hard_sigmoid, nn::activation::tanh, nn::activation::softmax}) {
            for (std::size_t cols : {1u, 3u, 21u, 37u, 64u}) {
                for (bool with_bias : {false, true}) {
                    CAPTURE(nn::to_string(act));
                    CAPTURE(cols);
                    CAPTURE(with_bias);
                    const std::size_t rows = 7, n = rows * cols;
                    rng g(cols + 3 * with_bias);
                    std::vector<float> x(n), b(cols), dy(n);
                    for (auto& v : x) v = static_cast<float>(g.uniform(-12, 12));
                    for (auto& v : b) v = with_bias ? static_cast<float>(g.uniform(-1, 1)) : 0.0f;
                    for (auto& v : dy) v = static_cast<float>(g.uniform(-1, 1));
                    const float specials[] = {0.0f, 1e-4f, -1e-4f, 0.39999f, 0.40001f, -0.4f, 100.0f, -100.0f, 3e-39f, -2e-39f, 1.5f};
                    for (std::size_t i = 0; i < n && i < 11; ++i) x[i * 5 % n] = specials[i];
                    const float* bias = with_bias ? b.data() : nullptr;

                    std::vector<float> y_fast(n), y_ref(n);
                    nn::activation_forward_bias(act, x.data(), bias, y_fast.data(), n, cols);
                    nn::activation_forward_bias<float>(act, x.data(), bias, y_ref.data(), n, cols);
                    std::vector<float> dx_fast(n), dx_ref(n), db_fast(cols, 0.5f), db_ref(cols, 0.5f);
                    nn::activation_backward_bias(act, y_ref.data(), dy.data(), dx_fast.data(), with_bias ? db_fast.data() : nullptr, n, cols);
                    nn::activation_backward_bias<float>(act, y_ref.data(), dy.data(), dx_ref.data(), with_bias ? db_ref.data() : nullptr, n, cols);
                    for (std::size_t i = 0; i < n; ++i) {
                        CAPTURE(i);
                        CAPTURE(x[i]);
                        // The vectorised exp and tanh: within 4 float ulps, or 1e-37 absolute
                        // where the reference's sigmoid goes below exp's clamp at e^-87.
                        // hard_sigmoid's 0.2 z + 0.5 may be one fused multiply-add in the
                        // vector clones: up to an ulp of 0.5 (6e-8) apart near z = -2.5.
                        const float fused = act == nn::activation::hard_sigmoid ? 6e-8f : 0.0f;
                        CHECK(std::abs(y_fast[i] - y_ref[i]) <= 4.8e-7f * std::abs(y_ref[i]) + fused + 1e-37f);
                        // 1 - y^2 may be fused into one multiply-add in the vector clones: that differs
                        // from the rounded y^2 by up to an ulp of dy.
                        CHECK(std::abs(dx_fast[i] - dx_ref[i]) <= 2.4e-7f * std::abs(dx_ref[i]) + 1.2e-7f * std::abs(dy[i]));
                        // Nothing denormal survives either path.
                        CHECK((y_fast[i] == 0.0f || std::abs(y_fast[i]) >= std::numeric_limits<float>::min()));
                        CHECK((y_ref[i] == 0.0f || std::abs(y_ref[i]) >= std::numeric_limits<float>::min()));
                    }
                    for (std::size_t j = 0; j < cols; ++j) CHECK(db_fast[j] == doctest::Approx(db_ref[j]).epsilon(1e-6));
                    if (act == nn::activation::relu) {
                        CHECK(y_fast == y_ref);
                        CHECK(dx_fast == dx_ref);
                    }
                }
            }
        }
    });
}

TEST_CASE("relu's backward gives 0 on a dead unit even for an infinite dy, as PyTorch, at every SIMD level") {
    test::for_each_simd_level([] {
        const float y[4] = {0.0f, 2.0f, 0.0f, 1.0f};
        const float dy[4] = {std::numeric_limits<float>::infinity(), 3.0f, std::nanf(""), -1.0f};
        float dx_fast[4], dx_ref[4];
        nn::activation_backward_bias(nn::activation::relu, y, dy, dx_fast, static_cast<float*>(nullptr), 4, 4);
        nn::activation_backward<float>(nn::activation::relu, y, dy, dx_ref, 4, 4);
        for (const float* dx : {dx_fast, dx_ref}) {
            CHECK(dx[0] == 0.0f);
            CHECK(dx[1] == 3.0f);
            CHECK(dx[2] == 0.0f);
            CHECK(dx[3] == -1.0f);
        }
    });
}

TEST_CASE("denormals_as_zero flushes tiny results inside its scope and restores the mode after") {
    volatile float tiny = std::numeric_limits<float>::min();
    volatile float half = 0.5f;
    const float before = tiny * half;  // a denormal, 5.9e-39
    CHECK(before > 0.0f);
    {
        const nn::detail::denormals_as_zero scope;
        const float inside = tiny * half;
#if defined(__SSE2__) && !defined(KNIT_KEEP_DENORMALS)
        CHECK(inside == 0.0f);
#else
        CHECK(inside == before);
#endif
    }
    const float after = tiny * half;
    CHECK(after == before);
}
