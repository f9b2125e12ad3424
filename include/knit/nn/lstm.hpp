// Long short-term memory layer with hand-written backpropagation through time
// (Hochreiter & Schmidhuber 1997; forget gate: Gers et al. 2000). Gates are packed in
// PyTorch's order [i, f, g, o], so torch.nn.LSTM's values map one to one.
//
//   forward, for t = 0 .. T-1 (sigma = the recurrent activation, sigmoid or hard_sigmoid):
//     z_t = x_t W + h_{t-1} U + b                      packed pre-activations (N, 4H)
//     i = sigma(z_i)  f = sigma(z_f)  g = tanh(z_g)  o = sigma(z_o)
//     c_t = f * c_{t-1} + i * g
//     h_t = o * tanh(c_t)
//   output: h_{T-1} (N, H), or every h_t as (N, T, H) with return_sequences.
//
//   backward, for t = T-1 .. 0, with dh_t = dy_t (sequence output) + dL/dh_t from step t+1:
//     do = dh_t * tanh(c_t) * sigma'(o)
//     dc = dc_{t+1 -> t} + dh_t * o * (1 - tanh(c_t)^2)
//     di = dc * g * sigma'(i)   dg = dc * i * (1 - g^2)   df = dc * c_{t-1} * sigma'(f)
//     dL/dc_{t-1} = dc * f      dL/dh_{t-1} = dz_t U^T
//   and once over all steps (z_t is linear in W, U, b and x_t):
//     dW += X^T dZ   dU += H_prev^T dZ   db += sum of dZ rows   dX = dZ W^T
//
// Shapes: x (N, T, F); W "kernel" (F, 4H); U "recurrent_kernel" (H, 4H); b "bias" (4H);
//         y (N, H) or (N, T, H). torch.nn.LSTM stores weight_ih = W^T, weight_hh = U^T
//         and two biases whose sum is b.
// Cached by forward (time-major, so one step's rows are contiguous for its GEMM):
//         x transposed (T, N, F)        for dW
//         activated gates (T, N, 4H)    i, f, g, o: every sigma' and tanh' is read from them
//         h (T+1, N, H), c (T+1, N, H)  slot 0 holds the initial state; h_prev rows for dU
//         tanh(c) (T, N, H)             for do and dc, so backward calls no tanh
// Details and the derivation: docs/math/lstm.md.
//
// Initial state: set_initial_state(h0, c0) makes every following forward start from it
// (both (N, H); the batch must match x's); clear_initial_state() returns to zeros.
// After backward, initial_state_grad_h() and initial_state_grad_c() hold dL/dh0 and
// dL/dc0 (written, not accumulated, like dx) when an initial state was set; without one
// they are empty, since nothing can read the gradient of the zero state (PyTorch does
// not compute it either) and skipping it saves the last step's dZ U^T product. final_hidden() / final_cell() give h and c
// after the last step of the last forward.
//
// Defaults (lstm_options{} or keras()) are Keras 2.2's, the paper's setting: recurrent
// activation hard_sigmoid, W Glorot-uniform (fan_in F, fan_out 4H), U orthogonal,
// bias zeros with the forget-gate slice set to 1 (unit_forget_bias). For Keras >= 2.3 set
// recurrent_activation = sigmoid. lstm_options::torch() gives nn.LSTM's: sigmoid, every
// tensor U(-1/sqrt(H), 1/sqrt(H)), and the bias drawn as the sum of two such draws
// (b_ih + b_hh).
//
// Speed: the input projection for all steps is one GEMM, each step one recurrent GEMM and
// one fused element-wise loop, and dW, dU over all steps one GEMM each. Float's
// element-wise kernels (src/nn/lstm_kernels.cpp) use a branch-free exp/tanh on Highway
// vectors and run at the SIMD level in use (knit/nn/simd.hpp); double uses std::exp/std::tanh. On AVX-512 CPUs lstm<float> with
// H <= 256 instead runs each step through fused kernels (detail/lstm_avx512.hpp): the
// recurrent product, gates and cell update per register tile, U packed once per call.
// Buffers are reused while the batch size stays the same. Measurements:
// docs/performance-lstm.md.
//
// A naive reference, reference::lstm_forward_backward, sits at the bottom: plain loops
// per sample and step, no GEMM, no shared buffers; tests hold the fast path equal to it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <type_traits>
#include <string>
#include <vector>

