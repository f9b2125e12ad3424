#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "knit/nn/bidirectional.hpp"
#include "knit/nn/dense.hpp"
#include "knit/nn/detail/cpu.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/lstm.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/sequential.hpp"
#include "support/simd_levels.hpp"
#include "support/contract.hpp"
#include "support/fixtures.hpp"
#include "support/gradcheck.hpp"

using namespace knit;

namespace {

const nn::activation kRecurrent[] = {nn::activation::sigmoid, nn::activation::hard_sigmoid};

nn::lstm_options options(nn::activation recurrent, bool sequences) {
    nn::lstm_options o = nn::lstm_options::keras(sequences);
    o.recurrent_activation = recurrent;
    return o;
}

// Overwrites every parameter with U(-bound, bound). With inputs and states in [-1, 1],
// each pre-activation is a sum of F + H + 1 terms, so bound * (F + H + 1) < 2.5 keeps
// hard_sigmoid off its kinks at +-2.5 by construction.
template <class T>
void fill_params(param_store<T>& store, rng& g, double bound) {
    for (std::size_t i = 0; i < store.size(); ++i) store.values()[i] = T(g.uniform(-bound, bound));
}

// max |a - b| / max |b|: the error relative to the reference's scale.
template <class A, class B>
double relative_error(const A& a, const B& b) {
    REQUIRE(a.size() == b.size());
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff = std::max(diff, std::abs(double(a.data()[i]) - double(b.data()[i])));
        scale = std::max(scale, std::abs(double(b.data()[i])));
    }
    return diff / std::max(scale, 1e-300);
}

// Runs body at every SIMD level the CPU has: lstm<float> takes its AVX-512 kernels at
// avx512 (Highway's AVX3 build in the KNIT_HANDWRITTEN_AVX512=OFF comparison build) and
// the other kernels below it.
template <class Body>
void for_both_float_paths(Body&& body) {
    test::for_each_simd_level([&] {
#ifdef KNIT_NO_HANDWRITTEN_AVX512
        REQUIRE_FALSE(nn::detail::lstm_avx512_available());
#else
        if (nn::simd_level_in_use() == nn::simd_level::avx512) REQUIRE(nn::detail::lstm_avx512_available());
#endif
        body();
    });
}

template <class T>
tensor<T> cast(const tensor<double>& t) {
    tensor<T> out = tensor<T>::from_shape(to_shape(t.shape()));
    std::transform(t.begin(), t.end(), out.begin(), [](double v) { return T(v); });
    return out;
}

}  // namespace

TEST_CASE("lstm passes the gradient check (last output and sequences, sigmoid and hard_sigmoid)") {
    const std::size_t n = 3, steps = 4, f = 3, h = 5;
    for (bool sequences : {false, true}) {
        for (auto recurrent : kRecurrent) {
            CAPTURE(sequences);
            CAPTURE(nn::to_string(recurrent));
            rng g(7);
            nn::lstm<double> layer(h, options(recurrent, sequences));
            layer.build({steps, f});
            param_store<double> store;
            nn::bind_layers<double>({&layer}, store, g);
            fill_params(store, g, 0.2);  // 0.2 * (3 + 5 + 1) = 1.8 < 2.5
            auto r = test::check_layer_gradients(layer, store, test::random_tensor({n, steps, f}, g), g);
            INFO(r.worst);
            CHECK(r.checked == f * 4 * h + h * 4 * h + 4 * h + n * steps * f);
            CHECK(r.ok());
        }
    }
}

TEST_CASE("lstm initial-state gradients match central differences") {
    const std::size_t n = 2, steps = 3, f = 2, h = 4;
    for (bool sequences : {false, true}) {
        for (auto recurrent : kRecurrent) {
            CAPTURE(sequences);
            CAPTURE(nn::to_string(recurrent));
            rng g(11);
            nn::lstm<double> layer(h, options(recurrent, sequences));
            layer.build({steps, f});
            param_store<double> store;
            nn::bind_layers<double>({&layer}, store, g);
            fill_params(store, g, 0.3);  // 0.3 * (2 + 4 + 1) = 2.1 < 2.5
            const tensor<double> x = test::random_tensor({n, steps, f}, g);
            tensor<double> h0 = test::random_tensor({n, h}, g), c0 = test::random_tensor({n, h}, g);
            const tensor<double> dy = test::random_tensor(with_batch(n, layer.output_shape()), g);
            auto objective = [&]() {
                layer.set_initial_state(h0, c0);
                const auto& y = layer.forward(x, nn::mode::train);
                double s = 0;
                for (std::size_t i = 0; i < y.size(); ++i) s += y.data()[i] * dy.data()[i];
                return s;
            };
            objective();
            layer.backward(dy);
            const tensor<double> dh0 = layer.initial_state_grad_h(), dc0 = layer.initial_state_grad_c();
            test::gradcheck_result r;
            const test::gradcheck_options o;
            for (auto [state, grad, name] : {std::tuple{&h0, &dh0, "h0"}, std::tuple{&c0, &dc0, "c0"}}) {
                for (std::size_t k = 0; k < state->size(); ++k) {
                    double& v = state->data()[k];
                    const double saved = v;
                    v = saved + o.eps;
                    const double plus = objective();
                    v = saved - o.eps;
                    const double minus = objective();
                    v = saved;
                    test::detail::compare(r, o, grad->data()[k], (plus - minus) / (2 * o.eps),
                                          std::string(name) + "[" + std::to_string(k) + "]");
                }
            }
            INFO(r.worst);
            CHECK(r.checked == 2 * n * h);
            CHECK(r.ok());
        }
    }
}

