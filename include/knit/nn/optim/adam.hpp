// Adam (Kingma & Ba 2015, arXiv:1412.6980, Algorithm 1) with optional AMSGrad (Reddi,
// Kale & Kumar 2018, "On the convergence of Adam and beyond"). With step number t
// (1-based), moments m and v starting at zero and bias corrections bc1 = 1 - beta1^t,
// bc2 = 1 - beta2^t:
//
//   m = beta1 m + (1 - beta1) g
//   v = beta2 v + (1 - beta2) g^2
//   vmax = max(vmax, v);  use vmax for v below          (AMSGrad only)
//
// The two libraries differ only in where eps enters:
//   PyTorch 1.13 (torch/optim/adam.py, _single_tensor_adam):
//       p = p - (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps)
//   Keras 2.2 (keras/optimizers.py, Adam.get_updates), "eps-hat" of the paper's section 2:
//       p = p - (lr sqrt(bc2) / bc1) m / (sqrt(v) + eps)
// Both are  p = p - step m / (sqrt(v) scale + eps)  with
//   PyTorch: step = lr / bc1,            scale = 1 / sqrt(bc2)
//   Keras:   step = lr sqrt(bc2) / bc1,  scale = 1
// so one loop serves both. Keras' update equals PyTorch's with eps / sqrt(bc2) in place
// of eps: about 32 times larger at t = 1 for beta2 = 0.999, fading to eps as t grows, so
// Keras damps the early steps of small-gradient parameters more. They agree for eps = 0.
// See docs/math/optimizers.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "knit/nn/optim/optimizer.hpp"
#include "knit/nn/optim/option_checks.hpp"

namespace knit::nn {

enum class adam_eps { pytorch, keras };

struct adam_options {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    adam_eps eps_placement = adam_eps::pytorch;
    bool amsgrad = false;

    // Keras 2.2: eps = K.epsilon() = 1e-7, eps added to sqrt(v) after the bias correction
    // has been folded into the step size.
    static adam_options keras() { return {1e-3, 0.9, 0.999, 1e-7, adam_eps::keras, false}; }
    static adam_options torch() { return {}; }
};

template <class T>
class adam : public optimizer<T> {
public:
    explicit adam(adam_options options = {})
        : optimizer<T>(detail::checked_learning_rate("adam", options.lr)), opt_(options) {
        detail::check_option_range("adam", "beta1", opt_.beta1, 0, 1);
        detail::check_option_range("adam", "beta2", opt_.beta2, 0, 1);
        detail::check_option_range("adam", "eps", opt_.eps, 0, std::numeric_limits<double>::infinity());
    }

    std::string name() const override { return "adam"; }
    adam_options options() const {
        adam_options o = opt_;
        o.lr = this->learning_rate();
        return o;
    }

protected:
    void allocate_state(std::size_t n) override {
        m_.assign(n, T(0));
        v_.assign(n, T(0));
        vmax_.assign(opt_.amsgrad ? n : 0, T(0));
    }

    void update(T* values, const T* grads, std::size_t n, std::size_t t) override {
        // Scalars in double: beta^t for large t and the step size lose nothing there.
        const double bc1 = 1 - std::pow(opt_.beta1, static_cast<double>(t));
        const double bc2 = 1 - std::pow(opt_.beta2, static_cast<double>(t));
        const double lr = this->learning_rate();
        const bool keras = opt_.eps_placement == adam_eps::keras;
        const T step = static_cast<T>(keras ? lr * std::sqrt(bc2) / bc1 : lr / bc1);
        const T scale = static_cast<T>(keras ? 1.0 : 1 / std::sqrt(bc2));
        const T b1 = static_cast<T>(opt_.beta1), one_minus_b1 = static_cast<T>(1 - opt_.beta1);
        const T b2 = static_cast<T>(opt_.beta2), one_minus_b2 = static_cast<T>(1 - opt_.beta2);
        const T eps = static_cast<T>(opt_.eps);
        T* m = m_.data();
        T* v = v_.data();
        if (!opt_.amsgrad) {
            // m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p = p - step m / (sqrt(v) scale + eps)
            //                          [torch.optim.Adam 1.13 / keras.optimizers.Adam 2.2, see above]
            for (std::size_t i = 0; i < n; ++i) {
                const T g = grads[i];
                m[i] = b1 * m[i] + one_minus_b1 * g;
                v[i] = b2 * v[i] + one_minus_b2 * g * g;
                values[i] -= step * m[i] / (std::sqrt(v[i]) * scale + eps);
            }
        } else {
            T* vmax = vmax_.data();
            // as above with vmax = max(vmax, v) in place of v   [AMSGrad, torch.optim.Adam(amsgrad=True)]
            for (std::size_t i = 0; i < n; ++i) {
                const T g = grads[i];
                m[i] = b1 * m[i] + one_minus_b1 * g;
                v[i] = b2 * v[i] + one_minus_b2 * g * g;
                vmax[i] = std::max(vmax[i], v[i]);
                values[i] -= step * m[i] / (std::sqrt(vmax[i]) * scale + eps);
            }
        }
    }

private:
    adam_options opt_;
    std::vector<T> m_, v_, vmax_;
};

extern template class adam<float>;
extern template class adam<double>;

}  // namespace knit::nn