#include "knit/core/blas.hpp"
#include "knit/nn/activations.hpp"
#include "knit/nn/detail/lstm_avx512.hpp"
#include "knit/nn/detail/lstm_steps.hpp"
#include "knit/nn/init.hpp"
#include "knit/nn/layer.hpp"

namespace knit::nn {

struct lstm_options {
    bool return_sequences = false;
    activation recurrent_activation = activation::hard_sigmoid;
    init kernel_init = init::glorot_uniform();
    init recurrent_init = init::orthogonal();
    init bias_init = init::zeros();
    bool unit_forget_bias = true;  // forget-gate bias slice set to 1 after bias_init

    // Keras 2.2 (the default).
    static lstm_options keras(bool return_sequences = false) {
        lstm_options o;
        o.return_sequences = return_sequences;
        return o;
    }
    // torch.nn.LSTM.
    static lstm_options torch(bool return_sequences = false) {
        lstm_options o;
        o.return_sequences = return_sequences;
        o.recurrent_activation = activation::sigmoid;
        o.kernel_init = o.recurrent_init = o.bias_init = init::torch_default();
        o.unit_forget_bias = false;
        return o;
    }
};


template <class T>
class lstm : public layer<T> {
public:
    explicit lstm(std::size_t units, lstm_options options = {}) : units_(units), opt_(options) {
        KNIT_CHECK_AS(value_error, units > 0, "lstm units: got 0, expected > 0");
        KNIT_CHECK_AS(value_error,
                      options.recurrent_activation == activation::sigmoid ||
                          options.recurrent_activation == activation::hard_sigmoid,
                      "lstm recurrent activation: got " << to_string(options.recurrent_activation)
                                                        << ", expected sigmoid or hard_sigmoid");
    }

    std::string kind() const override { return "lstm"; }
    std::string config() const override {
        std::ostringstream out;
        out << "units=" << units_ << ",return_sequences=" << (opt_.return_sequences ? 1 : 0)
            << ",recurrent_activation=" << to_string(opt_.recurrent_activation);
        return out.str();
    }
    std::size_t units() const { return units_; }
    const lstm_options& options() const { return opt_; }

    std::vector<param_spec> params() const override {
        return {{"kernel", {features_, 4 * units_}},
                {"recurrent_kernel", {units_, 4 * units_}},
                {"bias", {4 * units_}}};
    }
    void bind(const std::vector<param_view<T>>& views) override {
        kernel_ = views.at(0);
        recurrent_ = views.at(1);
        bias_ = views.at(2);
    }
    void init_params(rng& g) override {
        const std::size_t h = units_, gates = 4 * units_;
        // PyTorch draws every LSTM tensor with fan_in = H; Keras uses the matrix's own fans.
        auto fan_in = [&](const init& how, std::size_t own) {
            return how.type == init::kind::torch_default ? h : own;
        };
        initialize(opt_.kernel_init, kernel_.value, features_, gates,
                   fan_in(opt_.kernel_init, features_), gates, g);
        initialize(opt_.recurrent_init, recurrent_.value, h, gates,
                   fan_in(opt_.recurrent_init, h), gates, g);
        initialize(opt_.bias_init, bias_.value, 1, gates, fan_in(opt_.bias_init, h), gates, g);
        if (opt_.bias_init.type == init::kind::torch_default) {
            // nn.LSTM has b_ih and b_hh, each U(-1/sqrt(H), 1/sqrt(H)); knit's one bias is their sum.
            std::vector<T> second(gates);
            initialize(opt_.bias_init, second.data(), 1, gates, h, gates, g);
            for (std::size_t k = 0; k < gates; ++k) bias_.value[k] += second[k];
        }
        if (opt_.unit_forget_bias) std::fill(bias_.value + h, bias_.value + 2 * h, T(1));
    }

