// The paper's CNN (REFERENCE §3), float, one thread: forward and backward of each of its
// three Conv2D(2x3, same, relu) layers at N = 100, and a whole train step (softmax +
// categorical cross-entropy, Adam lr 1e-3) at N = 100 and at full batch N = 2,816, and the
// CNN's forward pass alone (inference) at N = 2,048.
// Every benchmark runs at each SIMD level the CPU has, and checks its result against the
// direct-loop convolutions first.
//   OPENBLAS_NUM_THREADS=1 ./bench_conv --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// bench/compare/conv.py runs this binary and the same shapes through PyTorch.
#include <benchmark/benchmark.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "knit/core/blas.hpp"
#include "knit/nn/conv2d.hpp"
#include "knit/nn/dense.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/pool2d.hpp"
#include "knit/nn/reshape.hpp"
#include "knit/nn/sequential.hpp"
#include "simd_levels.hpp"

namespace {

using knit::nn::extent2d;
using knit::nn::padding2d;

// The three conv layers of the paper's CNN: input (C, H, W) and filters.
struct conv_shape {
    std::size_t channels, height, width, filters;
};
const conv_shape paper_convs[] = {{1, 4, 24, 50}, {50, 4, 12, 25}, {25, 4, 6, 15}};

void require_close(const float* a, const float* b, std::size_t n, const char* what) {
    for (std::size_t i = 0; i < n; ++i)
        if (!(std::abs(a[i] - b[i]) <= 1e-4f * (1.0f + std::abs(b[i]))))
            throw std::runtime_error(std::string(what) + ": the fast path differs from the direct reference");
}

struct conv_setup {
    knit::nn::conv2d<float> layer;
    knit::param_store<float> store;
    knit::tensor<float> x, dy;

    static knit::nn::conv2d_options options(knit::nn::conv_algorithm algo) {
        knit::nn::conv2d_options o;
        o.act = knit::nn::activation::relu;
        o.padding = padding2d::same();
        o.bias_init = knit::nn::init::uniform(-0.1, 0.1);
        o.algorithm = algo;
        return o;
    }