TEST_CASE("lstm keeps the layer contract") {
    for (bool sequences : {false, true}) {
        for (auto recurrent : kRecurrent) {
            test::check_layer_contract(
                [&] { return std::make_unique<nn::lstm<double>>(3, options(recurrent, sequences)); }, {4, 2});
        }
    }
}

TEST_CASE("the fast lstm equals the naive reference") {
    // Large weights: gates saturate, hard_sigmoid's zero-slope branch is taken. F = 3 takes
    // the per-step row loops for the input's products, F = 12 the whole-sequence GEMMs
    // (detail::lstm_direct_features).
    const std::size_t n = 5, steps = 7, h = 6;
    static_assert(nn::detail::lstm_direct_features >= 3 && nn::detail::lstm_direct_features < 12);
    for (std::size_t f : {3u, 12u})
    for (bool sequences : {false, true}) {
        for (auto recurrent : kRecurrent) {
            for (bool with_state : {false, true}) {
                CAPTURE(f);
                CAPTURE(sequences);
                CAPTURE(nn::to_string(recurrent));
                CAPTURE(with_state);
                rng g(21);
                nn::lstm<double> layer(h, options(recurrent, sequences));
                layer.build({steps, f});
                param_store<double> store;
                nn::bind_layers<double>({&layer}, store, g);
                fill_params(store, g, 1.0);
                const tensor<double> x = test::random_tensor({n, steps, f}, g, -2, 2);
                tensor<double> h0, c0;
                if (with_state) {
                    h0 = test::random_tensor({n, h}, g);
                    c0 = test::random_tensor({n, h}, g);
                    layer.set_initial_state(h0, c0);
                }
                const tensor<double> dy = test::random_tensor(with_batch(n, layer.output_shape()), g);
                store.zero_grad();
                const tensor<double> y = layer.forward(x, nn::mode::train);
                const tensor<double> dx = layer.backward(dy);
                auto ref = nn::reference::lstm_forward_backward(
                    x, layer.kernel().value, layer.recurrent_kernel().value, layer.bias().value, h,
                    sequences, recurrent, h0, c0, dy);
                CHECK(relative_error(y, ref.y) < 1e-13);
                CHECK(relative_error(layer.final_hidden(), ref.final_h) < 1e-13);
                CHECK(relative_error(layer.final_cell(), ref.final_c) < 1e-13);
                CHECK(relative_error(dx, ref.dx) < 1e-12);
                CHECK(relative_error(layer.kernel().grads(), ref.dkernel) < 1e-12);
                CHECK(relative_error(layer.recurrent_kernel().grads(), ref.drecurrent) < 1e-12);
                CHECK(relative_error(layer.bias().grads(), ref.dbias) < 1e-12);
                if (with_state) {
                    CHECK(relative_error(layer.initial_state_grad_h(), ref.dh0) < 1e-12);
                    CHECK(relative_error(layer.initial_state_grad_c(), ref.dc0) < 1e-12);
                } else {  // the zero state's gradient is not computed
                    CHECK(layer.initial_state_grad_h().size() == 0);
                    CHECK(layer.initial_state_grad_c().size() == 0);
                }
                if (recurrent == nn::activation::hard_sigmoid) {
                    // The test means something only if some gate really saturated.
                    const auto& k = ref.dkernel;
                    CHECK(std::count(k.begin(), k.end(), 0.0) < long(k.size()));
                }
            }
        }
    }
}