    // Starts every following forward from (h0, c0), each (N, H), instead of zeros.
    void set_initial_state(const tensor<T>& h0, const tensor<T>& c0) {
        this->require_built("set_initial_state");
        for (const tensor<T>* s : {&h0, &c0}) {
            KNIT_CHECK_AS(shape_error, s->dimension() == 2 && s->shape()[1] == units_,
                          "lstm initial state: got " << shape_to_string(s->shape())
                                                     << ", expected (N, " << units_ << ")");
        }
        KNIT_CHECK_AS(shape_error, h0.shape()[0] == c0.shape()[0],
                      "lstm initial state: got h0 " << shape_to_string(h0.shape()) << " and c0 "
                                                    << shape_to_string(c0.shape())
                                                    << ", expected the same batch");
        h0_ = h0;
        c0_ = c0;
        has_initial_state_ = true;
    }
    void clear_initial_state() {
        has_initial_state_ = false;
        h0_ = tensor<T>();
        c0_ = tensor<T>();
    }
    bool has_initial_state() const { return has_initial_state_; }
    // dL/dh0 and dL/dc0 (N, H) of the last backward (the zero state's when none was set).
    const tensor<T>& initial_state_grad_h() const { return has_initial_grad_ ? dh0_ : this->skipped_input_grad(); }
    const tensor<T>& initial_state_grad_c() const { return has_initial_grad_ ? dc0_ : this->skipped_input_grad(); }
    // h and c after the last step of the last forward, (N, H).
    const tensor<T>& final_hidden() const { return final_h_; }
    const tensor<T>& final_cell() const { return final_c_; }

    const tensor<T>& forward(const tensor<T>& x, mode) override {
        this->require_built("forward");
        check_batch_shape(x, this->input_shape(), "lstm");
        const std::size_t n = x.shape()[0], steps = steps_, f = features_, h = units_,
                          g4 = 4 * units_;
        if (has_initial_state_) {
            KNIT_CHECK_AS(shape_error, h0_.shape()[0] == n,
                          "lstm initial state batch: got " << h0_.shape()[0] << ", expected "
                                                           << n << " (x's batch)");
        }
        ensure_shape(xt_, {steps, n, f});
        ensure_shape(gates_, {steps, n, g4});
        ensure_shape(h_, {steps + 1, n, h});
        ensure_shape(c_, {steps + 1, n, h});
        ensure_shape(tanh_c_, {steps, n, h});

        // x (N, T, F) -> time-major (T, N, F)
        const T* xs = x.data();
        T* xt = xt_.data();
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t t = 0; t < steps; ++t)
                std::copy(xs + (s * steps + t) * f, xs + (s * steps + t + 1) * f, xt + (t * n + s) * f);

        // Z = X W + b: for wide inputs one GEMM over all T*N rows now, for narrow ones per
        // step below (detail::lstm_direct_features).
        T* z = gates_.data();
        const bool direct = narrow_input();
        if (!direct) {
            for (std::size_t r = 0; r < steps * n; ++r) std::copy(bias_.value, bias_.value + g4, z + r * g4);
            gemm(transpose::no, transpose::no, steps * n, g4, f, T(1), xt, f, kernel_.value, g4, T(1), z, g4);
        }

        const bool fused = fused_kernels();
        if constexpr (std::is_same_v<T, float>) {
            if (fused) {  // U (and for narrow inputs W, b) repacked once for all steps
                // (wide inputs: U alone, z_t = x_t W + b comes from the GEMM above)
                const std::size_t packed_features = direct ? f : 0;
                ensure_shape(packed_u_, {detail::lstm_avx512_forward_pack_size(packed_features, h)});
                detail::lstm_avx512_pack_forward(kernel_.value, recurrent_.value, bias_.value, packed_features, h,
                                                 packed_u_.data());
            }
        }

