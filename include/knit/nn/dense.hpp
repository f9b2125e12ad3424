// Fully connected layer with an optional fused activation (Keras' Dense).
//
//   forward:   z = x W + b,  y = act(z)
//   backward:  dz = dy * act'(.)            (activation_backward_bias, from the cached y)
//              dW += x^T dz,  db += sum_n dz,  dx = dz W^T
//
// Shapes: x (N, F), W (F, U) as Keras stores it (PyTorch's weight is W^T), b (U),
//         y (N, U). Cached by forward: y (N, U) and x (N, F) for dW -- a copy, or only a
//         pointer when the caller promised to keep x alive and unchanged until backward
//         (rule 8): models promise it for every layer after their first (x is then the
//         previous layer's output buffer), fit/train_step for the batch. (Copying x took
//         3-6% of the composition benchmarks' train steps.)
// Speed: forward is one GEMM and the pass y = act(z + b); backward the pass
//         dz = act'(.) dy with db += sum_n dz, and the GEMMs for dW and (rule 7) dx. For
//         float those passes are the vectorised kernels of activations.hpp. Both run
//         with denormals flushed to zero (detail::denormals_as_zero, activations.hpp).
// Defaults follow Keras: W Glorot-uniform, b zeros; dense_options::torch() gives
// nn.Linear's U(-1/sqrt(F), 1/sqrt(F)) for both. Derivation: docs/math/dense.md.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "knit/core/blas.hpp"
#include "knit/nn/activations.hpp"
#include "knit/nn/init.hpp"
#include "knit/nn/layer.hpp"

namespace knit::nn {

struct dense_options {
    activation act = activation::linear;
    bool use_bias = true;
    init kernel_init = init::glorot_uniform();
    init bias_init = init::zeros();

    static dense_options torch(activation a = activation::linear) {
        return {a, true, init::torch_default(), init::torch_default()};
    }
};

template <class T>
class dense : public layer<T> {
public:
    explicit dense(std::size_t units, activation act = activation::linear)
        : dense(units, dense_options{act}) {}
    dense(std::size_t units, dense_options options) : units_(units), opt_(options) {
        KNIT_CHECK_AS(value_error, units > 0, "dense units: got 0, expected > 0");
    }

    std::string kind() const override { return "dense"; }
    std::string config() const override {
        std::ostringstream out;
        out << "units=" << units_ << ",activation=" << to_string(opt_.act)
            << ",bias=" << (opt_.use_bias ? 1 : 0);
        return out.str();
    }
    std::size_t units() const { return units_; }
    activation function() const { return opt_.act; }

    std::vector<param_spec> params() const override {
        std::vector<param_spec> p{{"weight", {in_features_, units_}}};
        if (opt_.use_bias) p.push_back({"bias", {units_}});
        return p;
    }
    void bind(const std::vector<param_view<T>>& views) override {
        weight_ = views.at(0);
        if (opt_.use_bias) bias_ = views.at(1);
    }
    void init_params(rng& g) override {
        initialize(opt_.kernel_init, weight_.value, in_features_, units_, in_features_, units_, g);
        if (opt_.use_bias) initialize(opt_.bias_init, bias_.value, 1, units_, in_features_, units_, g);
    }

    const tensor<T>& forward(const tensor<T>& x, mode) override {
        this->require_built("forward");
        check_batch_shape(x, this->input_shape(), "dense");
        const std::size_t n = x.shape()[0];
        if (this->input_kept()) {
            x_ = x.data();  // rule 8: x outlives the matching backward
        } else {
            ensure_shape(x_copy_, {n, in_features_});
            std::copy(x.data(), x.data() + x.size(), x_copy_.data());
            x_ = x_copy_.data();
        }
        const detail::denormals_as_zero no_denormals;  // see activations.hpp
        ensure_shape(y_, {n, units_});
        T* y = y_.data();
        // z = x W, then y = act(z + b) in one pass over y (b broadcast over rows)
        gemm(transpose::no, transpose::no, n, units_, in_features_, T(1), x_, in_features_,
             weight_.value, units_, T(0), y, units_);
        activation_forward_bias(opt_.act, y, opt_.use_bias ? bias_.value : nullptr, y, n * units_, units_);
        guard_.on_forward(n);
        return y_;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        guard_.on_backward("dense", dy, y_);
        const std::size_t n = dy.shape()[0];
        const detail::denormals_as_zero no_denormals;  // see activations.hpp
        ensure_shape(dz_, {n, units_});
        // dz = dy * act'(z), written from the cached output y, and
        // dL/db += sum over the batch of dz  (z = x W + b broadcast over rows)
        activation_backward_bias(opt_.act, y_.data(), dy.data(), dz_.data(),
                                 opt_.use_bias ? bias_.grad : nullptr, n * units_, units_);
        // dL/dW = x^T dz  (z = x W)
        gemm(transpose::yes, transpose::no, in_features_, units_, n, T(1), x_, in_features_,
             dz_.data(), units_, T(1), weight_.grad, units_);
        if (!this->input_grad()) return this->skipped_input_grad();  // rule 7
        ensure_shape(dx_, {n, in_features_});
        // dL/dx = dz W^T
        gemm(transpose::no, transpose::yes, n, in_features_, units_, T(1), dz_.data(), units_,
             weight_.value, units_, T(0), dx_.data(), in_features_);
        return dx_;
    }

    const param_view<T>& weight() const { return weight_; }
    const param_view<T>& bias() const { return bias_; }

protected:
    shape_t do_build(const shape_t& input_shape) override {
        KNIT_CHECK_AS(shape_error, input_shape.size() == 1 && input_shape[0] > 0,
                      "dense input shape: got " << batch_shape_to_string(input_shape)
                                                << ", expected (N, F) with F > 0 (flatten first)");
        in_features_ = input_shape[0];
        return {units_};
    }

private:
    std::size_t units_;
    dense_options opt_;
    std::size_t in_features_ = 0;
    param_view<T> weight_, bias_;
    const T* x_ = nullptr;  // the last forward's input (N, F): x itself or x_copy_
    tensor<T> x_copy_, y_, dz_, dx_;
    forward_guard guard_;
};

extern template class dense<float>;
extern template class dense<double>;

}  // namespace knit::nn
