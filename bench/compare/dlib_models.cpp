// The second C++ peer: dlib's DNN (Debian libdlib-dev 19.24, built without CUDA, its
// matrix products through the system BLAS, OpenBLAS here) on the models of bench_conv and
// bench_composition, one thread, float32. Names are "dlib/<benchmark>/<args>", paired with
// knit's by bench/compare/peers.py.
//
//   paper_cnn_train_step/100, paper_cnn_forward/2048
//       bench_conv's paper CNN. dlib's con_ pads symmetrically, and Keras "same" for a 2x3
//       kernel pads 0 rows above and 1 below, so a small zero_pad_ layer (below) adds the
//       rows and con_ adds the columns (padding_x = 1). The model's first pad (1 above,
//       1 below, 1 left, 2 right) and conv1's "same" row merge into one zero_pad_<1, 2, 1, 2>.
//       Loss: loss_multiclass_log (softmax cross-entropy); forward = tt::softmax of the
//       logits.
//   autoencoder_train_step/256
//       21-64-32-3-32-64-21 (relu, htan out), loss_mean_squared_multioutput. dlib's loss
//       sums over the 21 outputs where PyTorch's and knit's MSE average; the factor is a
//       constant and the work is the same.
//   ae_nn_train_step/100
//       expressible: extract_ takes columns 0-2 and 3-5 of the (6, 1) input, inception2 runs
//       the two Dense 256-128-64-32-32 branches and concatenates them along k, then
//       200-20-1. fc<1> + loss_binary_log is sigmoid + BCE on logits (labels +-1).
// Adam: dlib's adam with weight decay 0 (its default is 5e-4), momenta 0.9 / 0.999,
// learning rate 1e-3, as PyTorch's defaults.
// Not here: the LSTM. dlib's DNN has no recurrent layer (no LSTM, GRU or RNN), so there
// is no dlib column for bench_lstm.
// Differences in work that stay: dlib backpropagates into the input layer too (the data
// gradient of the first layer), which knit and PyTorch skip for data without a gradient.
//
// Each step goes from a tensor built once (net.to_tensor), so the timed work is the model's,
// not the conversion of dlib::matrix samples. Every benchmark checks the model before it
// times it and reports a failure through SkipWithError.
//
//   OPENBLAS_NUM_THREADS=1 ./dlib_models --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <dlib/dnn.h>
#include <dlib/revision.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace {

// Adds `top` zero rows above, `bottom` below, `left` zero columns on the left and `right`
// on the right of every channel: (N, K, R, C) -> (N, K, R + top + bottom, C + left + right).
// A computational layer after dlib's EXAMPLE_COMPUTATIONAL_LAYER_ contract
// (dlib/dnn/layers_abstract.h): backward adds to the input's gradient.
template <long top, long bottom, long left, long right>
class zero_pad_ {
public:
    template <typename SUBNET>
    void setup(const SUBNET&) {}

    template <typename SUBNET>
    void forward(const SUBNET& sub, dlib::resizable_tensor& output) {
        const dlib::tensor& in = sub.get_output();
        const long rows = in.nr(), cols = in.nc(), out_cols = cols + left + right;
        output.set_size(in.num_samples(), in.k(), rows + top + bottom, out_cols);
        output = 0;
        const float* src = in.host();
        float* dst = output.host();
        for (long plane = 0; plane < in.num_samples() * in.k(); ++plane)
            for (long r = 0; r < rows; ++r)
                std::copy_n(src + (plane * rows + r) * cols, cols,
                            dst + (plane * output.nr() + r + top) * out_cols + left);
    }

    // d input[r][c] += d output[r + top][c + left]
    template <typename SUBNET>
    void backward(const dlib::tensor& gradient_input, SUBNET& sub, dlib::tensor&) {
        dlib::tensor& grad = sub.get_gradient_input();
        const long rows = grad.nr(), cols = grad.nc(), out_rows = gradient_input.nr(), out_cols = gradient_input.nc();
        const float* src = gradient_input.host();
        float* dst = grad.host();
        for (long plane = 0; plane < grad.num_samples() * grad.k(); ++plane)
            for (long r = 0; r < rows; ++r) {
                const float* from = src + (plane * out_rows + r + top) * out_cols + left;
                float* to = dst + (plane * rows + r) * cols;
                for (long c = 0; c < cols; ++c) to[c] += from[c];
            }
    }

    const dlib::tensor& get_layer_params() const { return params_; }
    dlib::tensor& get_layer_params() { return params_; }

    friend void serialize(const zero_pad_&, std::ostream& out) { dlib::serialize("zero_pad_", out); }
    friend void deserialize(zero_pad_&, std::istream& in) {
        std::string version;
        dlib::deserialize(version, in);
        if (version != "zero_pad_") throw dlib::serialization_error("expected zero_pad_, found " + version);
    }
    friend std::ostream& operator<<(std::ostream& out, const zero_pad_&) {
        return out << "zero_pad\t (top=" << top << ", bottom=" << bottom << ", left=" << left << ", right=" << right
                   << ")";
    }
    friend void to_xml(const zero_pad_&, std::ostream& out) { out << "<zero_pad/>\n"; }

private:
    dlib::resizable_tensor params_;  // none
};

