// RMSprop (Tieleman & Hinton 2012, lecture 6e), optionally centered (Graves 2013,
// "Generating sequences with recurrent neural networks", arXiv:1308.0850) and with
// momentum, following PyTorch 1.13's torch.optim.RMSprop (torch/optim/rmsprop.py, _single_tensor_rmsprop). With decay rho
// (PyTorch's alpha), running averages a (of g^2) and gbar (of g), momentum buffer b, all
// starting at zero:
//
//   a    = rho a + (1 - rho) g^2
//   gbar = rho gbar + (1 - rho) g                       (centered only)
//   d    = sqrt(a - gbar^2) + eps  (centered)  or  sqrt(a) + eps
//   b    = mu b + g / d,   p = p - lr b                 (momentum mu > 0)
//   p    = p - lr g / d                                 (otherwise)
//
// eps sits outside the square root in both PyTorch and Keras 2.2
// (keras/optimizers.py: p - lr g / (sqrt(a) + eps)); Keras 2.2 has no momentum and no
// centering, so those two options are PyTorch's. TensorFlow's fused ApplyRMSProp kernel
// puts eps inside the root instead; see docs/math/optimizers.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "knit/nn/activations.hpp"  // detail::denormals_as_zero
#include "knit/nn/optim/optimizer.hpp"
#include "knit/nn/optim/option_checks.hpp"

namespace knit::nn {

// The member defaults are Keras 2.2's (lr 1e-3, rho 0.9, eps 1e-7 = K.epsilon()).
struct rmsprop_options {
    double lr = 1e-3;
    double rho = 0.9;  // PyTorch's alpha
    double eps = 1e-7;
    double momentum = 0;
    bool centered = false;

    static rmsprop_options keras() { return {1e-3, 0.9, 1e-7, 0, false}; }
    static rmsprop_options torch() { return {1e-2, 0.99, 1e-8, 0, false}; }
};

template <class T>
class rmsprop : public optimizer<T> {
public:
    explicit rmsprop(rmsprop_options options = {})
        : optimizer<T>(detail::checked_learning_rate("rmsprop", options.lr)), opt_(options) {
        const double inf = std::numeric_limits<double>::infinity();
        detail::check_option_range("rmsprop", "rho", opt_.rho, 0, 1);
        detail::check_option_range("rmsprop", "eps", opt_.eps, 0, inf);
        detail::check_option_range("rmsprop", "momentum", opt_.momentum, 0, inf);
    }

    std::string name() const override { return "rmsprop"; }
    rmsprop_options options() const {
        rmsprop_options o = opt_;
        o.lr = this->learning_rate();
        return o;
    }

protected:
    void allocate_state(std::size_t n) override {
        square_avg_.assign(n, T(0));
        grad_avg_.assign(opt_.centered ? n : 0, T(0));
        buffer_.assign(opt_.momentum > 0 ? n : 0, T(0));
    }

    void update(T* values, const T* grads, std::size_t n, std::size_t) override {
        const T lr = static_cast<T>(this->learning_rate());
        const T rho = static_cast<T>(opt_.rho);
        const T one_minus_rho = static_cast<T>(1 - opt_.rho);
        const T eps = static_cast<T>(opt_.eps);
        const T mu = static_cast<T>(opt_.momentum);
        const detail::denormals_as_zero no_denormals;  // activations.hpp: running averages decay into them
        T* a = square_avg_.data();
        T* gbar = grad_avg_.data();
        T* b = buffer_.data();
        // One loop per (centered, momentum) pair keeps the element loop free of branches.
        // The centered variance a - gbar^2 is >= 0 in exact arithmetic; max(., 0) only
        // keeps a rounding error from reaching sqrt.
        if (!opt_.centered && opt_.momentum == 0) {
            // a = rho a + (1-rho) g^2;  p = p - lr g / (sqrt(a) + eps)     [torch.optim.RMSprop; Keras 2.2]
            for (std::size_t i = 0; i < n; ++i) {
                const T g = grads[i];
                a[i] = rho * a[i] + one_minus_rho * g * g;
                values[i] -= lr * g / (std::sqrt(a[i]) + eps);
            }
        } else if (!opt_.centered) {
            // a = rho a + (1-rho) g^2;  b = mu b + g / (sqrt(a) + eps);  p = p - lr b   [torch.optim.RMSprop]
            for (std::size_t i = 0; i < n; ++i) {
                const T g = grads[i];
                a[i] = rho * a[i] + one_minus_rho * g * g;
                b[i] = mu * b[i] + g / (std::sqrt(a[i]) + eps);
                values[i] -= lr * b[i];
            }
        } else if (opt_.momentum == 0) {
            // a = rho a + (1-rho) g^2;  gbar = rho gbar + (1-rho) g;
            // p = p - lr g / (sqrt(a - gbar^2) + eps)                      [torch.optim.RMSprop, centered]
            for (std::size_t i = 0; i < n; ++i) {
                const T g = grads[i];
                a[i] = rho * a[i] + one_minus_rho * g * g;
                gbar[i] = rho * gbar[i] + one_minus_rho * g;
                values[i] -= lr * g / (std::sqrt(std::max(a[i] - gbar[i] * gbar[i], T(0))) + eps);
            }
        } else {
            // a = rho a + (1-rho) g^2;  gbar = rho gbar + (1-rho) g;
            // b = mu b + g / (sqrt(a - gbar^2) + eps);  p = p - lr b      [torch.optim.RMSprop, centered]
            for (std::size_t i = 0; i < n; ++i) {
                const T g = grads[i];
                a[i] = rho * a[i] + one_minus_rho * g * g;
                gbar[i] = rho * gbar[i] + one_minus_rho * g;
                b[i] = mu * b[i] + g / (std::sqrt(std::max(a[i] - gbar[i] * gbar[i], T(0))) + eps);
                values[i] -= lr * b[i];
            }
        }
    }

    std::vector<std::vector<T>*> state_buffers() override { return {&square_avg_, &grad_avg_, &buffer_}; }

private:
    rmsprop_options opt_;
    std::vector<T> square_avg_, grad_avg_, buffer_;
};

extern template class rmsprop<float>;
extern template class rmsprop<double>;

}  // namespace knit::nn