TEST_CASE("the float kernels (vectorised exp and tanh) match the double reference") {
    // H = 19, 37, 70 and 100 leave vector remainders at every width, 64 and 128 none; for
    // the AVX-512 dZ U^T tiles (groups of 64 units) 70 and 100 end in a partial group of 1
    // and 3 vectors, 128 has two full groups. Batches of 9, 11, 13, 5, 8 and 10 leave
    // every remainder of the 6-row tiles. Weights up to 3 and a bias of +-150 on some
    // units drive pre-activations far past exp's clamp at +-87, and inputs near 0 exercise
    // tanh's series branch. F = 2 to 5 take the per-step input loops (fused into the
    // AVX-512 tiles), F = 12 the whole-sequence GEMMs; both start from a set initial state
    // and from the zero state (no dL/dh0, no last dZ U^T).
    struct shape {
        std::size_t h, n, f;
        bool with_state;
    };
    for_both_float_paths([] {
        for (const shape sh : {shape{19, 9, 4, true}, shape{37, 11, 12, true}, shape{64, 13, 3, false},
                               shape{70, 5, 12, false}, shape{100, 8, 2, true}, shape{128, 10, 5, true}}) {
            for (bool sequences : {false, true}) {
                for (auto recurrent : kRecurrent) {
                    const std::size_t h = sh.h, n = sh.n, f = sh.f, steps = 9;
                    const bool with_state = sh.with_state;
                    CAPTURE(h);
                    CAPTURE(sequences);
                    CAPTURE(nn::to_string(recurrent));
                    CAPTURE(with_state);
                    rng g(31 + h);
                    nn::lstm<float> layer(h, options(recurrent, sequences));
                    layer.build({steps, f});
                    param_store<float> store;
                    nn::bind_layers<float>({&layer}, store, g);
                    fill_params(store, g, 3.0 / std::sqrt(double(h)));
                    for (std::size_t k = 0; k < 4 * h; k += 7) layer.bias().value[k] = (k % 2 ? 150.f : -150.f);
                    tensor<double> x = test::random_tensor({n, steps, f}, g, -3, 3);
                    for (std::size_t k = 0; k < x.size(); k += 5) x.data()[k] *= 1e-3;
                    const tensor<double> h0 = test::random_tensor({n, h}, g), c0 = test::random_tensor({n, h}, g);
                    const tensor<double> dy = test::random_tensor(with_batch(n, layer.output_shape()), g);
                    if (with_state) layer.set_initial_state(cast<float>(h0), cast<float>(c0));
                    store.zero_grad();
                    const tensor<float> y = layer.forward(cast<float>(x), nn::mode::train);
                    const tensor<float> dx = layer.backward(cast<float>(dy));
                    auto widen = [](const param_view<float>& v) { return std::vector<double>(v.value, v.value + v.size); };
                    const auto w = widen(layer.kernel()), u = widen(layer.recurrent_kernel()), b = widen(layer.bias());
                    // The reference sees the float-rounded inputs, so only the arithmetic differs.
                    const tensor<double> xr = cast<double>(cast<float>(x));
                    tensor<double> h0r, c0r;
                    if (with_state) h0r = cast<double>(cast<float>(h0)), c0r = cast<double>(cast<float>(c0));
                    const tensor<double> dyr = cast<double>(cast<float>(dy));
                    auto ref = nn::reference::lstm_forward_backward<double>(xr, w.data(), u.data(), b.data(), h,
                                                                            sequences, recurrent, h0r, c0r, dyr);
                    CHECK(relative_error(y, ref.y) < 1e-5);
                    CHECK(relative_error(layer.final_cell(), ref.final_c) < 1e-5);
                    CHECK(relative_error(dx, ref.dx) < 1e-5);
                    CHECK(relative_error(layer.kernel().grads(), ref.dkernel) < 1e-5);
                    CHECK(relative_error(layer.recurrent_kernel().grads(), ref.drecurrent) < 1e-5);
                    CHECK(relative_error(layer.bias().grads(), ref.dbias) < 1e-5);
                    if (with_state) {
                        CHECK(relative_error(layer.initial_state_grad_h(), ref.dh0) < 1e-5);
                        CHECK(relative_error(layer.initial_state_grad_c(), ref.dc0) < 1e-5);
                    } else {
                        CHECK(layer.initial_state_grad_h().size() == 0);
                    }
                    for (float v : y) CHECK(std::isfinite(v));
                }
            }
        }
    });
}

namespace {

// |got - want| <= tolerance (1 + |want|) element by element, NaN where want is NaN.
void check_close(const std::vector<float>& got, const std::vector<float>& want, double tolerance, const char* what) {
    REQUIRE(got.size() == want.size());
    std::size_t bad = 0, first_bad = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const bool ok = std::isnan(want[i]) ? std::isnan(got[i])
                                            : std::abs(double(got[i]) - double(want[i])) <= tolerance * (1 + std::abs(double(want[i])));
        if (!ok && bad++ == 0) first_bad = i;
    }
    INFO(what << ": " << bad << " of " << want.size() << " off, the first at " << first_bad << ": "
              << (bad ? got[first_bad] : 0.0f) << " against " << (bad ? want[first_bad] : 0.0f));
    CHECK(bad == 0);
}

}  // namespace

