// The layer contract of include/knit/nn/layer.hpp (rules 1, 3, 4, 7 and 8), checked mechanically. Every layer's
// test calls check_layer_contract once; it asserts with doctest so a failure names the
// rule that broke.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <memory>

#include "knit/core/params.hpp"
#include "knit/core/random.hpp"
#include "knit/nn/layer.hpp"
#include "support/gradcheck.hpp"

namespace knit::test {

// make() returns a fresh, unbuilt layer; input_shape is per sample (no batch axis).
// draw_input(shape, rng) may be given to keep inputs off kinks; default U(-1, 1).
inline void check_layer_contract(
    const std::function<std::unique_ptr<nn::layer<double>>()>& make, const shape_t& input_shape,
    std::function<tensor<double>(const shape_t&, rng&)> draw_input = nullptr) {
    if (!draw_input) draw_input = [](const shape_t& s, rng& g) { return random_tensor(s, g); };
    rng g(1234);

    // Rule 3/4: forward and backward before build, and backward before forward, refuse.
    {
        auto l = make();
        CHECK_THROWS_AS(l->forward(draw_input(with_batch(2, input_shape), g), nn::mode::train),
                        knit::error);
        l->build(input_shape);
        CHECK_THROWS_AS(l->build(input_shape), knit::state_error);
        param_store<double> store;
        nn::bind_layers<double>({l.get()}, store, g);
        CHECK_THROWS_AS(l->backward(random_tensor(with_batch(2, l->output_shape()), g)),
                        knit::state_error);
    }

    auto l = make();
    const shape_t out = l->build(input_shape);
    param_store<double> store;
    nn::bind_layers<double>({l.get()}, store, g);

    // Rule 1/3: the output shape is what build() promised, for several batch sizes.
    for (std::size_t n : {1u, 3u, 2u}) {
        const auto& y = l->forward(draw_input(with_batch(n, input_shape), g), nn::mode::train);
        CHECK(to_shape(y.shape()) == with_batch(n, out));
    }
    // Rule 3: a wrong per-sample shape is refused with shape_error.
    shape_t wrong = input_shape;
    wrong.back() += 1;
    CHECK_THROWS_AS(l->forward(draw_input(with_batch(2, wrong), g), nn::mode::train),
                    knit::shape_error);

    // Rule 4: backward adds into the gradients, and a dy of the wrong batch is refused.
    const tensor<double> x = draw_input(with_batch(3, input_shape), g);
    const tensor<double> dy = random_tensor(with_batch(3, out), g);
    store.zero_grad();
    l->forward(x, nn::mode::train);
    const tensor<double> dx_once = l->backward(dy);
    std::vector<double> once(store.grads(), store.grads() + store.size());
    l->forward(x, nn::mode::train);
    const tensor<double> dx_twice = l->backward(dy);
    CHECK(to_shape(dx_once.shape()) == with_batch(3, input_shape));
    for (std::size_t i = 0; i < store.size(); ++i)
        CHECK(store.grads()[i] == doctest::Approx(2 * once[i]).epsilon(1e-12));
    l->forward(x, nn::mode::train);
    CHECK_THROWS_AS(l->backward(random_tensor(with_batch(4, out), g)), knit::shape_error);

    // Rule 7: without an input gradient, the parameter gradients are unchanged and dx is
    // either skipped (size 0) or complete; turning it back on restores dx.
    l->set_input_grad(false);
    CHECK_FALSE(l->input_grad());
    store.zero_grad();
    l->forward(x, nn::mode::train);
    const tensor<double> dx_skipped = l->backward(dy);
    CHECK((dx_skipped.size() == 0 || to_shape(dx_skipped.shape()) == with_batch(3, input_shape)));
    for (std::size_t i = 0; i < store.size(); ++i)
        CHECK(store.grads()[i] == doctest::Approx(once[i]).epsilon(1e-12));
    l->set_input_grad(true);
    l->forward(x, nn::mode::train);
    CHECK(to_shape(l->backward(dy).shape()) == with_batch(3, input_shape));

    // Rule 8: unless told the input is kept, the layer does not read x after forward:
    // overwriting the caller's buffer before backward changes no gradient.
    CHECK_FALSE(l->input_kept());
    tensor<double> scratch = x;
    store.zero_grad();
    l->forward(scratch, nn::mode::train);
    scratch.fill(7.0);
    l->backward(dy);
    for (std::size_t i = 0; i < store.size(); ++i)
        CHECK(store.grads()[i] == doctest::Approx(once[i]).epsilon(1e-12));
}

}  // namespace knit::test