        T* hs = h_.data();
        T* cs = c_.data();
        if (has_initial_state_) {
            std::copy(h0_.data(), h0_.data() + n * h, hs);
            std::copy(c0_.data(), c0_.data() + n * h, cs);
        } else {
            std::fill(hs, hs + n * h, T(0));
            std::fill(cs, cs + n * h, T(0));
        }
        const bool hard = opt_.recurrent_activation == activation::hard_sigmoid;
        for (std::size_t t = 0; t < steps; ++t) {
            T* zt = z + t * n * g4;
            if constexpr (std::is_same_v<T, float>) {
                if (fused) {
                    detail::lstm_avx512_forward({packed_u_.data(), direct ? xt + t * n * f : nullptr, hs + t * n * h,
                                                 cs + t * n * h, zt, cs + (t + 1) * n * h,
                                                 tanh_c_.data() + t * n * h, hs + (t + 1) * n * h, n, f, h, hard});
                    continue;
                }
            }
            if (direct) detail::input_projection_rows(xt + t * n * f, kernel_.value, bias_.value, zt, n, f, g4);
            // Z_t += h_{t-1} U
            gemm(transpose::no, transpose::no, n, g4, h, T(1), hs + t * n * h, h, recurrent_.value,
                 g4, T(1), zt, g4);
            detail::step_forward(hard, zt, cs + t * n * h, cs + (t + 1) * n * h,
                                 tanh_c_.data() + t * n * h, hs + (t + 1) * n * h, n, h);
        }

        ensure_shape(final_h_, {n, h});
        ensure_shape(final_c_, {n, h});
        std::copy(hs + steps * n * h, hs + (steps + 1) * n * h, final_h_.data());
        std::copy(cs + steps * n * h, cs + (steps + 1) * n * h, final_c_.data());
        if (opt_.return_sequences) {
            ensure_shape(y_, {n, steps, h});
            T* y = y_.data();
            for (std::size_t t = 0; t < steps; ++t)
                for (std::size_t s = 0; s < n; ++s)
                    std::copy(hs + ((t + 1) * n + s) * h, hs + ((t + 1) * n + s + 1) * h,
                              y + (s * steps + t) * h);
        } else {
            ensure_shape(y_, {n, h});
            std::copy(final_h_.begin(), final_h_.end(), y_.begin());
        }
        guard_.on_forward(n);
        return y_;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        guard_.on_backward("lstm", dy, y_);
        const std::size_t n = dy.shape()[0], steps = steps_, f = features_, h = units_,
                          g4 = 4 * units_;
        ensure_shape(dh0_, {n, h});
        ensure_shape(dc0_, {n, h});
        T* dh = dh0_.data();  // runs backwards through time; ends as dL/dh0
        T* dc = dc0_.data();  // likewise dL/dc0
        std::fill(dh, dh + n * h, T(0));
        std::fill(dc, dc + n * h, T(0));
        const bool hard = opt_.recurrent_activation == activation::hard_sigmoid;
        const bool direct = narrow_input();
        const T* dys = dy.data();
        const T* hs = h_.data();
        const T* cs = c_.data();
        // dZ overwrites the cached gates, step by step as each is read for the last time:
        // 2 MB less to touch at the paper's shape (N=100, T=21, H=64), where backward's
        // element-wise loop waits on memory. So a second backward needs a new forward.
        T* dz = gates_.data();
        guard_.consume();
        const bool fused = fused_kernels();
        T* ut = nullptr;
        if (fused) {  // the fused kernel's own packing of U^T
            if constexpr (std::is_same_v<T, float>) {
                ensure_shape(packed_ut_, {detail::lstm_avx512_backward_pack_size(h)});
                detail::lstm_avx512_pack_backward(recurrent_.value, h, packed_ut_.data());
            }
        } else {
            // U^T (4H, H), copied once per call: the step product dZ_t U^T then runs as a
            // plain (no, no) GEMM, which OpenBLAS does faster than (no, yes) at these
            // shapes (docs/performance-lstm.md).
            ensure_shape(recurrent_t_, {g4, h});
            ut = recurrent_t_.data();
            for (std::size_t a = 0; a < h; ++a)
                for (std::size_t k = 0; k < g4; ++k) ut[k * h + a] = recurrent_.value[a * g4 + k];
        }

