// The C++ peer: libtorch (Debian libtorch-dev 1.13) on the same models, shapes and work as
// knit's bench_lstm, bench_conv and bench_composition, one thread, float32. Names are
// "libtorch/<benchmark>/<args>" with the args of knit's run names, so bench/compare/peers.py
// pairs "libtorch/lstm_train_step/21/100" with "BM_lstm_train_step/simd:avx2/21/100".
//
//   lstm_train_step/H/N   T=21, F=2: zero the gradients, forward, L = sum(dy * h_last),
//                         backward, Adam (lr 1e-3): bench_lstm's BM_lstm_train_step, the
//                         LSTM alone with a fixed upstream gradient dy.
//   lstm_model_train_step/H/N
//                         issue 18's model, as bench_lstm's BM_lstm_model_train_step and
//                         lstm.py's model_train_step: LSTM(H) -> dropout(0.2) -> dense(1),
//                         sigmoid + BCE, Adam (lr 1e-2), label "mean of feature 0 > 0".
//   lstm_inference/H/N    forward only, under NoGradGuard.
//   paper_cnn_train_step/100, paper_cnn_forward/2048
//                         bench_conv's paper CNN: pad (1,1,1,2), 3 x [conv 2x3 Keras "same"
//                         (0 above, 1 below, 1 each side), relu, max-pool 1x2], dense
//                         120-100-2; softmax cross-entropy + Adam lr 1e-3; forward = softmax
//                         of the logits without autograd.
//   autoencoder_train_step/256, ae_nn_train_step/100
//                         bench_composition's models: 21-64-32-3-32-64-21 (relu, tanh out),
//                         MSE; two 3-input Dense 256-128-64-32-32 branches + 200-20-1,
//                         sigmoid + BCE; Adam with PyTorch's defaults.
// As in PyTorch's Python steps (and knit's, contract rule 7), the data has no gradient.
// Every benchmark checks the model before it times it and reports a failure through
// SkipWithError.
//
//   OPENBLAS_NUM_THREADS=1 ./libtorch_models --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace F = torch::nn::functional;

constexpr int64_t kSteps = 21, kFeatures = 2;

// Uniform in [-1, 1), the range knit's benchmarks draw their data from.
torch::Tensor symmetric_uniform(at::IntArrayRef shape) { return torch::rand(shape) * 2 - 1; }

int64_t parameter_count(const torch::nn::Module& m) {
    int64_t n = 0;
    for (const auto& p : m.parameters()) n += p.numel();
    return n;
}

// One optimiser step on the loss loss_of() computes: zero the gradients, forward, backward,
// update. Returns the loss (the checks read it; the timed loops do not).
template <class LossOf>
torch::Tensor optimiser_step(torch::optim::Optimizer& opt, LossOf&& loss_of) {
    opt.zero_grad();
    torch::Tensor loss = loss_of();
    loss.backward();
    opt.step();
    return loss;
}

// ---- LSTM ----------------------------------------------------------------------------

// h_T of sample 0 computed in double from the layer's weights, gate order i, f, g, o:
//   z = W x_t + b_ih + U h + b_hh, c = s(f) c + s(i) tanh(g), h = s(o) tanh(c).
std::vector<double> lstm_last_state_by_hand(torch::nn::LSTM& lstm, const torch::Tensor& x, int64_t h) {
    auto named = lstm->named_parameters();
    const auto w = named["weight_ih_l0"].to(torch::kDouble).contiguous();
    const auto u = named["weight_hh_l0"].to(torch::kDouble).contiguous();
    const auto b = (named["bias_ih_l0"] + named["bias_hh_l0"]).to(torch::kDouble).contiguous();
    const auto x0 = x[0].to(torch::kDouble).contiguous();
    const double *pw = w.data_ptr<double>(), *pu = u.data_ptr<double>(), *pb = b.data_ptr<double>(),
                 *px = x0.data_ptr<double>();
    auto sigmoid = [](double v) { return 1 / (1 + std::exp(-v)); };
    std::vector<double> hs(h, 0.0), cs(h, 0.0), z(4 * h);
    for (int64_t t = 0; t < kSteps; ++t) {
        for (int64_t r = 0; r < 4 * h; ++r) {
            double s = pb[r];
            for (int64_t f = 0; f < kFeatures; ++f) s += pw[r * kFeatures + f] * px[t * kFeatures + f];
            for (int64_t j = 0; j < h; ++j) s += pu[r * h + j] * hs[j];
            z[r] = s;
        }
        for (int64_t j = 0; j < h; ++j) {
            cs[j] = sigmoid(z[h + j]) * cs[j] + sigmoid(z[j]) * std::tanh(z[2 * h + j]);
            hs[j] = sigmoid(z[3 * h + j]) * std::tanh(cs[j]);
        }
    }
    return hs;
}

