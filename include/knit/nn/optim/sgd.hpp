// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay,
// following PyTorch 1.13's torch.optim.SGD (torch/optim/sgd.py, _single_tensor_sgd).
// With step number t (1-based), learning rate lr, momentum mu, dampening d, weight
// decay wd and momentum buffer b:
//
//   g = grad + wd p
//   b = g                       at t = 1 (no dampening on the first step, as PyTorch)
//   b = mu b + (1 - d) g        at t > 1
//   p = p - lr (g + mu b)       Nesterov
//   p = p - lr b                otherwise (p - lr g when mu = 0: no state is kept)
//
// Keras 2.2's SGD keeps v = mu v - lr g and p += v (Nesterov: p += mu v - lr g), which is
// the same sequence of parameters while lr is constant (v = -lr b); it has no dampening
// and no weight decay. See docs/math/optimizers.md.
#pragma once

#include <limits>
#include <vector>

#include "knit/nn/activations.hpp"  // detail::denormals_as_zero
#include "knit/nn/optim/optimizer.hpp"
#include "knit/nn/optim/option_checks.hpp"

namespace knit::nn {

struct sgd_options {
    double lr = 0.01;
    double momentum = 0;
    bool nesterov = false;
    double weight_decay = 0;
    double dampening = 0;
};

template <class T>
class sgd : public optimizer<T> {
public:
    explicit sgd(sgd_options options = {})
        : optimizer<T>(detail::checked_learning_rate("sgd", options.lr)), opt_(options) {
        const double inf = std::numeric_limits<double>::infinity();
        detail::check_option_range("sgd", "momentum", opt_.momentum, 0, inf);
        detail::check_option_range("sgd", "weight_decay", opt_.weight_decay, 0, inf);
        detail::check_option_range("sgd", "dampening", opt_.dampening, 0, 1, true);
        KNIT_CHECK_AS(value_error, !opt_.nesterov || (opt_.momentum > 0 && opt_.dampening == 0),
                      "sgd nesterov: got momentum " << opt_.momentum << " and dampening " << opt_.dampening
                                                    << ", expected momentum > 0 and dampening 0");
    }

    std::string name() const override { return "sgd"; }
    sgd_options options() const {
        sgd_options o = opt_;
        o.lr = this->learning_rate();
        return o;
    }

protected:
    void allocate_state(std::size_t n) override { buffer_.assign(opt_.momentum > 0 ? n : 0, T(0)); }

    void update(T* values, const T* grads, std::size_t n, std::size_t t) override {
        const T lr = static_cast<T>(this->learning_rate());
        const T wd = static_cast<T>(opt_.weight_decay);
        if (opt_.momentum == 0) {
            // p = p - lr (grad + wd p)                      [torch.optim.SGD, momentum 0]
            for (std::size_t i = 0; i < n; ++i) values[i] -= lr * (grads[i] + wd * values[i]);
            return;
        }
        const detail::denormals_as_zero no_denormals;  // activations.hpp: the momentum buffer decays into them
        const T mu = static_cast<T>(opt_.momentum);
        // The first step sets b = g (the buffer is zero, so keep = 0 and add = 1 do that).
        const T keep = t == 1 ? T(0) : mu;
        const T add = t == 1 ? T(1) : static_cast<T>(1 - opt_.dampening);
        // Nesterov steps along g + mu b, plain momentum along b.
        const T along_g = opt_.nesterov ? T(1) : T(0);
        const T along_b = opt_.nesterov ? mu : T(1);
        T* b = buffer_.data();
        // g = grad + wd p;  b = keep b + add g;  p = p - lr (along_g g + along_b b)
        //                                                [torch.optim.SGD, PyTorch 1.13]
        for (std::size_t i = 0; i < n; ++i) {
            const T g = grads[i] + wd * values[i];
            b[i] = keep * b[i] + add * g;
            values[i] -= lr * (along_g * g + along_b * b[i]);
        }
    }

    std::vector<std::vector<T>*> state_buffers() override { return {&buffer_}; }

private:
    sgd_options opt_;
    std::vector<T> buffer_;
};

extern template class sgd<float>;
extern template class sgd<double>;

}  // namespace knit::nn
