// Activations, as functions over buffers (used fused inside dense, lstm, conv2d) and as
// a stand-alone layer.
//
//   relu          y = max(0, x)                     dy/dx = 1 if x > 0 else 0 (= [y > 0])
//   sigmoid       y = 1 / (1 + e^-x)                dy/dx = y (1 - y)
//   hard_sigmoid  y = clip(0.2 x + 0.5, 0, 1)       dy/dx = 0.2 if -2.5 < x < 2.5 else 0
//                 (Keras 2.2's definition, the LSTM recurrent activation the paper used)
//   tanh          y = tanh(x)                       dy/dx = 1 - y^2
//   softmax       y_j = e^(x_j) / sum_k e^(x_k) over the last axis
//                 dL/dx_j = y_j (dL/dy_j - sum_k dL/dy_k y_k)
//   linear        y = x                             dy/dx = 1
//
// Every derivative is written in terms of the output y, so callers cache y, not x.
// For hard_sigmoid, 0 < y < 1 holds exactly when -2.5 < x < 2.5.
// Shapes: any; softmax acts on rows of the last axis (rows = size / last extent).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "knit/nn/layer.hpp"

namespace knit::nn {

enum class activation { linear, relu, sigmoid, hard_sigmoid, tanh, softmax };

inline std::string to_string(activation a) {
    switch (a) {
        case activation::linear: return "linear";
        case activation::relu: return "relu";
        case activation::sigmoid: return "sigmoid";
        case activation::hard_sigmoid: return "hard_sigmoid";
        case activation::tanh: return "tanh";
        case activation::softmax: return "softmax";
    }
    return "unknown";
}

inline activation activation_from_string(const std::string& name) {
    for (activation a : {activation::linear, activation::relu, activation::sigmoid,
                         activation::hard_sigmoid, activation::tanh, activation::softmax})
        if (to_string(a) == name) return a;
    KNIT_CHECK_AS(value_error, false,
                  "activation: got '" << name
                                      << "', expected linear, relu, sigmoid, hard_sigmoid, tanh or softmax");
    return activation::linear;
}

// Numerically stable logistic function: never evaluates e^x for large positive x.
template <class T>
inline T sigmoid(T x) {
    if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
}

template <class T>
inline T hard_sigmoid(T x) {
    return std::clamp(T(0.2) * x + T(0.5), T(0), T(1));
}

// y = f(x) for n elements laid out as rows of `cols` (cols matters for softmax only).
template <class T>
void activation_forward(activation a, const T* x, T* y, std::size_t n, std::size_t cols) {
    switch (a) {
        case activation::linear:
            if (x != y) std::copy(x, x + n, y);
            return;
        case activation::relu:
            for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : T(0);
            return;
        case activation::sigmoid:
            for (std::size_t i = 0; i < n; ++i) y[i] = sigmoid(x[i]);
            return;
        case activation::hard_sigmoid:
            for (std::size_t i = 0; i < n; ++i) y[i] = hard_sigmoid(x[i]);
            return;
        case activation::tanh:
            for (std::size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
            return;
        case activation::softmax:
            for (std::size_t r = 0; r < n / cols; ++r) {
                const T* xr = x + r * cols;
                T* yr = y + r * cols;
                // Subtracting the row maximum keeps every exponent <= 0 (no overflow).
                const T peak = *std::max_element(xr, xr + cols);
                T total = 0;
                for (std::size_t j = 0; j < cols; ++j) total += (yr[j] = std::exp(xr[j] - peak));
                for (std::size_t j = 0; j < cols; ++j) yr[j] /= total;
            }
            return;
    }
}

// dx = dL/dx from the forward output y and dy = dL/dy. dx may alias dy.
template <class T>
void activation_backward(activation a, const T* y, const T* dy, T* dx, std::size_t n,
                         std::size_t cols) {
    switch (a) {
        case activation::linear:
            if (dx != dy) std::copy(dy, dy + n, dx);  // dy/dx = 1
            return;
        case activation::relu:
            // [x > 0] as a 0/1 factor rather than a branch: the loop vectorises.
            for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * T(y[i] > T(0));
            return;
        case activation::sigmoid:
            for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (T(1) - y[i]);  // y(1-y)
            return;
        case activation::hard_sigmoid:
            for (std::size_t i = 0; i < n; ++i)  // 0.2 inside the linear part, else 0
                dx[i] = (y[i] > T(0) && y[i] < T(1)) ? T(0.2) * dy[i] : T(0);
            return;
        case activation::tanh:
            for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * (T(1) - y[i] * y[i]);  // 1 - y^2
            return;
        case activation::softmax:
            for (std::size_t r = 0; r < n / cols; ++r) {
                const T* yr = y + r * cols;
                const T* dyr = dy + r * cols;
                T* dxr = dx + r * cols;
                T dot = 0;  // sum_k dL/dy_k y_k
                for (std::size_t j = 0; j < cols; ++j) dot += dyr[j] * yr[j];
                for (std::size_t j = 0; j < cols; ++j) dxr[j] = yr[j] * (dyr[j] - dot);  // y_j (dy_j - dot)
            }
            return;
    }
}

// An activation as a layer of its own: same shape in and out, no parameters.
template <class T>
class activation_layer : public layer<T> {
public:
    explicit activation_layer(activation a) : act_(a) {}
    std::string kind() const override { return to_string(act_); }
    activation function() const { return act_; }

    const tensor<T>& forward(const tensor<T>& x, mode) override {
        this->require_built("forward");
        check_batch_shape(x, this->input_shape(), kind().c_str());
        ensure_shape(y_, to_shape(x.shape()));
        activation_forward(act_, x.data(), y_.data(), x.size(), last_extent());
        guard_.on_forward(x.shape()[0]);
        return y_;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        guard_.on_backward(kind(), dy, y_);
        ensure_shape(dx_, to_shape(dy.shape()));
        activation_backward(act_, y_.data(), dy.data(), dx_.data(), dy.size(), last_extent());
        return dx_;
    }

protected:
    shape_t do_build(const shape_t& input_shape) override {
        KNIT_CHECK_AS(shape_error, !input_shape.empty() && shape_size(input_shape) > 0,
                      kind() << " input shape: got " << shape_to_string(input_shape)
                             << ", expected at least one non-empty axis besides the batch");
        return input_shape;
    }

private:
    std::size_t last_extent() const { return this->input_shape().back(); }
    activation act_;
    tensor<T> y_, dx_;
    forward_guard guard_;
};

extern template class activation_layer<float>;
extern template class activation_layer<double>;

}  // namespace knit::nn
