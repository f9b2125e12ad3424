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
//
// Denormals: m and v are set to 0 once they fall below the smallest normal number
// (numeric_limits<T>::min(), 1.2e-38 in float). A parameter whose gradient stays 0 (a
// dead ReLU unit's weights) has m and v decaying by beta1 and beta2 every step, into the
// denormal range, where they stick: 0.9 times the smallest denormal rounds back to
// itself. Arithmetic on denormals takes a microcode assist on x86, ~35x slower per
// element, and the AE-NN
// benchmark's dead units reach that state within a few hundred steps. The effect on p
// is below lr * 1.2e-38 / eps ~ 1e-33, beneath float's resolution of any p above 1e-26.
// The element loop below is the reference; without AMSGrad, float and double run the same
// update in a vectorised kernel (src/nn/adam_kernels.cpp, detail::adam_update_simd).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "knit/nn/activations.hpp"  // detail::flush_denormal (see "Denormals" above)
#include "knit/nn/optim/optimizer.hpp"
#include "knit/nn/optim/option_checks.hpp"

namespace knit::nn {

enum class adam_eps { pytorch, keras };

namespace detail {

// The per-step scalars of Adam's update  p = p - step m / (sqrt(v) scale + eps).
template <class T>
struct adam_coefficients {
    T b1, one_minus_b1, b2, one_minus_b2, step, scale, eps;
};

// One Adam update over n parameters: the reference loop (vmax is null without AMSGrad).
template <class T>
void adam_update(T* values, const T* grads, T* m, T* v, T* vmax, std::size_t n, const adam_coefficients<T>& c) {
    for (std::size_t i = 0; i < n; ++i) {
        const T g = grads[i];
        m[i] = flush_denormal(c.b1 * m[i] + c.one_minus_b1 * g);      // m = b1 m + (1-b1) g
        v[i] = flush_denormal(c.b2 * v[i] + c.one_minus_b2 * g * g);  // v = b2 v + (1-b2) g^2
        T denom = v[i];
        if (vmax != nullptr) denom = vmax[i] = std::max(vmax[i], v[i]);  // AMSGrad: vmax = max(vmax, v)
        values[i] -= c.step * m[i] / (std::sqrt(denom) * c.scale + c.eps);  // p = p - step m / (sqrt(v) scale + eps)
    }
}

// The same update without AMSGrad, vectorised (src/nn/adam_kernels.cpp): Highway at every
// SIMD level, AVX-512 included. It may fuse multiply-adds, so it follows the reference within rounding, not bit for bit.
void adam_update_simd(float* values, const float* grads, float* m, float* v, std::size_t n,
                      const adam_coefficients<float>& c);
void adam_update_simd(double* values, const double* grads, double* m, double* v, std::size_t n,
                      const adam_coefficients<double>& c);

}  // namespace detail

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
        // p = p - step m / (sqrt(v) scale + eps)
        //     [torch.optim.Adam 1.13 / keras.optimizers.Adam 2.2, see above]
        const detail::adam_coefficients<T> c{
            static_cast<T>(opt_.beta1),         static_cast<T>(1 - opt_.beta1),
            static_cast<T>(opt_.beta2),         static_cast<T>(1 - opt_.beta2),
            static_cast<T>(keras ? lr * std::sqrt(bc2) / bc1 : lr / bc1),
            static_cast<T>(keras ? 1.0 : 1 / std::sqrt(bc2)), static_cast<T>(opt_.eps)};
        const detail::denormals_as_zero no_denormals;  // besides the flush above: g may be denormal
        if (!opt_.amsgrad) return detail::adam_update_simd(values, grads, m_.data(), v_.data(), n, c);
        detail::adam_update(values, grads, m_.data(), v_.data(), opt_.amsgrad ? vmax_.data() : nullptr, n, c);
    }

    std::vector<std::vector<T>*> state_buffers() override { return {&m_, &v_, &vmax_}; }

private:
    adam_options opt_;
    std::vector<T> m_, v_, vmax_;
};

extern template class adam<float>;
extern template class adam<double>;

}  // namespace knit::nn