TEST_CASE("lstm<float>'s step kernels follow lstm_steps.hpp's templates at every SIMD level") {
    // The kernels alone (the layer test above covers them inside lstm<float> too, but at
    // avx512 the fused kernels take H <= 256): H = 1, 3, 19 and 37 leave a remainder of the
    // gate rows (4H) and unit rows (H) at every vector width, 64 none; n = 1 and 5 rows.
    // Pre-activations over +-8 with some past exp's clamp (+-100), near 0 and at tanh's
    // switch (0.4), and one NaN, which must come out as NaN in its gate and unit.
    // Tolerances, as |got - want| <= tol (1 + |want|): the forward's exp, sigmoid and tanh
    // are within 4 float ulps of the templates' std::exp and std::tanh (4.8e-7 relative,
    // absolute near 0 where g = 2 sigma(2 z) - 1 cancels), and c = f c_prev + i g sums
    // two products of them: 1e-6. Backward and the input loops do the templates'
    // arithmetic, fused multiply-adds aside: 4 ulps, 4.8e-7. (Measured: 1.3e-7 at most.)
    test::for_each_simd_level([] {
        for (std::size_t h : {1u, 3u, 19u, 37u, 64u}) {
            for (std::size_t n : {1u, 5u}) {
                for (bool hard : {false, true}) {
                    CAPTURE(h);
                    CAPTURE(n);
                    CAPTURE(hard);
                    const std::size_t g4 = 4 * h;
                    rng g(100 * h + n);
                    auto draw = [&g](std::size_t size, double lo, double hi) {
                        std::vector<float> v(size);
                        for (auto& e : v) e = float(g.uniform(lo, hi));
                        return v;
                    };
                    std::vector<float> z = draw(n * g4, -8, 8);
                    const float specials[] = {100.f, -100.f, 0.f, 1e-4f, -1e-4f, 0.39999f, -0.40001f, 2.5f, -2.5f};
                    for (std::size_t k = 0; k < std::size(specials) && 3 * k < z.size(); ++k) z[(7 * k + 2 * h) % z.size()] = specials[k];
                    z[z.size() / 2] = std::numeric_limits<float>::quiet_NaN();
                    const std::vector<float> c_prev = draw(n * h, -1, 1);

                    // forward
                    std::vector<float> z_fast = z, z_ref = z;
                    std::vector<float> c_fast(n * h), c_ref(n * h), t_fast(n * h), t_ref(n * h), h_fast(n * h), h_ref(n * h);
                    nn::detail::step_forward(hard, z_fast.data(), c_prev.data(), c_fast.data(), t_fast.data(), h_fast.data(), n, h);
                    if (hard) nn::detail::lstm_step_forward<true>(z_ref.data(), c_prev.data(), c_ref.data(), t_ref.data(), h_ref.data(), n, h);
                    else nn::detail::lstm_step_forward<false>(z_ref.data(), c_prev.data(), c_ref.data(), t_ref.data(), h_ref.data(), n, h);
                    check_close(z_fast, z_ref, 1e-6, "gates");
                    check_close(c_fast, c_ref, 1e-6, "c");
                    check_close(t_fast, t_ref, 1e-6, "tanh(c)");
                    check_close(h_fast, h_ref, 1e-6, "h");
                    CHECK(std::count_if(z_fast.begin(), z_fast.end(), [](float v) { return std::isnan(v); }) == 1);

                    // backward, from the reference's gates and tanh(c), the NaN's gate and unit set to numbers
                    std::vector<float> gates = z_ref, tanh_c = t_ref;
                    for (auto* v : {&gates, &tanh_c})
                        for (auto& e : *v)
                            if (std::isnan(e)) e = 0.5f;
                    const std::vector<float> dh = draw(n * h, -1, 1), dc = draw(n * h, -1, 1);
                    std::vector<float> dc_fast = dc, dc_ref = dc, dz_fast(n * g4), dz_ref(n * g4);
                    nn::detail::step_backward(hard, gates.data(), c_prev.data(), tanh_c.data(), dh.data(), dc_fast.data(), dz_fast.data(), n, h);
                    if (hard) nn::detail::lstm_step_backward<true>(gates.data(), c_prev.data(), tanh_c.data(), dh.data(), dc_ref.data(), dz_ref.data(), n, h);
                    else nn::detail::lstm_step_backward<false>(gates.data(), c_prev.data(), tanh_c.data(), dh.data(), dc_ref.data(), dz_ref.data(), n, h);
                    check_close(dz_fast, dz_ref, 4.8e-7, "dz");
                    check_close(dc_fast, dc_ref, 4.8e-7, "dc_prev");
                    // dz written over the gates themselves, as lstm<float> calls it
                    std::vector<float> in_place = gates, dc_in_place = dc;
                    nn::detail::step_backward(hard, in_place.data(), c_prev.data(), tanh_c.data(), dh.data(), dc_in_place.data(), in_place.data(), n, h);
                    CHECK(in_place == dz_fast);

                    // narrow inputs: z = x W + b, then dW += x^T dz, db += column sums of dz
                    for (std::size_t f : {1u, 2u, 5u}) {
                        CAPTURE(f);
                        const std::vector<float> x = draw(n * f, -1, 1), w = draw(f * g4, -1, 1), b = draw(g4, -1, 1);
                        std::vector<float> zp_fast(n * g4), zp_ref(n * g4);
                        nn::detail::input_projection_rows(x.data(), w.data(), b.data(), zp_fast.data(), n, f, g4);
                        nn::detail::input_projection_rows_t(x.data(), w.data(), b.data(), zp_ref.data(), n, f, g4);
                        check_close(zp_fast, zp_ref, 4.8e-7, "x W + b");
                        std::vector<float> dw_fast = draw(f * g4, -1, 1), db_fast = draw(g4, -1, 1);
                        std::vector<float> dw_ref = dw_fast, db_ref = db_fast;
                        nn::detail::input_weight_grads_rows(x.data(), dz_ref.data(), dw_fast.data(), db_fast.data(), n, f, g4);
                        nn::detail::input_weight_grads_rows_t(x.data(), dz_ref.data(), dw_ref.data(), db_ref.data(), n, f, g4);
                        check_close(dw_fast, dw_ref, 4.8e-7, "dW");
                        check_close(db_fast, db_ref, 4.8e-7, "db");
                    }
                }
            }
        }
    });
}

