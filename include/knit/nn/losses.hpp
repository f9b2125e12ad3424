// The losses (contract in nn/loss.hpp). p is the prediction, t the target, both of the
// same shape; n is the number of elements, R = n / K the number of rows when the last
// axis (K classes) is the class axis. Reductions follow Keras 2.2: the element-wise
// losses average over ALL elements, the class-wise ones sum over the last axis and then
// average over the rows.
//
//   mean_squared_error        L = 1/n sum (p - t)^2
//                             dL/dp = 2 (p - t) / n
//   binary_crossentropy       c = clip(p, eps, 1 - eps)  (eps = 1e-7 = Keras' K.epsilon())
//     (probabilities)         L = -1/n sum [t log c + (1 - t) log(1 - c)]
//                             dL/dp = (c - t) / (c (1 - c)) / n inside the clip, 0 outside
//   bce_with_logits           L = 1/n sum [max(z, 0) - z t + log(1 + e^-|z|)]
//     (logits z)              dL/dz = (sigmoid(z) - t) / n
//   categorical_crossentropy  per row: S = sum_k p_k, q = p / S, c = clip(q, eps, 1 - eps)
//     (probabilities)         L = -1/R sum_rows sum_k t_k log c_k
//                             g_k = -t_k / c_k inside the clip, 0 outside  (= dL_row/dq_k)
//                             dL/dp_k = (g_k - sum_j g_j q_j) / (S R)
//   softmax_cross_entropy     per row: lse = m + log sum_k e^(z_k - m), m = max_k z_k
//     (logits z)              L = 1/R sum_rows sum_k t_k (lse - z_k)
//                             dL/dz_k = (softmax(z)_k sum_j t_j - t_k) / R
//
// Targets may be soft (any non-negative weights) for both cross-entropies. Keras 2.2
// (keras/backend/tensorflow_backend.py) rescales each row of categorical probabilities to
// sum to one before clipping; we do the same, so after a softmax (S = 1) it is the plain
// -sum t log p. Clipped elements get a zero gradient, as tf.clip_by_value gives.
// Stability: no exp of a positive number and no log of zero anywhere, so logits up to
// |z| = 1e4 and probabilities of exactly 0 and 1 give finite losses and gradients.
// Derivations: docs/math/losses.md.
//
// forward() also writes dL/dprediction (one store per element), so backward() only hands
// it out; backward() before any successful forward() throws state_error.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "knit/nn/activations.hpp"
#include "knit/nn/loss.hpp"

namespace knit::nn {

namespace detail {

// Shared bookkeeping: shape checks, the gradient buffer, the forward-before-backward rule.
template <class T>
class loss_base : public loss<T> {
public:
    const tensor<T>& backward() override {
        KNIT_CHECK_AS(state_error, has_forward_,
                      this->name() << "::backward: got a call without a forward, expected forward() first");
        return grad_;
    }

protected:
    // Checks the shapes, sizes the gradient buffer and returns the element count.
    // class_axis: the last axis holds classes (needs rank >= 1 and a non-empty last axis).
    std::size_t begin_forward(const tensor<T>& prediction, const tensor<T>& target, bool class_axis) {
        has_forward_ = false;
        KNIT_CHECK_AS(shape_error, prediction.shape() == target.shape(),
                      this->name() << " target shape: got " << shape_to_string(target.shape())
                                   << ", expected " << shape_to_string(prediction.shape())
                                   << " (the prediction's shape)");
        KNIT_CHECK_AS(shape_error, prediction.size() > 0 && (!class_axis || prediction.dimension() > 0),
                      this->name() << " prediction shape: got " << shape_to_string(prediction.shape())
                                   << ", expected at least one element"
                                   << (class_axis ? " and a class axis last" : ""));
        ensure_shape(grad_, to_shape(prediction.shape()));
        return prediction.size();
    }
    T end_forward(double total) {
        has_forward_ = true;
        return static_cast<T>(total);
    }