// "" when the layer's output has shape (N, T, H) and its last state of sample 0 matches
// the hand computation, else what went wrong.
std::string check_lstm(torch::nn::LSTM& lstm, const torch::Tensor& x, int64_t n, int64_t h) {
    torch::NoGradGuard no_grad;
    const auto out = std::get<0>(lstm->forward(x));
    if (out.sizes() != at::IntArrayRef{n, kSteps, h}) return "lstm: output shape is not (N, T, H)";
    const auto want = lstm_last_state_by_hand(lstm, x, h);
    const auto got = out[0][kSteps - 1].to(torch::kDouble).contiguous();
    for (int64_t j = 0; j < h; ++j)
        if (std::abs(got.data_ptr<double>()[j] - want[j]) > 1e-5) return "lstm: h_T differs from the hand computation";
    return "";
}

struct lstm_problem {
    torch::nn::LSTM lstm;
    torch::optim::Adam opt;
    torch::Tensor x, dy;

    lstm_problem(int64_t n, int64_t h)
        : lstm((torch::manual_seed(0), torch::nn::LSTMOptions(kFeatures, h).batch_first(true))),
          opt(lstm->parameters(), torch::optim::AdamOptions(1e-3)),
          x(symmetric_uniform({n, kSteps, kFeatures})),
          dy(symmetric_uniform({n, h})) {}

    // L = sum(dy * h_T).
    torch::Tensor loss() { return (std::get<0>(lstm->forward(x)).select(1, kSteps - 1) * dy).sum(); }
    double train_step() { return optimiser_step(opt, [this] { return loss(); }).item<double>(); }
};

void lstm_train_step(benchmark::State& state) {
    const int64_t h = state.range(0), n = state.range(1);
    lstm_problem p(n, h);
    if (auto err = check_lstm(p.lstm, p.x, n, h); !err.empty()) return state.SkipWithError(err.c_str());
    // Adam minimises the linear objective L, so L falls step by step.
    const double first = p.train_step();
    double last = first;
    for (int i = 0; i < 4; ++i) last = p.train_step();
    if (!std::isfinite(last) || !(last < first)) return state.SkipWithError("lstm: L did not decrease under Adam");
    for (auto _ : state) optimiser_step(p.opt, [&p] { return p.loss(); });
}

// LSTM -> dropout -> dense(1, sigmoid) on the label knit's BM_lstm_model_train_step learns.
struct lstm_model : torch::nn::Module {
    torch::nn::LSTM lstm{nullptr};
    torch::nn::Dropout dropout{nullptr};
    torch::nn::Linear head{nullptr};

    explicit lstm_model(int64_t h)
        : lstm(register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(kFeatures, h).batch_first(true)))),
          dropout(register_module("dropout", torch::nn::Dropout(0.2))),
          head(register_module("head", torch::nn::Linear(h, 1))) {}

    torch::Tensor forward(const torch::Tensor& x) {
        const auto last = std::get<0>(lstm->forward(x)).select(1, kSteps - 1);
        return torch::sigmoid(head->forward(dropout->forward(last)));
    }
};

void lstm_model_train_step(benchmark::State& state) {
    const int64_t h = state.range(0), n = state.range(1);
    torch::manual_seed(0);
    auto model = std::make_shared<lstm_model>(h);
    model->train();
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-2));
    const auto x = symmetric_uniform({n, kSteps, kFeatures});
    const auto y = (x.select(2, 0).mean(1, true) > 0).to(torch::kFloat);
    auto loss_of = [&] { return F::binary_cross_entropy(model->forward(x), y); };
    auto step = [&] { return optimiser_step(opt, loss_of).item<double>(); };
    if (auto err = check_lstm(model->lstm, x, n, h); !err.empty()) return state.SkipWithError(err.c_str());
    // The property knit's benchmark checks: within 200 steps the loss falls below half.
    const double first = step();
    double last = first;
    for (int k = 0; k < 200 && !(last < 0.5 * first); ++k) last = step();
    if (!std::isfinite(first) || !(last < 0.5 * first))
        return state.SkipWithError("lstm model: the loss did not fall below half of the first in 200 steps");
    for (auto _ : state) optimiser_step(opt, loss_of);
}