TEST_CASE("lstm<float> passes a NaN in its input on to that sample's output, on both paths") {
    // A NaN must reach the loss, where fit stops on it; a clamp that turned it into a
    // number would let training go on with NaN parameters.
    for_both_float_paths([] {
        for (auto recurrent : kRecurrent) {
            CAPTURE(nn::to_string(recurrent));
            const std::size_t n = 7, steps = 5, f = 2, h = 20;
            rng g(3);
            nn::lstm<float> layer(h, options(recurrent, false));
            layer.build({steps, f});
            param_store<float> store;
            nn::bind_layers<float>({&layer}, store, g);
            tensor<float> x = cast<float>(test::random_tensor({n, steps, f}, g));
            x(2, 1, 0) = std::numeric_limits<float>::quiet_NaN();
            const tensor<float>& y = layer.forward(x, nn::mode::infer);
            for (std::size_t s = 0; s < n; ++s)
                for (std::size_t j = 0; j < h; ++j) CHECK(std::isnan(y(s, j)) == (s == 2));
        }
    });
}

namespace {

// Runs one fixture file through lstm<T> for each output mode it holds and compares
// everything with PyTorch's values.
template <class T>
void check_against_torch(const std::string& file, nn::activation recurrent, double tolerance) {
    const auto fx = test::load_fixture(file);
    const auto& x = test::get(fx, "x");
    const std::size_t steps = x.shape()[1], f = x.shape()[2];
    const std::size_t h = test::get(fx, "h0").shape()[1];
    int modes = 0;
    for (bool sequences : {false, true}) {
        const std::string m = sequences ? "seq" : "last";
        if (!fx.count("y_" + m)) continue;
        ++modes;
        CAPTURE(file);
        CAPTURE(m);
        nn::lstm<T> layer(h, options(recurrent, sequences));
        layer.build({steps, f});
        param_store<T> store;
        rng g(1);
        nn::bind_layers<T>({&layer}, store, g);
        for (auto [view, name] : {std::pair{layer.kernel(), "kernel"},
                                  std::pair{layer.recurrent_kernel(), "recurrent_kernel"},
                                  std::pair{layer.bias(), "bias"}}) {
            const auto& v = test::get(fx, name);
            REQUIRE(v.size() == view.size);
            std::transform(v.begin(), v.end(), view.value, [](double d) { return T(d); });
        }
        layer.set_initial_state(cast<T>(test::get(fx, "h0")), cast<T>(test::get(fx, "c0")));
        const tensor<T> y = layer.forward(cast<T>(x), nn::mode::train);
        const tensor<T> dx = layer.backward(cast<T>(test::get(fx, "dy_" + m)));
        CHECK(relative_error(y, test::get(fx, "y_" + m)) <= tolerance);
        CHECK(relative_error(layer.final_hidden(), test::get(fx, "hT_" + m)) <= tolerance);
        CHECK(relative_error(layer.final_cell(), test::get(fx, "cT_" + m)) <= tolerance);
        CHECK(relative_error(dx, test::get(fx, "dx_" + m)) <= tolerance);
        CHECK(relative_error(layer.kernel().grads(), test::get(fx, "dkernel_" + m)) <= tolerance);
        CHECK(relative_error(layer.recurrent_kernel().grads(), test::get(fx, "drecurrent_" + m)) <= tolerance);
        CHECK(relative_error(layer.bias().grads(), test::get(fx, "dbias_" + m)) <= tolerance);
        CHECK(relative_error(layer.initial_state_grad_h(), test::get(fx, "dh0_" + m)) <= tolerance);
        CHECK(relative_error(layer.initial_state_grad_c(), test::get(fx, "dc0_" + m)) <= tolerance);
    }
    CHECK(modes > 0);
}

}  // namespace