    tensor<T> grad_;

private:
    bool has_forward_ = false;
};

}  // namespace detail

template <class T>
class mean_squared_error : public detail::loss_base<T> {
public:
    std::string name() const override { return "mean_squared_error"; }
    T forward(const tensor<T>& prediction, const tensor<T>& target) override {
        const std::size_t n = this->begin_forward(prediction, target, false);
        const T* p = prediction.data();
        const T* t = target.data();
        T* dp = this->grad_.data();
        const T two_over_n = T(2) / static_cast<T>(n);
        // The sum of squares runs in 8 double lanes (element i into lane i % 8), added up
        // at the end: one running sum is a chain of dependent adds the compiler may not
        // reorder, ~4 cycles an element; the lanes
        // vectorise. Still exact to double rounding and the same on every run.
        constexpr std::size_t lanes = 8;
        double lane[lanes] = {};
        std::size_t i = 0;
        for (; i + lanes <= n; i += lanes) {
            for (std::size_t k = 0; k < lanes; ++k) {
                const T diff = p[i + k] - t[i + k];
                lane[k] += static_cast<double>(diff) * diff;
                dp[i + k] = two_over_n * diff;  // d/dp (p - t)^2 / n
            }
        }
        for (; i < n; ++i) {
            const T diff = p[i] - t[i];
            lane[0] += static_cast<double>(diff) * diff;
            dp[i] = two_over_n * diff;
        }
        double total = 0;
        for (double v : lane) total += v;
        return this->end_forward(total / static_cast<double>(n));
    }
};

template <class T>
class binary_crossentropy : public detail::loss_base<T> {
public:
    // eps: the clip margin; Keras 2.2 uses K.epsilon() = 1e-7.
    explicit binary_crossentropy(double eps = 1e-7) : eps_(eps) {
        KNIT_CHECK_AS(value_error, eps > 0 && eps < 0.5,
                      "binary_crossentropy eps: got " << eps << ", expected 0 < eps < 0.5");
    }
    std::string name() const override { return "binary_crossentropy"; }
    double eps() const { return eps_; }

    T forward(const tensor<T>& prediction, const tensor<T>& target) override {
        const std::size_t n = this->begin_forward(prediction, target, false);
        const T* p = prediction.data();
        const T* t = target.data();
        T* dp = this->grad_.data();
        const T lo = static_cast<T>(eps_);
        const T hi = T(1) - lo;
        const T inv_n = T(1) / static_cast<T>(n);
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const T c = std::clamp(p[i], lo, hi);
            total -= static_cast<double>(t[i]) * std::log(c) + static_cast<double>(T(1) - t[i]) * std::log(T(1) - c);
            // d/dc -[t log c + (1-t) log(1-c)] = (c - t) / (c (1 - c)); dc/dp = 1 inside the clip, else 0
            const T inside = static_cast<T>(p[i] >= lo && p[i] <= hi);
            dp[i] = inside * inv_n * (c - t[i]) / (c * (T(1) - c));
        }
        return this->end_forward(total / static_cast<double>(n));
    }

private:
    double eps_;
};

template <class T>
class bce_with_logits : public detail::loss_base<T> {
public:
    std::string name() const override { return "bce_with_logits"; }
    T forward(const tensor<T>& prediction, const tensor<T>& target) override {
        const std::size_t n = this->begin_forward(prediction, target, false);
        const T* z = prediction.data();
        const T* t = target.data();
        T* dz = this->grad_.data();
        const T inv_n = T(1) / static_cast<T>(n);
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            // -[t log s(z) + (1-t) log(1 - s(z))] rewritten so exp only sees -|z| <= 0
            total += std::max(z[i], T(0)) - z[i] * t[i] + std::log1p(std::exp(-std::abs(z[i])));
            // d/dz = s(z) - t
            dz[i] = inv_n * (sigmoid(z[i]) - t[i]);
        }
        return this->end_forward(total / static_cast<double>(n));
    }
};

template <class T>
class categorical_crossentropy : public detail::loss_base<T> {
public:
    explicit categorical_crossentropy(double eps = 1e-7) : eps_(eps) {
        KNIT_CHECK_AS(value_error, eps > 0 && eps < 0.5,
                      "categorical_crossentropy eps: got " << eps << ", expected 0 < eps < 0.5");
    }
    std::string name() const override { return "categorical_crossentropy"; }
    double eps() const { return eps_; }

