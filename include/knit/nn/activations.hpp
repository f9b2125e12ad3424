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
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "knit/nn/detail/vector_math.hpp"
#include "knit/nn/layer.hpp"

#if defined(__SSE2__)
#include <xmmintrin.h>  // _mm_getcsr, _mm_setcsr
#endif

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

namespace detail {
// For its lifetime, the calling thread's CPU treats denormal floats and doubles as 0,
// both as results (flush-to-zero) and as inputs (denormals-are-zero); the caller's modes
// come back on destruction. Denormal arithmetic takes a microcode assist on x86, tens of
// times slower per operation, and a network whose outputs saturate feeds such tiny
// numbers through every matrix product (OpenBLAS included) and the optimiser: the AE-NN
// benchmark's step is measurably slower with them than with the whole process in this mode.
// TensorFlow (so Keras) runs every op this way; PyTorch has torch.set_flush_denormal.
// Values change only where a result would be below numeric_limits<T>::min(). dense and
// the optimisers open one around their work. On other CPUs, or with KNIT_KEEP_DENORMALS
// defined, it does nothing.
class denormals_as_zero {
public:
#if defined(__SSE2__) && !defined(KNIT_KEEP_DENORMALS)
    denormals_as_zero() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | flush_bits); }
    ~denormals_as_zero() { _mm_setcsr(saved_); }
#else
    denormals_as_zero() = default;
#endif
    denormals_as_zero(const denormals_as_zero&) = delete;
    denormals_as_zero& operator=(const denormals_as_zero&) = delete;

private:
#if defined(__SSE2__) && !defined(KNIT_KEEP_DENORMALS)
    static constexpr unsigned flush_bits = 0x8040;  // MXCSR: FTZ (bit 15) | DAZ (bit 6)
    unsigned saved_;
#endif
};

// v, or 0 when |v| is below the smallest normal number (a denormal).
template <class T>
inline T flush_denormal(T v) {
    return pick(std::abs(v) < std::numeric_limits<T>::min(), T(0), v);
}
}  // namespace detail

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
            // dy where y > 0, else 0 (PyTorch's threshold_backward: a select, not dy * 0,
            // so an infinite dy on a dead unit gives 0, not NaN). Selected through the bit
            // patterns so the loop vectorises: `dy * T(y > 0)` and `y > 0 ? dy : 0` both
            // compiled to a branch per element, mispredicted on every other unit.
            for (std::size_t i = 0; i < n; ++i) dx[i] = detail::pick(y[i] > T(0), dy[i], T(0));
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

// The fused passes dense uses around its matrix products, one sweep over y each.
//   forward:   y = f(x + b)            b (cols) broadcast over the n / cols rows; b may be
//                                      null (no bias); x may alias y
//   backward:  dx = dL/dx = f'(.) dy   as activation_backward; then, when db is not null,
//              db += sum over rows of dx          (d/db of x + b broadcast over rows)
// Both write denormal results (|v| < numeric_limits<T>::min()) as 0: arithmetic on them is
// tens of times slower on x86 (see denormals_as_zero below), so none leave these passes,
// on any CPU.
// These templates are the plain reference (and what double uses). float has overloads
// below (src/nn/activations.cpp): the same loops on Highway vectors with a branch-free exp,
// sigmoid and tanh (within a few float ulps of std::exp/std::tanh; src/nn/activation_kernels.cpp),
// run at the SIMD level in use (knit/nn/simd.hpp, KNIT_SIMD). Overload resolution prefers
// them for float pointers; call the template as activation_forward_bias<float>(...) to get
// the reference.
template <class T>
void activation_forward_bias(activation a, const T* x, const T* b, T* y, std::size_t n, std::size_t cols) {
    if (b != nullptr) {
        for (std::size_t r = 0; r < n / cols; ++r)
            for (std::size_t j = 0; j < cols; ++j) y[r * cols + j] = x[r * cols + j] + b[j];  // x + b
        x = y;
    }
    activation_forward(a, x, y, n, cols);
    for (std::size_t i = 0; i < n; ++i) y[i] = detail::flush_denormal(y[i]);
}

template <class T>
void activation_backward_bias(activation a, const T* y, const T* dy, T* dx, T* db, std::size_t n,
                              std::size_t cols) {
    activation_backward(a, y, dy, dx, n, cols);
    for (std::size_t i = 0; i < n; ++i) dx[i] = detail::flush_denormal(dx[i]);
    if (db == nullptr) return;
    for (std::size_t r = 0; r < n / cols; ++r)
        for (std::size_t j = 0; j < cols; ++j) db[j] += dx[r * cols + j];  // dL/db = sum_rows dL/d(x + b)
}

void activation_forward_bias(activation a, const float* x, const float* b, float* y, std::size_t n,
                             std::size_t cols);
void activation_backward_bias(activation a, const float* y, const float* dy, float* dx, float* db,
                              std::size_t n, std::size_t cols);

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
        activation_forward_bias(act_, x.data(), static_cast<const T*>(nullptr), y_.data(), x.size(), last_extent());
        guard_.on_forward(x.shape()[0]);
        return y_;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        guard_.on_backward(kind(), dy, y_);
        ensure_shape(dx_, to_shape(dy.shape()));
        activation_backward_bias(act_, y_.data(), dy.data(), dx_.data(), static_cast<T*>(nullptr), dy.size(), last_extent());
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
