#include <doctest/doctest.h>

#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "knit/nn/pool2d.hpp"
#include "nn/window_test_util.hpp"
#include "support/simd_levels.hpp"
#include "support/contract.hpp"
#include "support/fixtures.hpp"
#include "support/gradcheck.hpp"

using namespace knit;
using nn::extent2d;
using nn::padding2d;

namespace {

nn::pool2d_options pool_options(extent2d stride, padding2d pad, bool count_include_pad = true) {
    nn::pool2d_options o;
    o.stride = stride;
    o.padding = pad;
    o.count_include_pad = count_include_pad;
    return o;
}

struct pool_case {
    const char* name;
    shape_t input;
    extent2d kernel;
    nn::pool2d_options options;
};

const pool_case cases[] = {
    {"2x2 valid", {2, 4, 6}, {2, 2}, {}},
    {"1x2 (the paper's)", {3, 4, 7}, {1, 2}, {}},
    {"3x3 stride 2 pad 1", {2, 7, 6}, {3, 3}, pool_options({2, 2}, padding2d::symmetric(1, 1))},
    {"2x3 stride 2 same", {2, 5, 7}, {2, 3}, pool_options({2, 2}, padding2d::same())},
    {"3x2 stride 1 sides, no pad count", {1, 5, 5}, {3, 2}, pool_options({1, 1}, padding2d::sides(2, 0, 1, 1), false)},
    {"overlapping 3x3 stride 1", {2, 5, 5}, {3, 3}, pool_options({1, 1}, padding2d::valid())},
};

template <class Layer>
void gradcheck_all() {
    for (const auto& c : cases) {
        CAPTURE(c.name);
        rng g(17);
        Layer layer(c.kernel, c.options);
        layer.build(c.input);
        param_store<double> store;
        nn::bind_layers<double>({&layer}, store, g);
        auto r = test::check_layer_gradients(layer, store, test::untied_tensor(with_batch(3, c.input), g), g);
        INFO(r.worst);
        CHECK(r.checked == 3 * shape_size(c.input));
        CHECK(r.ok());
    }
}

template <class Layer>
void match_fixture(const test::fixture& fx, const std::string& name, shape_t kernel_hw,
                   nn::pool2d_options options) {
    CAPTURE(name);
    const auto& x = test::get(fx, name + ".x");
    Layer layer({kernel_hw[0], kernel_hw[1]}, options);
    layer.build(without_batch(x.shape()));
    test::check_close(layer.forward(x, nn::mode::train), test::get(fx, name + ".y"), name + " y");
    test::check_close(layer.backward(test::get(fx, name + ".g")), test::get(fx, name + ".dx"), name + " dx");
}

}  // namespace

TEST_CASE("max_pool2d passes the gradient check (inputs without ties)") {
    gradcheck_all<nn::max_pool2d<double>>();
}

TEST_CASE("avg_pool2d passes the gradient check") {
    gradcheck_all<nn::avg_pool2d<double>>();
}

TEST_CASE("max_pool2d and avg_pool2d match PyTorch (float64 fixtures)") {
    const auto fx = test::load_fixture("conv_pool2d.txt");
    using M = nn::max_pool2d<double>;
    using A = nn::avg_pool2d<double>;
    match_fixture<M>(fx, "max2x2", {2, 2}, {});
    match_fixture<M>(fx, "max1x2", {1, 2}, {});
    match_fixture<M>(fx, "max3x3_s2_p1", {3, 3}, pool_options({2, 2}, padding2d::symmetric(1, 1)));
    match_fixture<M>(fx, "max_same2x3_s2", {2, 3}, pool_options({2, 2}, padding2d::same()));
    match_fixture<A>(fx, "avg2x2", {2, 2}, {});
    match_fixture<A>(fx, "avg3x3_s2_p1", {3, 3}, pool_options({2, 2}, padding2d::symmetric(1, 1)));
    match_fixture<A>(fx, "avg3x3_s2_p1_nopad", {3, 3}, pool_options({2, 2}, padding2d::symmetric(1, 1), false));
    match_fixture<A>(fx, "avg_same2x3_s2", {2, 3}, pool_options({2, 2}, padding2d::same(), false));
}

TEST_CASE("max_pool2d routes a tie's gradient to the first maximum (row-major), like PyTorch") {
    nn::max_pool2d<double> layer({2, 2});
    layer.build({1, 2, 2});
    tensor<double> x = {{{{0.5, 0.9}, {0.9, 0.1}}}};
    const auto& y = layer.forward(x, nn::mode::train);
    CHECK(y(0, 0, 0, 0) == 0.9);
    tensor<double> dy = tensor<double>::from_shape({1, 1, 1, 1});
    dy.data()[0] = 3.0;
    const auto& dx = layer.backward(dy);
    CHECK(dx(0, 0, 0, 1) == 3.0);
    CHECK(dx(0, 0, 1, 0) == 0.0);
    CHECK(dx(0, 0, 0, 0) == 0.0);
}