    T forward(const tensor<T>& prediction, const tensor<T>& target) override {
        const std::size_t n = this->begin_forward(prediction, target, true);
        const std::size_t classes = prediction.shape().back();
        const std::size_t rows = n / classes;
        const T lo = static_cast<T>(eps_);
        const T hi = T(1) - lo;
        const T inv_rows = T(1) / static_cast<T>(rows);
        double total = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const T* p = prediction.data() + r * classes;
            const T* t = target.data() + r * classes;
            T* dp = this->grad_.data() + r * classes;
            T sum = 0;
            for (std::size_t k = 0; k < classes; ++k) sum += p[k];
            // A row of zeros would divide by zero; its q is 0 anyway, clipped to eps.
            const T s = std::max(sum, std::numeric_limits<T>::min());
            T g_dot_q = 0;
            for (std::size_t k = 0; k < classes; ++k) {
                const T q = p[k] / s;
                const T c = std::clamp(q, lo, hi);
                total -= static_cast<double>(t[k]) * std::log(c);
                // g_k = dL_row/dq_k = -t_k / c_k inside the clip, 0 outside (kept in dp for now)
                const T inside = static_cast<T>(q >= lo && q <= hi);
                dp[k] = -inside * t[k] / c;
                g_dot_q += dp[k] * q;
            }
            // dL/dp_k = sum_j g_j dq_j/dp_k = sum_j g_j (delta_jk - q_j) / S  (q = p / S)
            for (std::size_t k = 0; k < classes; ++k) dp[k] = inv_rows * (dp[k] - g_dot_q) / s;
        }
        return this->end_forward(total / static_cast<double>(rows));
    }

private:
    double eps_;
};

template <class T>
class softmax_cross_entropy : public detail::loss_base<T> {
public:
    std::string name() const override { return "softmax_cross_entropy"; }
    T forward(const tensor<T>& prediction, const tensor<T>& target) override {
        const std::size_t n = this->begin_forward(prediction, target, true);
        const std::size_t classes = prediction.shape().back();
        const std::size_t rows = n / classes;
        const T inv_rows = T(1) / static_cast<T>(rows);
        double total = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const T* z = prediction.data() + r * classes;
            const T* t = target.data() + r * classes;
            T* dz = this->grad_.data() + r * classes;
            const T m = *std::max_element(z, z + classes);
            T sum_exp = 0;
            T sum_t = 0;
            for (std::size_t k = 0; k < classes; ++k) {
                dz[k] = std::exp(z[k] - m);  // <= 1, and the max term is exactly 1
                sum_exp += dz[k];
                sum_t += t[k];
            }
            const T log_sum = std::log(sum_exp);
            for (std::size_t k = 0; k < classes; ++k) {
                // -log softmax_k = lse - z_k = (m - z_k) + log_sum: two non-negative terms
                total += static_cast<double>(t[k]) * ((m - z[k]) + log_sum);
                // d/dz_k sum_j t_j (lse - z_j) = softmax_k sum_j t_j - t_k
                dz[k] = inv_rows * (dz[k] / sum_exp * sum_t - t[k]);
            }
        }
        return this->end_forward(total / static_cast<double>(rows));
    }
};

// A loss by its name() (also "mse"), e.g. for command lines and model files.
template <class T>
std::unique_ptr<loss<T>> make_loss(const std::string& name) {
    if (name == "mean_squared_error" || name == "mse") return std::make_unique<mean_squared_error<T>>();
    if (name == "binary_crossentropy") return std::make_unique<binary_crossentropy<T>>();
    if (name == "bce_with_logits") return std::make_unique<bce_with_logits<T>>();
    if (name == "categorical_crossentropy") return std::make_unique<categorical_crossentropy<T>>();
    if (name == "softmax_cross_entropy") return std::make_unique<softmax_cross_entropy<T>>();
    KNIT_CHECK_AS(value_error, false,
                  "loss name: got '" << name << "', expected mean_squared_error (mse), "
                  "binary_crossentropy, bce_with_logits, categorical_crossentropy or softmax_cross_entropy");
    return nullptr;
}

namespace detail {
extern template class loss_base<float>;
extern template class loss_base<double>;
}  // namespace detail
extern template class mean_squared_error<float>;
extern template class mean_squared_error<double>;
extern template class binary_crossentropy<float>;
extern template class binary_crossentropy<double>;
extern template class bce_with_logits<float>;
extern template class bce_with_logits<double>;
extern template class categorical_crossentropy<float>;
extern template class categorical_crossentropy<double>;
extern template class softmax_cross_entropy<float>;
extern template class softmax_cross_entropy<double>;

}  // namespace knit::nn