    conv_setup(std::size_t n, const conv_shape& s, knit::nn::conv_algorithm algo = knit::nn::conv_algorithm::gemm)
        : layer(s.filters, {2, 3}, options(algo)) {
        knit::rng g(1);
        const knit::shape_t out = layer.build({s.channels, s.height, s.width});
        knit::nn::bind_layers<float>({&layer}, store, g);
        x = knit::tensor<float>::from_shape({n, s.channels, s.height, s.width});
        dy = knit::tensor<float>::from_shape(knit::with_batch(n, out));
        for (auto& v : x) v = float(g.uniform(-1, 1));
        for (auto& v : dy) v = float(g.uniform(-1, 1));
    }
};

// Before timing: the fast path's output, input gradient and weight gradient equal the
// direct-loop reference's on the same weights and data.
void check_against_reference(std::size_t n, const conv_shape& s) {
    conv_setup fast(n, s), slow(n, s, knit::nn::conv_algorithm::direct);
    const auto& yf = fast.layer.forward(fast.x, knit::nn::mode::train);
    const auto& ys = slow.layer.forward(slow.x, knit::nn::mode::train);
    require_close(yf.data(), ys.data(), yf.size(), "conv2d forward");
    const auto& dxf = fast.layer.backward(fast.dy);
    const auto& dxs = slow.layer.backward(slow.dy);
    require_close(dxf.data(), dxs.data(), dxf.size(), "conv2d input gradient");
    require_close(fast.store.grads(), slow.store.grads(), fast.store.size(), "conv2d parameter gradients");
}

void BM_conv_forward(benchmark::State& st) {
    const conv_shape& s = paper_convs[st.range(1)];
    check_against_reference(st.range(0), s);
    conv_setup b(st.range(0), s);
    for (auto _ : st) benchmark::DoNotOptimize(b.layer.forward(b.x, knit::nn::mode::train).data());
}

// backward alone, repeated after one forward (with dL/dx, as for a conv inside a model).
void BM_conv_backward(benchmark::State& st) {
    const conv_shape& s = paper_convs[st.range(1)];
    check_against_reference(st.range(0), s);
    conv_setup b(st.range(0), s);
    b.layer.forward(b.x, knit::nn::mode::train);
    for (auto _ : st) benchmark::DoNotOptimize(b.layer.backward(b.dy).data());
}

// backward without dL/dx (contract rule 7): what the first conv of a model does in
// training, and what PyTorch does for a conv whose input has requires_grad=False.
void BM_conv_backward_no_input_grad(benchmark::State& st) {
    const conv_shape& s = paper_convs[st.range(1)];
    check_against_reference(st.range(0), s);  // with dL/dx; the same kernels without it
    conv_setup b(st.range(0), s);
    b.layer.set_input_grad(false);
    b.layer.forward(b.x, knit::nn::mode::train);
    for (auto _ : st) benchmark::DoNotOptimize(b.layer.backward(b.dy).data());
}

void BM_conv_forward_backward(benchmark::State& st) {
    const conv_shape& s = paper_convs[st.range(1)];
    check_against_reference(st.range(0), s);
    conv_setup b(st.range(0), s);
    for (auto _ : st) {
        b.layer.forward(b.x, knit::nn::mode::train);
        benchmark::DoNotOptimize(b.layer.backward(b.dy).data());
    }
}

// The paper's CNN in NCHW: (1, 2, 21) -> pad to (1, 4, 24) -> 3 x [conv 2x3 same relu,
// max-pool 1x2] -> flatten (180) -> dense 120 relu -> dense 100 relu -> dense 2 softmax.
// (sequential is not movable, so the caller owns it: sequential<float> model({1, 2, 21}).)
void add_paper_cnn(knit::nn::sequential<float>& model, knit::nn::conv_algorithm algo) {
    using knit::nn::activation;
    model.add(knit::nn::zero_pad2d<float>(1, 1, 1, 2));
    for (std::size_t filters : {50u, 25u, 15u}) {
        knit::nn::conv2d_options o;
        o.act = activation::relu;
        o.padding = padding2d::same();
        o.algorithm = algo;
        model.add(knit::nn::conv2d<float>(filters, {2, 3}, o));
        model.add(knit::nn::max_pool2d<float>({1, 2}));
    }
    model.add(knit::nn::flatten<float>());
    model.add(knit::nn::dense<float>(120, activation::relu));
    model.add(knit::nn::dense<float>(100, activation::relu));
    model.add(knit::nn::dense<float>(2, activation::softmax));
    model.compile(7);
}

void make_data(std::size_t n, knit::tensor<float>& x, knit::tensor<float>& y) {
    knit::rng g(3);
    x = knit::tensor<float>::from_shape({n, 1, 2, 21});
    y = knit::tensor<float>::from_shape({n, 2});
    for (auto& v : x) v = float(g.uniform(-1, 1));
    for (std::size_t i = 0; i < n; ++i) {
        const bool one = g.uniform() < 0.5;
        y(i, 0) = one ? 0.f : 1.f;
        y(i, 1) = one ? 1.f : 0.f;
    }
}

void BM_paper_cnn_train_step(benchmark::State& st) {
    const std::size_t n = st.range(0);
    knit::tensor<float> x, y;
    make_data(n, x, y);
    knit::nn::sequential<float> model({1, 2, 21});
    add_paper_cnn(model, knit::nn::conv_algorithm::gemm);
    if (model.store().size() != 44162) throw std::runtime_error("paper CNN: expected 44,162 parameters");
    {
        // Before timing: the same model on the direct-loop convolutions gives the same loss
        // and gradients (a smaller batch keeps the reference quick).
        knit::nn::sequential<float> reference({1, 2, 21});
        add_paper_cnn(reference, knit::nn::conv_algorithm::direct);
        knit::tensor<float> xs, ys;
        make_data(32, xs, ys);
        knit::nn::categorical_crossentropy<float> la, lb;
        model.zero_grad();
        reference.zero_grad();
        const float a = la.forward(model.forward(xs, knit::nn::mode::train), ys);
        const float b = lb.forward(reference.forward(xs, knit::nn::mode::train), ys);
        model.backward(la.backward());
        reference.backward(lb.backward());
        require_close(&a, &b, 1, "paper CNN loss");
        require_close(model.store().grads(), reference.store().grads(), model.store().size(), "paper CNN gradients");
    }
    knit::nn::categorical_crossentropy<float> objective;
    knit::nn::adam<float> opt(knit::nn::adam_options::torch());  // lr 1e-3
    float loss = 0;
    for (auto _ : st) loss = model.train_step(x, y, objective, opt);
    if (!std::isfinite(loss)) throw std::runtime_error("paper CNN: non-finite loss");
    st.counters["loss"] = loss;
}

// Scoring: the paper's CNN forward only (mode::infer), in chunks of 2,048 records as the
// knit-grn demo scores them.
void BM_paper_cnn_forward(benchmark::State& st) {
    const std::size_t n = st.range(0);
    knit::tensor<float> x, y;
    make_data(n, x, y);
    knit::nn::sequential<float> model({1, 2, 21}), reference({1, 2, 21});
    add_paper_cnn(model, knit::nn::conv_algorithm::gemm);
    add_paper_cnn(reference, knit::nn::conv_algorithm::direct);
    {
        // Before timing: the same predictions as the direct-loop convolutions.
        knit::tensor<float> xs, ys;
        make_data(32, xs, ys);
        const knit::tensor<float> a = model.forward(xs, knit::nn::mode::infer);
        const knit::tensor<float>& b = reference.forward(xs, knit::nn::mode::infer);
        require_close(a.data(), b.data(), a.size(), "paper CNN forward");
    }
    for (auto _ : st) benchmark::DoNotOptimize(model.forward(x, knit::nn::mode::infer).data());
}

// Each at every SIMD level the CPU has ("<name>/simd:<level>", bench/simd_levels.hpp).
// (N, conv index): the paper's three conv layers at N = 100.
const bool registered =
    knit::bench::at_every_simd_level("BM_conv_forward", BM_conv_forward, [](auto* b) {
        b->Args({100, 0})->Args({100, 1})->Args({100, 2})->Unit(benchmark::kMicrosecond);
    }) &&
    knit::bench::at_every_simd_level("BM_conv_backward", BM_conv_backward, [](auto* b) {
        b->Args({100, 0})->Args({100, 1})->Args({100, 2})->Unit(benchmark::kMicrosecond);
    }) &&
    knit::bench::at_every_simd_level("BM_conv_backward_no_input_grad", BM_conv_backward_no_input_grad,
                                     [](auto* b) { b->Args({100, 0})->Unit(benchmark::kMicrosecond); }) &&
    knit::bench::at_every_simd_level("BM_conv_forward_backward", BM_conv_forward_backward, [](auto* b) {
        b->Args({100, 0})->Args({100, 1})->Args({100, 2})->Unit(benchmark::kMicrosecond);
    }) &&
    knit::bench::at_every_simd_level("BM_paper_cnn_train_step", BM_paper_cnn_train_step, [](auto* b) {
        b->Arg(100)->Arg(2816)->Unit(benchmark::kMillisecond);
    }) &&
    knit::bench::at_every_simd_level("BM_paper_cnn_forward", BM_paper_cnn_forward,
                                     [](auto* b) { b->Arg(2048)->Unit(benchmark::kMillisecond); });

}  // namespace

int main(int argc, char** argv) {
    knit::set_blas_threads(1);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