        for (std::size_t t = steps; t-- > 0;) {
            // The output gradient enters at every step (sequences) or at the last one only.
            const T* dy_t = opt_.return_sequences ? dys + t * h : (t + 1 == steps ? dys : nullptr);
            const std::size_t dy_stride = opt_.return_sequences ? steps * h : h;
            if (dy_t) {
                // dL/dh_t = dy_t + dL/dh_t through step t+1  (h_t feeds both)
                for (std::size_t s = 0; s < n; ++s)
                    for (std::size_t j = 0; j < h; ++j) dh[s * h + j] += dy_t[s * dy_stride + j];
            }
            T* dz_t = dz + t * n * g4;
            if constexpr (std::is_same_v<T, float>) {
                if (fused) {
                    detail::lstm_avx512_backward({packed_ut_.data(), gates_.data() + t * n * g4, cs + t * n * h,
                                                  tanh_c_.data() + t * n * h, dh, dc, dz_t,
                                                  direct ? xt_.data() + t * n * f : nullptr, kernel_.grad,
                                                  bias_.grad, n, f, h, hard, t > 0 || has_initial_state_});
                    continue;
                }
            }
            detail::step_backward(hard, gates_.data() + t * n * g4, cs + t * n * h,
                                  tanh_c_.data() + t * n * h, dh, dc, dz_t, n, h);
            // dL/dh_{t-1} = dZ_t U^T  (Z_t = ... + h_{t-1} U); h_{-1} is the initial state
            if (t > 0 || has_initial_state_) gemm(transpose::no, transpose::no, n, h, g4, T(1), dz_t, g4, ut, h, T(0), dh, h);
            // Narrow inputs: dW and db from this step's rows while they are in cache.
            if (direct)
                detail::input_weight_grads_rows(xt_.data() + t * n * f, dz_t, kernel_.grad, bias_.grad, n, f, g4);
        }

        // dL/dU = sum_t h_{t-1}^T dZ_t: slots 0..T-1 of h are h_{-1}..h_{T-2}, one GEMM.
        gemm(transpose::yes, transpose::no, h, g4, steps * n, T(1), hs, h, dz, g4, T(1),
             recurrent_.grad, g4);
        has_initial_grad_ = has_initial_state_;
        if (!direct) {
            // dL/dW = sum_t x_t^T dZ_t  (Z_t = x_t W + ...)
            gemm(transpose::yes, transpose::no, f, g4, steps * n, T(1), xt_.data(), f, dz, g4, T(1),
                 kernel_.grad, g4);
            // dL/db = sum over steps and samples of dZ  (b broadcast over rows)
            for (std::size_t r = 0; r < steps * n; ++r) {
                const T* row = dz + r * g4;
                for (std::size_t k = 0; k < g4; ++k) bias_.grad[k] += row[k];
            }
        }
        if (!this->input_grad()) return this->skipped_input_grad();  // rule 7
        // dL/dx_t = dZ_t W^T, time-major, then back to (N, T, F)
        ensure_shape(dxt_, {steps, n, f});
        gemm(transpose::no, transpose::yes, steps * n, f, g4, T(1), dz, g4, kernel_.value, g4, T(0),
             dxt_.data(), f);
        ensure_shape(dx_, {n, steps, f});
        const T* dxt = dxt_.data();
        T* dx = dx_.data();
        for (std::size_t t = 0; t < steps; ++t)
            for (std::size_t s = 0; s < n; ++s)
                std::copy(dxt + (t * n + s) * f, dxt + (t * n + s + 1) * f, dx + (s * steps + t) * f);
        return dx_;
    }

