// Train steps of the paper's composite models, float, one thread:
//   the autoencoder (21-64-32-3-32-64-21, MSE) at N = 256, and
//   the AE-NN (two Dense 256-128-64-32-32 branches + 200-20-1, BCE) at N = 100,
// each with Adam (PyTorch defaults). bench/compare/composition.py runs the same in PyTorch.
// train_step turns the model's input gradient off (rule 7), as PyTorch's inputs have none.
// The *_gemm_floor benchmarks time only the matrix products of the same steps, after
// checking one step's products against knit::gemm_reference.
//   OPENBLAS_NUM_THREADS=1 ./bench_composition --benchmark_repetitions=7 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "knit/core/blas.hpp"
#include "knit/nn/autoencoder.hpp"
#include "knit/nn/branches.hpp"
#include "knit/nn/dense.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/optim/adam.hpp"
#include "verify.hpp"

namespace {
using namespace knit;

tensor<float> uniform(const shape_t& s, std::uint64_t seed, float lo, float hi) {
    rng g(seed);
    tensor<float> t = tensor<float>::from_shape(s);
    for (auto& v : t) v = float(g.uniform(lo, hi));
    return t;
}

void BM_autoencoder_train_step(benchmark::State& state) {
    const std::size_t n = state.range(0);
    auto enc = std::make_unique<nn::sequential<float>>(shape_t{21});
    for (std::size_t u : {64, 32, 3}) enc->add(nn::dense<float>(u, nn::activation::relu));
    auto dec = std::make_unique<nn::sequential<float>>(shape_t{3});
    for (std::size_t u : {32, 64}) dec->add(nn::dense<float>(u, nn::activation::relu));
    dec->add(nn::dense<float>(21, nn::activation::tanh));
    nn::autoencoder<float> ae(std::move(enc), std::move(dec));
    ae.compile(1);
    const tensor<float> x = uniform({n, 21}, 2, 0, 1);
    nn::mean_squared_error<float> mse;
    nn::adam<float> adam;
    const float first = ae.model().train_step(x, x, mse, adam);
    if (!std::isfinite(first)) throw std::runtime_error("autoencoder loss is not finite");
    for (auto _ : state) benchmark::DoNotOptimize(ae.model().train_step(x, x, mse, adam));
    state.SetItemsProcessed(state.iterations() * n);
}

void BM_ae_nn_train_step(benchmark::State& state) {
    const std::size_t n = state.range(0);
    nn::sequential<float> model({6});
    auto b = std::make_unique<nn::branches<float>>();
    for (std::size_t side = 0; side < 2; ++side) {
        auto& branch = b->add_branch(3 * side, 3 * side + 3);
        for (std::size_t u : {256, 128, 64, 32, 32}) branch.add(nn::dense<float>(u, nn::activation::relu));
    }
    model.add(std::unique_ptr<nn::layer<float>>(std::move(b)));
    model.add(nn::dense<float>(200, nn::activation::relu));
    model.add(nn::dense<float>(20, nn::activation::relu));
    model.add(nn::dense<float>(1, nn::activation::sigmoid));
    model.compile(1);
    if (model.parameter_count() != 107665) throw std::runtime_error("AE-NN parameter count differs from the paper");
    const tensor<float> x = uniform({n, 6}, 3, 0, 1);
    tensor<float> y = uniform({n, 1}, 4, 0, 1);
    for (auto& v : y) v = v > 0.5f ? 1.f : 0.f;
    nn::binary_crossentropy<float> bce;
    nn::adam<float> adam;
    for (auto _ : state) benchmark::DoNotOptimize(model.train_step(x, y, bce, adam));
    state.SetItemsProcessed(state.iterations() * n);
}

// The floor for a BLAS-based train step: only the matrix products of one step, at the
// models' exact shapes, through knit::gemm (forward x W, dW += x^T dz, and dx = dz W^T
// for every layer but the first, whose input needs no gradient). Everything a step does
// beyond this (activations, bias, loss, Adam, zeroing the gradients) is overhead.
struct gemm_layer {
    std::size_t in, out;
    bool needs_dx;
};

void gemm_floor(benchmark::State& state, const std::vector<gemm_layer>& layers) {
    const std::size_t n = state.range(0);
    std::vector<std::vector<float>> x, w, y, dz, dw, dx;
    std::uint64_t seed = 10;
    auto random = [&seed](std::size_t size) {
        rng g(seed++);
        std::vector<float> v(size);
        for (auto& e : v) e = float(g.uniform(-1, 1));
        return v;
    };
    for (const auto& l : layers) {
        x.push_back(random(n * l.in));
        w.push_back(random(l.in * l.out));
        y.emplace_back(n * l.out, 0.0f);
        dz.push_back(random(n * l.out));
        dw.emplace_back(l.in * l.out, 0.0f);
        dx.emplace_back(n * l.in, 0.0f);
    }
    auto step = [&] {
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const auto& l = layers[i];
            gemm(transpose::no, transpose::no, n, l.out, l.in, 1.f, x[i].data(), l.in, w[i].data(), l.out, 0.f,
                 y[i].data(), l.out);
            gemm(transpose::yes, transpose::no, l.in, l.out, n, 1.f, x[i].data(), l.in, dz[i].data(), l.out, 1.f,
                 dw[i].data(), l.out);
            if (l.needs_dx)
                gemm(transpose::no, transpose::yes, n, l.in, l.out, 1.f, dz[i].data(), l.out, w[i].data(), l.out,
                     0.f, dx[i].data(), l.in);
        }
    };
    // Before timing: one step's products equal gemm_reference's (the naive triple loop) on
    // the same random operands; dW starts from zero, so it holds x^T dz.
    step();
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto& l = layers[i];
        std::vector<float> y_ref(n * l.out), dw_ref(l.in * l.out), dx_ref(n * l.in);
        gemm_reference(transpose::no, transpose::no, n, l.out, l.in, 1.f, x[i].data(), l.in, w[i].data(), l.out, 0.f,
                       y_ref.data(), l.out);
        gemm_reference(transpose::yes, transpose::no, l.in, l.out, n, 1.f, x[i].data(), l.in, dz[i].data(), l.out,
                       0.f, dw_ref.data(), l.out);
        const std::string layer = "gemm floor layer " + std::to_string(i) + " ";
        std::string error = bench::mismatch(layer + "x W", y[i].data(), y_ref.data(), y_ref.size(), 1e-4);
        if (error.empty()) error = bench::mismatch(layer + "x^T dz", dw[i].data(), dw_ref.data(), dw_ref.size(), 1e-4);
        if (error.empty() && l.needs_dx) {
            gemm_reference(transpose::no, transpose::yes, n, l.in, l.out, 1.f, dz[i].data(), l.out, w[i].data(), l.out,
                           0.f, dx_ref.data(), l.in);
            error = bench::mismatch(layer + "dz W^T", dx[i].data(), dx_ref.data(), dx_ref.size(), 1e-4);
        }
        if (bench::skip_on_error(state, error)) return;
    }
    double flops = 0;
    for (const auto& l : layers) flops += 2.0 * n * l.in * l.out * (l.needs_dx ? 3 : 2);
    for (auto _ : state) {
        step();
        benchmark::ClobberMemory();
    }
    state.counters["GFLOP"] = benchmark::Counter(flops * state.iterations() * 1e-9, benchmark::Counter::kIsRate);
}

void BM_autoencoder_gemm_floor(benchmark::State& state) {
    std::vector<gemm_layer> layers;
    std::size_t in = 21;
    for (std::size_t u : {64, 32, 3, 32, 64, 21}) {
        layers.push_back({in, u, !layers.empty()});
        in = u;
    }
    gemm_floor(state, layers);
}

void BM_ae_nn_gemm_floor(benchmark::State& state) {
    std::vector<gemm_layer> layers;
    for (int side = 0; side < 2; ++side) {
        std::size_t in = 3;
        for (std::size_t u : {256, 128, 64, 32, 32}) {
            layers.push_back({in, u, in != 3});
            in = u;
        }
    }
    for (auto [in, u] : {std::pair<std::size_t, std::size_t>{64, 200}, {200, 20}, {20, 1}}) layers.push_back({in, u, true});
    gemm_floor(state, layers);
}

BENCHMARK(BM_autoencoder_train_step)->Arg(256);
BENCHMARK(BM_ae_nn_train_step)->Arg(100);
BENCHMARK(BM_autoencoder_gemm_floor)->Arg(256);
BENCHMARK(BM_ae_nn_gemm_floor)->Arg(100);

}  // namespace

BENCHMARK_MAIN();