TEST_CASE("pooling output shapes and padding rules") {
    nn::max_pool2d<double> paper({1, 2});
    CHECK(paper.build({50, 4, 24}) == shape_t{50, 4, 12});
    nn::max_pool2d<double> odd({1, 2});
    CHECK(odd.build({15, 4, 7}) == shape_t{15, 4, 3});  // valid drops the last column
    nn::max_pool2d<double> same({1, 2}, pool_options({0, 0}, padding2d::same()));
    CHECK(same.build({15, 4, 7}) == shape_t{15, 4, 4});  // same keeps ceil(7 / 2)
    CHECK(same.geometry().pad_right == 1);
    CHECK(same.geometry().pad_left == 0);
    nn::avg_pool2d<double> strided({3, 3}, pool_options({2, 1}, padding2d::symmetric(1, 0)));
    CHECK(strided.build({2, 7, 6}) == shape_t{2, 4, 4});
    CHECK(strided.options().stride == extent2d{2, 1});
}

TEST_CASE("pooling refuses bad settings with clear errors") {
    CHECK_THROWS_AS(nn::max_pool2d<double>({0, 2}), knit::value_error);
    {
        // A 2x2 window with 2 rows of padding above: the first window sees only padding.
        nn::max_pool2d<double> l({2, 2}, pool_options({1, 1}, padding2d::sides(2, 0, 0, 0)));
        CHECK_THROWS_AS(l.build({1, 4, 4}), knit::shape_error);
    }
    {
        nn::avg_pool2d<double> l({3, 3});
        CHECK_THROWS_AS(l.build({1, 2, 5}), knit::shape_error);  // window taller than the input
    }
    {
        nn::avg_pool2d<double> l({2, 2});
        CHECK_THROWS_AS(l.build({4, 4}), knit::shape_error);  // not (C, H, W)
    }
}

TEST_CASE("max_pool2d and avg_pool2d keep the layer contract") {
    auto untied = [](const shape_t& s, rng& g) { return test::untied_tensor(s, g); };
    test::check_layer_contract([] { return std::make_unique<nn::max_pool2d<double>>(extent2d{1, 2}); }, {2, 3, 6}, untied);
    test::check_layer_contract([] { return std::make_unique<nn::max_pool2d<double>>(extent2d{3, 3}, pool_options({2, 2}, padding2d::same())); }, {2, 5, 5}, untied);
    test::check_layer_contract([] { return std::make_unique<nn::avg_pool2d<double>>(extent2d{2, 2}); }, {2, 4, 4});
    test::check_layer_contract([] { return std::make_unique<nn::avg_pool2d<double>>(extent2d{2, 3}, pool_options({1, 2}, padding2d::same(), false)); }, {1, 3, 7});
}

TEST_CASE("float pooling matches double") {
    rng g(3);
    const auto x = test::untied_tensor({2, 3, 5, 7}, g);
    nn::max_pool2d<float> mf({2, 3}, pool_options({2, 2}, padding2d::same()));
    nn::max_pool2d<double> md({2, 3}, pool_options({2, 2}, padding2d::same()));
    mf.build({3, 5, 7});
    md.build({3, 5, 7});
    const tensor<double> yf = xt::cast<double>(mf.forward(xt::cast<float>(x), nn::mode::train));
    test::check_close(yf, md.forward(x, nn::mode::train), "max float", 1e-6, 1e-6);
    nn::avg_pool2d<float> af({3, 3}, pool_options({1, 1}, padding2d::symmetric(1, 1)));
    nn::avg_pool2d<double> ad({3, 3}, pool_options({1, 1}, padding2d::symmetric(1, 1)));
    af.build({3, 5, 7});
    ad.build({3, 5, 7});
    const tensor<double> af_y = xt::cast<double>(af.forward(xt::cast<float>(x), nn::mode::train));
    test::check_close(af_y, ad.forward(x, nn::mode::train), "avg float", 1e-5, 1e-6);
}

