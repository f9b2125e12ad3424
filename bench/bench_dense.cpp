// Dense layer forward and backward at the paper's shapes, float, one thread.
// Before timing, each benchmark checks one forward and backward (relu, random bias) against
// the loops of the layer's equations in double: y (train and infer), dL/dx, dL/dW, dL/db.
//   OPENBLAS_NUM_THREADS=1 ./bench_dense --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "knit/nn/dense.hpp"
#include "verify.hpp"

namespace {

struct setup {
    std::size_t n, in, out;
    knit::nn::dense<float> layer;
    knit::param_store<float> store;
    knit::tensor<float> x, dy;
    setup(std::size_t n_, std::size_t in_, std::size_t out_)
        : n(n_), in(in_), out(out_), layer(out_, knit::nn::activation::relu) {
        knit::rng g(1);
        layer.build({in});
        knit::nn::bind_layers<float>({&layer}, store, g);
        // A non-zero bias, so the check sees it added (the default initialiser gives zeros).
        for (std::size_t j = 0; j < out; ++j) layer.bias().value[j] = float(g.uniform(-0.1, 0.1));
        x = knit::tensor<float>::from_shape({n, in});
        dy = knit::tensor<float>::from_shape({n, out});
        for (auto& v : x) v = float(g.uniform(-1, 1));
        for (auto& v : dy) v = float(g.uniform(-1, 1));
    }

    // One forward and backward against z = x W + b, y = relu(z), dz = dy [z > 0],
    // dW = x^T dz, db = sum_rows dz, dx = dz W^T, each a plain loop in double. "" if equal.
    std::string verify() {
        const float* w = layer.weight().value;
        const float* b = layer.bias().value;
        std::vector<double> y(n * out), dz(n * out), dw(in * out, 0.0), db(out, 0.0), dx(n * in, 0.0);
        for (std::size_t r = 0; r < n; ++r)
            for (std::size_t j = 0; j < out; ++j) {
                double z = b[j];
                for (std::size_t k = 0; k < in; ++k) z += double(x(r, k)) * w[k * out + j];
                y[r * out + j] = z > 0 ? z : 0;
                dz[r * out + j] = z > 0 ? double(dy(r, j)) : 0;
            }
        for (std::size_t r = 0; r < n; ++r)
            for (std::size_t j = 0; j < out; ++j) {
                const double d = dz[r * out + j];
                db[j] += d;
                for (std::size_t k = 0; k < in; ++k) {
                    dw[k * out + j] += double(x(r, k)) * d;
                    dx[r * in + k] += d * w[k * out + j];
                }
            }
        store.zero_grad();
        const knit::tensor<float> got_y = layer.forward(x, knit::nn::mode::train);
        const knit::tensor<float>& got_dx = layer.backward(dy);
        const knit::tensor<float> got_infer = layer.forward(x, knit::nn::mode::infer);
        std::string error = knit::bench::mismatch("dense y", got_y.data(), y.data(), y.size(), 1e-4);
        if (error.empty()) error = knit::bench::mismatch("dense y (infer)", got_infer.data(), y.data(), y.size(), 1e-4);
        if (error.empty()) error = knit::bench::mismatch("dense dL/dx", got_dx.data(), dx.data(), dx.size(), 1e-4);
        if (error.empty()) error = knit::bench::mismatch("dense dL/dW", layer.weight().grad, dw.data(), dw.size(), 1e-4);
        if (error.empty()) error = knit::bench::mismatch("dense dL/db", layer.bias().grad, db.data(), db.size(), 1e-4);
        store.zero_grad();
        return error;
    }
};

void BM_dense_forward(benchmark::State& s) {
    setup b(s.range(0), s.range(1), s.range(2));
    if (knit::bench::skip_on_error(s, b.verify())) return;
    for (auto _ : s) benchmark::DoNotOptimize(b.layer.forward(b.x, knit::nn::mode::infer).data());
}

void BM_dense_forward_backward(benchmark::State& s) {
    setup b(s.range(0), s.range(1), s.range(2));
    if (knit::bench::skip_on_error(s, b.verify())) return;
    for (auto _ : s) {
        b.layer.forward(b.x, knit::nn::mode::train);
        benchmark::DoNotOptimize(b.layer.backward(b.dy).data());
    }
}

// (N, in, out): the AE-NN branch's first layers and the CNN's classifier head.
BENCHMARK(BM_dense_forward)->Args({100, 3, 256})->Args({100, 256, 128})->Args({100, 180, 120})->Args({2816, 180, 120});
BENCHMARK(BM_dense_forward_backward)->Args({100, 3, 256})->Args({100, 256, 128})->Args({100, 180, 120})->Args({2816, 180, 120});

}  // namespace

BENCHMARK_MAIN();