    // Few input features: the input's products run as per-step row loops, not GEMMs.
    bool narrow_input() const { return features_ <= detail::lstm_direct_features; }
    // lstm<float> on AVX-512, up to lstm_avx512_max_units: every step through
    // detail/lstm_avx512.hpp's fused kernels.
    bool fused_kernels() const {
        if constexpr (std::is_same_v<T, float>)
            return units_ <= detail::lstm_avx512_max_units && detail::lstm_avx512_available();
        else return false;
    }

    const param_view<T>& kernel() const { return kernel_; }
    const param_view<T>& recurrent_kernel() const { return recurrent_; }
    const param_view<T>& bias() const { return bias_; }

protected:
    shape_t do_build(const shape_t& input_shape) override {
        KNIT_CHECK_AS(shape_error,
                      input_shape.size() == 2 && input_shape[0] > 0 && input_shape[1] > 0,
                      "lstm input shape: got " << batch_shape_to_string(input_shape)
                                               << ", expected (N, T, F) with T > 0 and F > 0");
        steps_ = input_shape[0];
        features_ = input_shape[1];
        if (opt_.return_sequences) return {steps_, units_};
        return {units_};
    }

private:
    std::size_t units_;
    lstm_options opt_;
    std::size_t steps_ = 0, features_ = 0;
    param_view<T> kernel_, recurrent_, bias_;
    bool has_initial_state_ = false;
    tensor<T> h0_, c0_;
    tensor<T> xt_, gates_, h_, c_, tanh_c_, y_, final_h_, final_c_;  // forward caches
    tensor<T> dh0_, dc0_, dxt_, dx_, recurrent_t_;               // backward buffers
    tensor<T> packed_u_, packed_ut_;  // fused kernels: U (W, b) packed for forward, U^T for backward
    bool has_initial_grad_ = false;  // dh0_ and dc0_ hold dL/dh0 and dL/dc0
    forward_guard guard_;
};

extern template class lstm<float>;
extern template class lstm<double>;