void lstm_inference(benchmark::State& state) {
    const int64_t h = state.range(0), n = state.range(1);
    lstm_problem p(n, h);
    if (auto err = check_lstm(p.lstm, p.x, n, h); !err.empty()) return state.SkipWithError(err.c_str());
    torch::NoGradGuard no_grad;
    for (auto _ : state) {
        auto out = std::get<0>(p.lstm->forward(p.x));
        benchmark::DoNotOptimize(out.data_ptr<float>());
    }
}

// ---- the paper's CNN -----------------------------------------------------------------

struct paper_cnn_impl : torch::nn::Module {
    torch::nn::Conv2d c1{nullptr}, c2{nullptr}, c3{nullptr};
    torch::nn::Linear d1{nullptr}, d2{nullptr}, d3{nullptr};

    paper_cnn_impl() {
        c1 = register_module("c1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 50, {2, 3})));
        c2 = register_module("c2", torch::nn::Conv2d(torch::nn::Conv2dOptions(50, 25, {2, 3})));
        c3 = register_module("c3", torch::nn::Conv2d(torch::nn::Conv2dOptions(25, 15, {2, 3})));
        d1 = register_module("d1", torch::nn::Linear(180, 120));
        d2 = register_module("d2", torch::nn::Linear(120, 100));
        d3 = register_module("d3", torch::nn::Linear(100, 2));
    }

    // x: (N, 1, 2, 21) -> logits (N, 2)
    torch::Tensor forward(torch::Tensor x) {
        const auto same_2x3 = F::PadFuncOptions({1, 1, 0, 1});  // left, right, top, bottom
        x = F::pad(x, F::PadFuncOptions({1, 2, 1, 1}));           // 2 x 21 -> 4 x 24
        for (auto* conv : {&c1, &c2, &c3})
            x = F::max_pool2d(torch::relu((*conv)->forward(F::pad(x, same_2x3))), F::MaxPool2dFuncOptions({1, 2}));
        x = torch::flatten(x, 1);
        return d3->forward(torch::relu(d2->forward(torch::relu(d1->forward(x)))));
    }
};
TORCH_MODULE_IMPL(paper_cnn, paper_cnn_impl);

void paper_cnn_train_step(benchmark::State& state) {
    const int64_t n = state.range(0);
    torch::manual_seed(7);
    paper_cnn model;
    if (parameter_count(*model) != 44162) return state.SkipWithError("paper CNN: expected 44,162 parameters");
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
    const auto x = symmetric_uniform({n, 1, 2, kSteps});
    const auto y = torch::randint(0, 2, {n}, torch::kLong);
    auto loss_of = [&] { return F::cross_entropy(model->forward(x), y); };
    auto step = [&] { return optimiser_step(opt, loss_of).item<double>(); };
    const double first = step();
    double last = first;
    for (int i = 0; i < 4; ++i) last = step();
    if (!std::isfinite(last) || !(last < first)) return state.SkipWithError("paper CNN: loss did not decrease");
    for (auto _ : state) optimiser_step(opt, loss_of);
}

void paper_cnn_forward(benchmark::State& state) {
    const int64_t n = state.range(0);
    torch::manual_seed(7);
    paper_cnn model;
    model->eval();
    const auto x = symmetric_uniform({n, 1, 2, kSteps});
    torch::NoGradGuard no_grad;
    {
        // (N, 2) probabilities, each row summing to 1, and row 0 the same as sample 0 alone.
        const auto p = torch::softmax(model->forward(x), 1);
        const auto alone = torch::softmax(model->forward(x.slice(0, 0, 1)), 1);
        if (p.sizes() != at::IntArrayRef{n, 2}) return state.SkipWithError("paper CNN: output shape is not (N, 2)");
        if ((p.sum(1) - 1).abs().max().item<float>() > 1e-5f) return state.SkipWithError("paper CNN: rows do not sum to 1");
        if ((p[0] - alone[0]).abs().max().item<float>() > 1e-5f)
            return state.SkipWithError("paper CNN: batched and single-sample forward differ");
    }
    for (auto _ : state) {
        auto p = torch::softmax(model->forward(x), 1);
        benchmark::DoNotOptimize(p.data_ptr<float>());
    }
}

// ---- the composite models ------------------------------------------------------------

torch::nn::Sequential dense_relu_stack(int64_t in, std::initializer_list<int64_t> units) {
    torch::nn::Sequential s;
    for (int64_t u : units) {
        s->push_back(torch::nn::Linear(in, u));
        s->push_back(torch::nn::ReLU());
        in = u;
    }
    return s;
}

// Runs `step` (returning the loss) five times: finite and falling, or an error message.
template <class Step>
std::string check_loss_falls(Step& step, const char* what) {
    const double first = step();
    double last = first;
    for (int i = 0; i < 4; ++i) last = step();
    if (!std::isfinite(last) || !(last < first)) return std::string(what) + ": loss did not decrease";
    return "";
}

void autoencoder_train_step(benchmark::State& state) {
    const int64_t n = state.range(0);
    torch::manual_seed(1);
    auto model = dense_relu_stack(21, {64, 32, 3, 32, 64});
    model->push_back(torch::nn::Linear(64, 21));
    model->push_back(torch::nn::Tanh());
    const auto x = torch::rand({n, 21});
    torch::optim::Adam opt(model->parameters());
    auto loss_of = [&] { return torch::mse_loss(model->forward(x), x); };
    auto step = [&] { return optimiser_step(opt, loss_of).item<double>(); };
    if (auto err = check_loss_falls(step, "autoencoder"); !err.empty()) return state.SkipWithError(err.c_str());
    for (auto _ : state) optimiser_step(opt, loss_of);
}

struct ae_nn_impl : torch::nn::Module {
    torch::nn::Sequential left{nullptr}, right{nullptr}, head{nullptr};