TEST_CASE("lstm matches PyTorch (torch.nn.LSTM and a hard_sigmoid cell loop) in double and float") {
    // The fixtures keep 12 significant digits, so double agrees far inside the 1e-5 bound.
    for (auto [file, recurrent] :
         {std::pair{"lstm_sigmoid_small.txt", nn::activation::sigmoid},
          std::pair{"lstm_hard_sigmoid_small.txt", nn::activation::hard_sigmoid},
          std::pair{"lstm_sigmoid_n32.txt", nn::activation::sigmoid},
          std::pair{"lstm_hard_sigmoid_n32.txt", nn::activation::hard_sigmoid}}) {
        check_against_torch<double>(file, recurrent, 1e-10);
        const std::string name = file;  // a structured binding cannot be captured in C++17
        const nn::activation activation = recurrent;
        for_both_float_paths([&] { check_against_torch<float>(name, activation, 1e-4); });
    }
}

TEST_CASE("lstm initialisers: Keras 2.2 defaults and PyTorch's") {
    const std::size_t f = 2, h = 21;
    {
        nn::lstm<double> layer(h);  // Keras 2.2
        CHECK(layer.options().recurrent_activation == nn::activation::hard_sigmoid);
        layer.build({21, f});
        param_store<double> store;
        rng g(3);
        nn::bind_layers<double>({&layer}, store, g);
        CHECK(store.size() == 4 * h * (f + h + 1));  // 2016: the paper's LSTM(21) on 2 features
        const double limit = std::sqrt(6.0 / double(f + 4 * h));
        const auto w = layer.kernel().values();
        CHECK(xt::amax(xt::abs(w))() <= limit);
        CHECK(xt::amax(xt::abs(w))() > 0.8 * limit);
        // U (H, 4H) has orthonormal rows: U U^T = I
        const double* u = layer.recurrent_kernel().value;
        double worst = 0;
        for (std::size_t a = 0; a < h; ++a)
            for (std::size_t b = 0; b < h; ++b) {
                double dot = 0;
                for (std::size_t k = 0; k < 4 * h; ++k) dot += u[a * 4 * h + k] * u[b * 4 * h + k];
                worst = std::max(worst, std::abs(dot - (a == b ? 1.0 : 0.0)));
            }
        CHECK(worst < 1e-12);
        const double* b = layer.bias().value;
        for (std::size_t k = 0; k < 4 * h; ++k) CHECK(b[k] == (k >= h && k < 2 * h ? 1.0 : 0.0));
    }
    {
        nn::lstm<double> layer(h, nn::lstm_options::torch());
        CHECK(layer.options().recurrent_activation == nn::activation::sigmoid);
        layer.build({21, f});
        param_store<double> store;
        rng g(3);
        nn::bind_layers<double>({&layer}, store, g);
        const double bound = 1 / std::sqrt(double(h));
        for (auto view : {layer.kernel(), layer.recurrent_kernel()}) {
            const auto v = view.values();
            CHECK(xt::amax(xt::abs(v))() <= bound);
            CHECK(xt::amax(xt::abs(v))() > 0.9 * bound);
        }
        // b = b_ih + b_hh: a sum of two U(-bound, bound) draws, so it exceeds one bound somewhere
        const auto b = layer.bias().values();
        CHECK(xt::amax(xt::abs(b))() <= 2 * bound);
        CHECK(xt::amax(xt::abs(b))() > bound);
    }
}