template <long top, long bottom, long left, long right, typename SUBNET>
using zero_pad = dlib::add_layer<zero_pad_<top, bottom, left, right>, SUBNET>;

// Conv2D(2x3, Keras "same", relu) + max-pool 1x2, on an input already padded below.
template <long filters, typename SUBNET>
using conv_block = dlib::add_layer<dlib::max_pool_<1, 2, 1, 2, 0, 0>,
                                   dlib::relu<dlib::add_layer<dlib::con_<filters, 2, 3, 1, 1, 0, 1>, SUBNET>>>;

// (1, 2, 21) -> pad to (1, 5, 24) -> 3 conv blocks -> (15, 4, 3) = 180 -> 120 -> 100 -> 2.
using paper_cnn = dlib::loss_multiclass_log<dlib::fc<2, dlib::relu<dlib::fc<100, dlib::relu<dlib::fc<120,
    conv_block<15, zero_pad<0, 1, 0, 0,
    conv_block<25, zero_pad<0, 1, 0, 0,
    conv_block<50, zero_pad<1, 2, 1, 2,
    dlib::input<dlib::matrix<float>>>>>>>>>>>>>>;
// layer<17>(net) is the first zero_pad (counting from the loss layer at 0).
constexpr std::size_t kFirstPadLayer = 17;

using autoencoder = dlib::loss_mean_squared_multioutput<dlib::htan<dlib::fc<21,
    dlib::relu<dlib::fc<64, dlib::relu<dlib::fc<32,
    dlib::relu<dlib::fc<3, dlib::relu<dlib::fc<32, dlib::relu<dlib::fc<64,
    dlib::input<dlib::matrix<float>>>>>>>>>>>>>>>;

template <typename SUBNET>
using ae_branch = dlib::relu<dlib::fc<32, dlib::relu<dlib::fc<32, dlib::relu<dlib::fc<64,
    dlib::relu<dlib::fc<128, dlib::relu<dlib::fc<256, SUBNET>>>>>>>>>>;
template <typename SUBNET>
using left_branch = ae_branch<dlib::extract<0, 3, 1, 1, SUBNET>>;
template <typename SUBNET>
using right_branch = ae_branch<dlib::extract<3, 3, 1, 1, SUBNET>>;
using ae_nn = dlib::loss_binary_log<dlib::fc<1, dlib::relu<dlib::fc<20, dlib::relu<dlib::fc<200,
    dlib::inception2<left_branch, right_branch, dlib::input<dlib::matrix<float>>>>>>>>>;

std::vector<dlib::matrix<float>> uniform_samples(std::size_t n, long rows, long cols, float lo, float hi,
                                                 unsigned seed) {
    std::mt19937 g(seed);
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<dlib::matrix<float>> samples(n, dlib::matrix<float>(rows, cols));
    for (auto& m : samples)
        for (long i = 0; i < m.size(); ++i) m(i) = u(g);
    return samples;
}

// A train step and its solvers: forward, backward, Adam, from a tensor built once.
template <typename Net>
struct trainer {
    Net net;
    std::vector<dlib::adam> solvers;
    dlib::resizable_tensor x;

    explicit trainer(const std::vector<dlib::matrix<float>>& samples) {
        net.to_tensor(samples.begin(), samples.end(), x);
        solvers.assign(net.num_computational_layers, dlib::adam(0, 0.9, 0.999));
    }

    template <typename Labels>
    double step(const Labels& labels) {
        const double loss = net.compute_parameter_gradients(x, labels.begin());
        net.update_parameters(solvers, 1e-3);
        return loss;
    }

    // "" when five steps give a finite, falling loss.
    template <typename Labels>
    std::string check_loss_falls(const Labels& labels, const char* what) {
        const double first = step(labels);
        double last = first;
        for (int i = 0; i < 4; ++i) last = step(labels);
        if (!std::isfinite(last) || !(last < first)) return std::string(what) + ": loss did not decrease";
        return "";
    }
};

// "" when the first zero_pad's output is the input framed by 1 zero row above, 2 below,
// 1 zero column left and 2 right (2 x 21 -> 5 x 24).
std::string check_first_pad(paper_cnn& net, const dlib::tensor& x) {
    const dlib::tensor& p = dlib::layer<kFirstPadLayer>(net).get_output();
    if (p.num_samples() != x.num_samples() || p.k() != 1 || p.nr() != 5 || p.nc() != 24)
        return "paper CNN: the first pad's output is not (N, 1, 5, 24)";
    const float *in = x.host(), *out = p.host();
    for (long s = 0; s < x.num_samples(); ++s)
        for (long r = 0; r < 5; ++r)
            for (long c = 0; c < 24; ++c) {
                const bool inside = r >= 1 && r < 3 && c >= 1 && c < 22;
                const float want = inside ? in[(s * 2 + r - 1) * 21 + c - 1] : 0.f;
                if (out[(s * 5 + r) * 24 + c] != want) return "paper CNN: the first pad's output is wrong";
            }
    return "";
}