    ae_nn_impl() {
        left = register_module("left", dense_relu_stack(3, {256, 128, 64, 32, 32}));
        right = register_module("right", dense_relu_stack(3, {256, 128, 64, 32, 32}));
        auto h = dense_relu_stack(64, {200, 20});
        h->push_back(torch::nn::Linear(20, 1));
        h->push_back(torch::nn::Sigmoid());
        head = register_module("head", h);
    }

    // x: (N, 6); columns 0-2 feed the left branch, 3-5 the right one.
    torch::Tensor forward(const torch::Tensor& x) {
        return head->forward(torch::cat({left->forward(x.slice(1, 0, 3)), right->forward(x.slice(1, 3, 6))}, 1));
    }
};
TORCH_MODULE_IMPL(ae_nn, ae_nn_impl);

void ae_nn_train_step(benchmark::State& state) {
    const int64_t n = state.range(0);
    torch::manual_seed(1);
    ae_nn model;
    if (parameter_count(*model) != 107665) return state.SkipWithError("AE-NN: expected 107,665 parameters");
    const auto x = torch::rand({n, 6});
    const auto y = (torch::rand({n, 1}) > 0.5).to(torch::kFloat);
    torch::optim::Adam opt(model->parameters());
    auto loss_of = [&] { return F::binary_cross_entropy(model->forward(x), y); };
    auto step = [&] { return optimiser_step(opt, loss_of).item<double>(); };
    if (auto err = check_loss_falls(step, "AE-NN"); !err.empty()) return state.SkipWithError(err.c_str());
    for (auto _ : state) optimiser_step(opt, loss_of);
}

}  // namespace

int main(int argc, char** argv) {
    // One thread for intra-op work and none for inter-op: the same as knit's runs.
    torch::set_num_threads(1);
    at::set_num_interop_threads(1);
    // Args: {H, N}, as in bench_lstm.
    using lstm_benchmark = void (*)(benchmark::State&);
    for (auto [name, run] : {std::pair<const char*, lstm_benchmark>{"libtorch/lstm_train_step", lstm_train_step},
                             {"libtorch/lstm_model_train_step", lstm_model_train_step},
                             {"libtorch/lstm_inference", lstm_inference}})
        benchmark::RegisterBenchmark(name, run)->Args({21, 100})->Args({32, 100})->Args({64, 100})->Args({128, 100})
            ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("libtorch/paper_cnn_train_step", paper_cnn_train_step)
        ->Arg(100)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("libtorch/paper_cnn_forward", paper_cnn_forward)
        ->Arg(2048)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("libtorch/autoencoder_train_step", autoencoder_train_step)
        ->Arg(256)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("libtorch/ae_nn_train_step", ae_nn_train_step)
        ->Arg(100)->Unit(benchmark::kMillisecond);
    benchmark::AddCustomContext("libtorch", TORCH_VERSION);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    if (at::get_num_threads() != 1) {
        std::fprintf(stderr, "libtorch_models: expected one intra-op thread, got %d\n", at::get_num_threads());
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