TEST_CASE("lstm refuses bad input with clear errors") {
    CHECK_THROWS_AS(nn::lstm<double>(0), knit::value_error);
    nn::lstm_options o;
    o.recurrent_activation = nn::activation::tanh;
    CHECK_THROWS_AS(nn::lstm<double>(3, o), knit::value_error);
    nn::lstm<double> flat(3);
    CHECK_THROWS_AS(flat.build({5}), knit::shape_error);

    nn::lstm<double> layer(3);
    layer.build({4, 2});
    param_store<double> store;
    rng g(1);
    nn::bind_layers<double>({&layer}, store, g);
    CHECK_THROWS_AS(layer.forward(tensor<double>::from_shape({2, 5, 2}), nn::mode::train), knit::shape_error);
    CHECK_THROWS_AS(layer.set_initial_state(xt::zeros<double>({2, 4}), xt::zeros<double>({2, 3})),
                    knit::shape_error);
    CHECK_THROWS_AS(layer.set_initial_state(xt::zeros<double>({2, 3}), xt::zeros<double>({1, 3})),
                    knit::shape_error);
    layer.set_initial_state(xt::zeros<double>({2, 3}), xt::zeros<double>({2, 3}));
    CHECK_THROWS_AS(layer.forward(xt::zeros<double>({3, 4, 2}), nn::mode::train), knit::shape_error);
    layer.clear_initial_state();
    CHECK_NOTHROW(layer.forward(xt::zeros<double>({3, 4, 2}), nn::mode::train));
    // Backward writes dZ over the forward's gates, so one forward serves one backward.
    CHECK_NOTHROW(layer.backward(xt::ones<double>({3, 3})));
    try {
        layer.backward(xt::ones<double>({3, 3}));
        FAIL("expected a state_error");
    } catch (const knit::state_error& e) {
        CHECK(std::string(e.what()).find("second backward") != std::string::npos);
    }
    CHECK_NOTHROW(layer.forward(xt::zeros<double>({3, 4, 2}), nn::mode::train));
    try {
        layer.forward(tensor<double>::from_shape({2, 4, 3}), nn::mode::train);
        FAIL("expected a shape_error");
    } catch (const knit::shape_error& e) {
        CHECK(std::string(e.what()).find("(N, 4, 2)") != std::string::npos);
    }
}

TEST_CASE("lstm reuses its buffers across batches of the same size") {
    nn::lstm<float> layer(8, nn::lstm_options::torch(true));
    layer.build({6, 3});
    param_store<float> store;
    rng g(5);
    nn::bind_layers<float>({&layer}, store, g);
    const tensor<float> x = cast<float>(test::random_tensor({4, 6, 3}, g));
    const tensor<float> dy = cast<float>(test::random_tensor({4, 6, 8}, g));
    const float* y_first = layer.forward(x, nn::mode::train).data();
    const float* dx_first = layer.backward(dy).data();
    const tensor<float> y_copy = layer.forward(x, nn::mode::train);
    CHECK(layer.forward(x, nn::mode::train).data() == y_first);
    CHECK(layer.backward(dy).data() == dx_first);
    CHECK(relative_error(layer.forward(x, nn::mode::infer), y_copy) == 0.0);  // deterministic
}

TEST_CASE("stacked lstm -> lstm passes the gradient check") {
    for (auto recurrent : kRecurrent) {
        CAPTURE(nn::to_string(recurrent));
        nn::sequential<double> model({5, 2});
        model.add(nn::lstm<double>(4, options(recurrent, true)));
        model.add(nn::lstm<double>(3, options(recurrent, false)));
        model.compile(9);
        rng g(9);
        fill_params(model.store(), g, 0.25);  // 0.25 * (4 + 4 + 1) = 2.25 < 2.5
        auto r = test::check_layer_gradients(model, model.store(), test::random_tensor({3, 5, 2}, g), g);
        INFO(r.worst);
        CHECK(r.checked == 4 * 4 * (2 + 4 + 1) + 4 * 3 * (4 + 3 + 1) + 3 * 5 * 2);
        CHECK(r.ok());
    }
}

TEST_CASE("bidirectional lstm: gradient check, contract, and the two directions it concatenates") {
    const std::size_t n = 3, steps = 4, f = 2, h = 3;
    for (bool sequences : {false, true}) {
        CAPTURE(sequences);
        rng g(13);
        nn::bidirectional<double> layer(h, options(nn::activation::sigmoid, sequences));
        CHECK(layer.build({steps, f}) == (sequences ? shape_t{steps, 2 * h} : shape_t{2 * h}));
        param_store<double> store;
        nn::bind_layers<double>({&layer}, store, g);
        fill_params(store, g, 0.5);
        const tensor<double> x = test::random_tensor({n, steps, f}, g);
        auto r = test::check_layer_gradients(layer, store, x, g);
        INFO(r.worst);
        CHECK(r.checked == 2 * 4 * h * (f + h + 1) + n * steps * f);
        CHECK(r.ok());

        // Each half is a plain lstm run on x (forwards) or on x reversed in time.
        const tensor<double> y = layer.forward(x, nn::mode::infer);
        tensor<double> reversed = x;
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t t = 0; t < steps; ++t)
                for (std::size_t a = 0; a < f; ++a) reversed(s, t, a) = x(s, steps - 1 - t, a);
        const auto& views = store.views();
        auto run = [&](std::size_t first, const tensor<double>& input) {
            return nn::reference::lstm_forward_backward(
                input, views[first].value, views[first + 1].value, views[first + 2].value, h, sequences,
                nn::activation::sigmoid, {}, {},
                tensor<double>(xt::zeros<double>(sequences ? shape_t{n, steps, h} : shape_t{n, h})));
        };
        const auto fwd = run(0, x), bwd = run(3, reversed);
        double worst = 0;
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t j = 0; j < h; ++j) {
                if (sequences) {
                    for (std::size_t t = 0; t < steps; ++t) {
                        worst = std::max(worst, std::abs(y(s, t, j) - fwd.y(s, t, j)));
                        worst = std::max(worst, std::abs(y(s, t, h + j) - bwd.y(s, steps - 1 - t, j)));
                    }
                } else {
                    worst = std::max(worst, std::abs(y(s, j) - fwd.y(s, j)));
                    worst = std::max(worst, std::abs(y(s, h + j) - bwd.y(s, j)));
                }
            }
        CHECK(worst < 1e-13);
        CHECK(store.views()[0].name.find("forward.kernel") != std::string::npos);
        CHECK(store.views()[3].name.find("backward.kernel") != std::string::npos);

        test::check_layer_contract(
            [&] { return std::make_unique<nn::bidirectional<double>>(2, options(nn::activation::hard_sigmoid, sequences)); },
            {3, 2});
    }
}