namespace {

// The (1x2) max-pool written out: y = the first maximum of each pair, dx routes dy to it.
template <class T>
void check_pairs_against_loops(std::size_t n, const shape_t& input) {
    nn::max_pool2d<T> layer({1, 2});
    layer.build(input);
    const std::size_t c = input[0], h = input[1], w = input[2], wo = w / 2;
    rng g(5);
    // values on a coarse grid so that many pairs tie (the first must win)
    tensor<T> x = tensor<T>::from_shape(with_batch(n, input));
    for (auto& v : x) v = T(double(g.below(5)) - 2.0);
    tensor<T> dy = tensor<T>::from_shape({n, c, h, wo});
    for (auto& v : dy) v = T(g.uniform(-1, 1));
    const tensor<T> y = layer.forward(x, nn::mode::train);
    const tensor<T> dx = layer.backward(dy);
    REQUIRE(y.shape() == dy.shape());
    for (std::size_t s = 0; s < n; ++s)
        for (std::size_t ch = 0; ch < c; ++ch)
            for (std::size_t r = 0; r < h; ++r) {
                for (std::size_t k = 0; k < wo; ++k) {
                    const T a = x(s, ch, r, 2 * k), b = x(s, ch, r, 2 * k + 1);
                    const bool second = b > a;
                    CHECK(y(s, ch, r, k) == (second ? b : a));
                    CHECK(dx(s, ch, r, 2 * k) == (second ? T(0) : dy(s, ch, r, k)));
                    CHECK(dx(s, ch, r, 2 * k + 1) == (second ? dy(s, ch, r, k) : T(0)));
                }
                if (w % 2 == 1) CHECK(dx(s, ch, r, w - 1) == T(0));
            }
}

}  // namespace

TEST_CASE("max_pool2d (1x2), the paper's window: the fast path equals the loops, ties included") {
    // through the layer, at every level (Highway's build for each, AVX3 at avx512)
    test::for_each_simd_level([] {
        check_pairs_against_loops<double>(3, {4, 4, 12});  // even width
        check_pairs_against_loops<float>(2, {3, 2, 7});    // odd width: the last column is dropped
        check_pairs_against_loops<double>(1, {1, 1, 2});
        // long enough for the 16-lane (float) and 8-lane (double) AVX-512 loops, with tails:
        // even widths run as one row of 5*3*4*12 = 720 (float: 45 vectors) or 2*5*3*11 = 330
        // pairs (double: 41 vectors + 2), odd widths row by row (17 pairs: 1 vector + 1 or 2 + 1)
        check_pairs_against_loops<float>(5, {3, 4, 24});
        check_pairs_against_loops<double>(2, {5, 3, 22});
        check_pairs_against_loops<float>(2, {3, 2, 35});
        check_pairs_against_loops<double>(3, {2, 2, 35});
    });
}

namespace {

// Bit patterns, so that -0 against +0 and NaN payloads count as differences.
template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
    // memcmp on an empty vector's null data() is undefined, even with a zero length
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// max_pairs_forward/backward against their reference loops over count pairs starting at
// x + 2 * offset (so that the vectors' loads are not all aligned). The inputs hold ties,
// both zeros and NaNs; dx starts as garbage, which every output must overwrite.
template <class T>
void check_pair_kernels_against_reference(std::size_t count, std::size_t offset) {
    CAPTURE(count);
    CAPTURE(offset);
    rng g(11 + count);
    const T values[] = {T(-1), T(0), -T(0), T(1), T(2.5), std::numeric_limits<T>::quiet_NaN()};
    std::vector<T> x(2 * (count + offset)), dy(count);
    for (auto& v : x) v = values[g.below(6)];
    for (auto& v : dy) v = T(g.uniform(-1, 1));
    const T* in = x.data() + 2 * offset;
    std::vector<T> y(count, T(7)), y_ref(count, T(7));
    std::vector<unsigned char> second(count, 9), second_ref(count, 9);
    nn::detail::max_pairs_forward(in, y.data(), second.data(), count);
    nn::detail::max_pairs_forward_reference(in, y_ref.data(), second_ref.data(), count);
    CHECK(same_bits(y, y_ref));
    CHECK(second == second_ref);
    // backward from flags of either value, and from the forward's own flags
    std::vector<unsigned char> flags(count);
    for (auto& f : flags) f = static_cast<unsigned char>(g.below(2));
    for (const std::vector<unsigned char>* from : {&flags, &second_ref}) {
        std::vector<T> dx(2 * count, T(7)), dx_ref(2 * count, T(7));
        nn::detail::max_pairs_backward(dy.data(), from->data(), dx.data(), count);
        nn::detail::max_pairs_backward_reference(dy.data(), from->data(), dx_ref.data(), count);
        CHECK(same_bits(dx, dx_ref));
    }
}

}  // namespace

TEST_CASE("max_pool2d's (1x2) pair kernels equal their reference loops bit for bit, float and double, every length") {
    // 0..70 pairs: every tail of every vector width (4 and 8 floats, 2 and 4 doubles below
    // avx512, 16 and 8 at avx512), more than one whole vector of each
    test::for_each_simd_level([] {
        for (std::size_t count = 0; count <= 70; ++count) {
            check_pair_kernels_against_reference<float>(count, count % 3);
            check_pair_kernels_against_reference<double>(count, count % 3);
        }
    });
}