void paper_cnn_train_step(benchmark::State& state) {
    const std::size_t n = state.range(0);
    trainer<paper_cnn> t(uniform_samples(n, 2, 21, -1, 1, 3));
    std::mt19937 g(4);
    std::vector<unsigned long> labels(n);
    for (auto& l : labels) l = g() % 2;
    if (auto err = t.check_loss_falls(labels, "paper CNN"); !err.empty()) return state.SkipWithError(err.c_str());
    if (dlib::count_parameters(t.net) != 44162) return state.SkipWithError("paper CNN: expected 44,162 parameters");
    if (auto err = check_first_pad(t.net, t.x); !err.empty()) return state.SkipWithError(err.c_str());
    for (auto _ : state) t.step(labels);
}

void paper_cnn_forward(benchmark::State& state) {
    const std::size_t n = state.range(0);
    const auto samples = uniform_samples(n, 2, 21, -1, 1, 3);
    paper_cnn net;
    dlib::resizable_tensor x, probs;
    net.to_tensor(samples.begin(), samples.end(), x);
    {
        // (N, 2) probabilities summing to 1 per sample, and sample 0 the same alone.
        const dlib::tensor& logits = net.subnet().forward(x);
        if (logits.num_samples() != long(n) || logits.k() != 2 || logits.nr() != 1 || logits.nc() != 1)
            return state.SkipWithError("paper CNN: logits are not (N, 2, 1, 1)");
        if (auto err = check_first_pad(net, x); !err.empty()) return state.SkipWithError(err.c_str());
        probs.copy_size(logits);
        dlib::tt::softmax(probs, logits);
        for (std::size_t i = 0; i < n; ++i)
            if (std::abs(probs.host()[2 * i] + probs.host()[2 * i + 1] - 1) > 1e-5f)
                return state.SkipWithError("paper CNN: probabilities do not sum to 1");
        const float first[2] = {probs.host()[0], probs.host()[1]};
        dlib::resizable_tensor x0, p0;
        net.to_tensor(samples.begin(), samples.begin() + 1, x0);
        const dlib::tensor& l0 = net.subnet().forward(x0);
        p0.copy_size(l0);
        dlib::tt::softmax(p0, l0);
        if (std::abs(p0.host()[0] - first[0]) > 1e-5f || std::abs(p0.host()[1] - first[1]) > 1e-5f)
            return state.SkipWithError("paper CNN: batched and single-sample forward differ");
    }
    for (auto _ : state) {
        const dlib::tensor& logits = net.subnet().forward(x);
        probs.copy_size(logits);
        dlib::tt::softmax(probs, logits);
        benchmark::DoNotOptimize(probs.host());
    }
}

void autoencoder_train_step(benchmark::State& state) {
    const std::size_t n = state.range(0);
    const auto samples = uniform_samples(n, 21, 1, 0, 1, 2);
    trainer<autoencoder> t(samples);
    if (auto err = t.check_loss_falls(samples, "autoencoder"); !err.empty()) return state.SkipWithError(err.c_str());
    for (auto _ : state) t.step(samples);
}

void ae_nn_train_step(benchmark::State& state) {
    const std::size_t n = state.range(0);
    trainer<ae_nn> t(uniform_samples(n, 6, 1, 0, 1, 3));
    std::mt19937 g(4);
    std::vector<float> labels(n);
    for (auto& l : labels) l = g() % 2 ? 1.f : -1.f;
    if (auto err = t.check_loss_falls(labels, "AE-NN"); !err.empty()) return state.SkipWithError(err.c_str());
    if (dlib::count_parameters(t.net) != 107665) return state.SkipWithError("AE-NN: expected 107,665 parameters");
    for (auto _ : state) t.step(labels);
}

}  // namespace

BENCHMARK(paper_cnn_train_step)->Name("dlib/paper_cnn_train_step")->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK(paper_cnn_forward)->Name("dlib/paper_cnn_forward")->Arg(2048)->Unit(benchmark::kMillisecond);
BENCHMARK(autoencoder_train_step)->Name("dlib/autoencoder_train_step")->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(ae_nn_train_step)->Name("dlib/ae_nn_train_step")->Arg(100)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    benchmark::AddCustomContext("dlib", std::to_string(DLIB_MAJOR_VERSION) + "." + std::to_string(DLIB_MINOR_VERSION) +
                                            "." + std::to_string(DLIB_PATCH_VERSION));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