TEST_CASE("lstm learns the sign of a noisy sum, which needs memory over the whole sequence") {
    // x_t ~ U(-1, 1), label = [sum_t x_t > 0]: the answer depends on every step equally,
    // so the cell must integrate; the last input alone gives about 60 % accuracy.
    const std::size_t steps = 12, train_n = 512, test_n = 512, batch = 32, h = 8;
    rng g(2024);
    auto make_set = [&](std::size_t count, tensor<float>& x, tensor<float>& y) {
        x = tensor<float>::from_shape({count, steps, 1});
        y = tensor<float>::from_shape({count, 1});
        for (std::size_t s = 0; s < count; ++s) {
            double sum = 0;
            for (std::size_t t = 0; t < steps; ++t) sum += (x(s, t, 0) = float(g.uniform(-1, 1)));
            y(s, 0) = sum > 0 ? 1.f : 0.f;
        }
    };
    tensor<float> x_train, y_train, x_test, y_test;
    make_set(train_n, x_train, y_train);
    make_set(test_n, x_test, y_test);

    nn::lstm<float> rnn(h, nn::lstm_options::keras());  // hard_sigmoid, as in the paper
    nn::dense<float> head(1);
    rnn.build({steps, 1});
    head.build({h});
    param_store<float> store;
    nn::bind_layers<float>({&rnn, &head}, store, g);
    nn::bce_with_logits<float> loss;
    nn::adam<float> opt(nn::adam_options{0.01});

    auto accuracy = [&]() {
        const tensor<float>& z = head.forward(rnn.forward(x_test, nn::mode::infer), nn::mode::infer);
        std::size_t right = 0;
        for (std::size_t s = 0; s < test_n; ++s) right += (z(s, 0) > 0) == (y_test(s, 0) > 0.5f);
        return double(right) / double(test_n);
    };
    const double before = accuracy();
    tensor<float> xb = tensor<float>::from_shape({batch, steps, 1}), yb = tensor<float>::from_shape({batch, 1});
    for (int epoch = 0; epoch < 30; ++epoch) {
        for (std::size_t start = 0; start + batch <= train_n; start += batch) {
            std::copy(x_train.data() + start * steps, x_train.data() + (start + batch) * steps, xb.data());
            std::copy(y_train.data() + start, y_train.data() + start + batch, yb.data());
            store.zero_grad();
            loss.forward(head.forward(rnn.forward(xb, nn::mode::train), nn::mode::train), yb);
            rnn.backward(head.backward(loss.backward()));
            opt.step(store);
        }
    }
    const double after = accuracy();
    MESSAGE("sign-of-sum accuracy: " << before << " before training, " << after << " after");
    CHECK(after >= 0.95);
    CHECK(after > before + 0.1);
}

TEST_CASE("lstm skips dL/dx when its input needs no gradient (rule 7), for both input paths") {
    for (std::size_t f : {2u, 12u}) {
        CAPTURE(f);
        rng g(8);
        nn::lstm<double> layer(3);
        layer.build({4, f});
        param_store<double> store;
        nn::bind_layers<double>({&layer}, store, g);
        const tensor<double> x = test::random_tensor({2, 4, f}, g), dy = test::random_tensor({2, 3}, g);
        layer.forward(x, nn::mode::train);
        CHECK(layer.backward(dy).size() == 2 * 4 * f);
        layer.set_input_grad(false);
        layer.forward(x, nn::mode::train);
        CHECK(layer.backward(dy).size() == 0);
    }
}