namespace reference {

// Everything the naive reference computes for one forward and one backward.
template <class T>
struct lstm_result {
    tensor<T> y, final_h, final_c;                   // forward
    tensor<T> dx, dkernel, drecurrent, dbias, dh0, dc0;  // backward (gradients written, not added)
};

// The LSTM with plain loops, one sample and one step at a time, from the equations at
// the top of this file. kernel (F, 4H), recurrent (H, 4H), bias (4H) as in lstm<T>;
// h0, c0 (N, H) or empty for zeros; dy shaped like y.
template <class T>
lstm_result<T> lstm_forward_backward(const tensor<T>& x, const T* kernel, const T* recurrent,
                                     const T* bias, std::size_t units, bool return_sequences,
                                     activation recurrent_activation, const tensor<T>& h0,
                                     const tensor<T>& c0, const tensor<T>& dy) {
    const std::size_t n = x.shape()[0], steps = x.shape()[1], f = x.shape()[2], h = units;
    const bool hard = recurrent_activation == activation::hard_sigmoid;
    auto sig = [&](T v) { return hard ? hard_sigmoid(v) : sigmoid(v); };
    auto dsig = [&](T y) { return hard ? ((y > 0 && y < 1) ? T(0.2) : T(0)) : y * (1 - y); };
    lstm_result<T> r;
    r.y = return_sequences ? tensor<T>::from_shape({n, steps, h}) : tensor<T>::from_shape({n, h});
    r.final_h = tensor<T>::from_shape({n, h});
    r.final_c = tensor<T>::from_shape({n, h});
    r.dx = tensor<T>::from_shape({n, steps, f});
    r.dkernel = xt::zeros<T>({f, 4 * h});
    r.drecurrent = xt::zeros<T>({h, 4 * h});
    r.dbias = xt::zeros<T>({4 * h});
    r.dh0 = tensor<T>::from_shape({n, h});
    r.dc0 = tensor<T>::from_shape({n, h});
    auto W = [&](std::size_t a, std::size_t k) { return kernel[a * 4 * h + k]; };
    auto U = [&](std::size_t a, std::size_t k) { return recurrent[a * 4 * h + k]; };

    for (std::size_t s = 0; s < n; ++s) {
        // Per step: h_prev, c_prev, gates i f g o, c.
        std::vector<std::vector<T>> hp(steps + 1, std::vector<T>(h, 0)), cp = hp;
        std::vector<std::vector<T>> gi(steps, std::vector<T>(h)), gf = gi, gg = gi, go = gi;
        for (std::size_t j = 0; j < h; ++j) {
            if (h0.size()) hp[0][j] = h0(s, j);
            if (c0.size()) cp[0][j] = c0(s, j);
        }
        for (std::size_t t = 0; t < steps; ++t) {
            for (std::size_t j = 0; j < h; ++j) {
                T zi = bias[j], zf = bias[h + j], zg = bias[2 * h + j], zo = bias[3 * h + j];
                for (std::size_t a = 0; a < f; ++a) {
                    const T xv = x(s, t, a);
                    zi += xv * W(a, j), zf += xv * W(a, h + j), zg += xv * W(a, 2 * h + j),
                        zo += xv * W(a, 3 * h + j);
                }
                for (std::size_t a = 0; a < h; ++a) {
                    const T hv = hp[t][a];
                    zi += hv * U(a, j), zf += hv * U(a, h + j), zg += hv * U(a, 2 * h + j),
                        zo += hv * U(a, 3 * h + j);
                }
                gi[t][j] = sig(zi), gf[t][j] = sig(zf), gg[t][j] = std::tanh(zg), go[t][j] = sig(zo);
                cp[t + 1][j] = gf[t][j] * cp[t][j] + gi[t][j] * gg[t][j];
                hp[t + 1][j] = go[t][j] * std::tanh(cp[t + 1][j]);
                if (return_sequences) r.y(s, t, j) = hp[t + 1][j];
            }
        }
        for (std::size_t j = 0; j < h; ++j) {
            r.final_h(s, j) = hp[steps][j];
            r.final_c(s, j) = cp[steps][j];
            if (!return_sequences) r.y(s, j) = hp[steps][j];
        }

        std::vector<T> dh(h, 0), dc(h, 0), dz(4 * h);
        for (std::size_t t = steps; t-- > 0;) {
            for (std::size_t j = 0; j < h; ++j) {
                if (return_sequences) dh[j] += dy(s, t, j);
                else if (t + 1 == steps) dh[j] += dy(s, j);
                const T tc = std::tanh(cp[t + 1][j]);
                const T dcell = dc[j] + dh[j] * go[t][j] * (1 - tc * tc);
                dz[j] = dcell * gg[t][j] * dsig(gi[t][j]);
                dz[h + j] = dcell * cp[t][j] * dsig(gf[t][j]);
                dz[2 * h + j] = dcell * gi[t][j] * (1 - gg[t][j] * gg[t][j]);
                dz[3 * h + j] = dh[j] * tc * dsig(go[t][j]);
                dc[j] = dcell * gf[t][j];
            }
            for (std::size_t k = 0; k < 4 * h; ++k) {
                r.dbias(k) += dz[k];
                for (std::size_t a = 0; a < f; ++a) r.dkernel(a, k) += x(s, t, a) * dz[k];
                for (std::size_t a = 0; a < h; ++a) r.drecurrent(a, k) += hp[t][a] * dz[k];
            }
            for (std::size_t a = 0; a < f; ++a) {
                T sum = 0;
                for (std::size_t k = 0; k < 4 * h; ++k) sum += dz[k] * W(a, k);
                r.dx(s, t, a) = sum;
            }
            for (std::size_t a = 0; a < h; ++a) {
                T sum = 0;
                for (std::size_t k = 0; k < 4 * h; ++k) sum += dz[k] * U(a, k);
                dh[a] = sum;
            }
        }
        for (std::size_t j = 0; j < h; ++j) {
            r.dh0(s, j) = dh[j];
            r.dc0(s, j) = dc[j];
        }
    }
    return r;
}

}  // namespace reference

}  // namespace knit::nn
