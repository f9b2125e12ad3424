// Bidirectional wrapper (Schuster & Paliwal 1997; Keras' Bidirectional with
// merge_mode="concat"): one recurrent layer reads the sequence forwards, a second reads
// it reversed, and their outputs are concatenated on the last axis.
//
//   forward:   y_f = F(x),  y_b = B(reverse_t(x))
//              last output:  y = [y_f, y_b]                         (N, 2H)
//              sequences:    y_t = [y_f,t, y_b,T-1-t]               (N, T, 2H)
//              (the backward layer's sequence is flipped back, so y_t pairs both
//               directions' states at the same input position t)
//   backward:  split dy into dy_f and dy_b (flipping dy_b's steps for sequences),
//              dx = F.backward(dy_f) + reverse_t(B.backward(dy_b))
//
// Shapes: x (N, T, F). The wrapped layers must take (T, F) and give either (H) or (T, H),
// both the same. Parameters are the children's, named "forward.<name>" and
// "backward.<name>". The paper lists a bidirectional RNN as future work.
#pragma once

#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "knit/nn/layer.hpp"
#include "knit/nn/lstm.hpp"

namespace knit::nn {

template <class T>
class bidirectional : public layer<T> {
public:
    // Two LSTMs of `units` each, built from the same options.
    explicit bidirectional(std::size_t units, lstm_options options = {})
        : bidirectional(std::make_unique<lstm<T>>(units, options),
                        std::make_unique<lstm<T>>(units, options)) {}
    // Any two unbuilt sequence layers with the same output shape.
    bidirectional(std::unique_ptr<layer<T>> forward_layer, std::unique_ptr<layer<T>> backward_layer)
        : forward_(std::move(forward_layer)), backward_(std::move(backward_layer)) {
        KNIT_CHECK_AS(value_error, forward_ && backward_,
                      "bidirectional: got a null layer, expected two layers");
        KNIT_CHECK_AS(state_error, !forward_->built() && !backward_->built(),
                      "bidirectional: got a built layer, expected unbuilt layers");
        backward_->set_input_kept(true);  // rule 8: it reads reversed_, owned here
    }

    std::string kind() const override { return "bidirectional"; }
    std::string config() const override {
        std::ostringstream out;
        out << "forward=" << forward_->kind() << "(" << forward_->config() << "),backward="
            << backward_->kind() << "(" << backward_->config() << ")";
        return out.str();
    }
    std::vector<const layer<T>*> children() const override { return {forward_.get(), backward_.get()}; }
    // Rule 7: both directions read this layer's input.
    void set_input_grad(bool needed) override {
        layer<T>::set_input_grad(needed);
        forward_->set_input_grad(needed);
        backward_->set_input_grad(needed);
    }
    // Rule 8: the forward direction reads this layer's input, the backward one reversed_.
    void set_input_kept(bool kept) override {
        layer<T>::set_input_kept(kept);
        forward_->set_input_kept(kept);
    }
    layer<T>& forward_layer() { return *forward_; }
    layer<T>& backward_layer() { return *backward_; }

    std::vector<param_spec> params() const override {
        std::vector<param_spec> out;
        for (auto [prefix, child] : {std::pair{"forward.", forward_.get()}, std::pair{"backward.", backward_.get()}}) {
            for (auto spec : child->params()) {
                spec.name = prefix + spec.name;
                out.push_back(std::move(spec));
            }
        }
        return out;
    }
    void bind(const std::vector<param_view<T>>& views) override {
        const std::size_t nf = forward_->params().size();
        KNIT_CHECK_AS(state_error, views.size() == nf + backward_->params().size(),
                      "bidirectional::bind: got " << views.size() << " views, expected "
                                                  << nf + backward_->params().size());
        forward_->bind({views.begin(), views.begin() + nf});
        backward_->bind({views.begin() + nf, views.end()});
    }
    void init_params(rng& g) override {
        forward_->init_params(g);
        backward_->init_params(g);
    }

    const tensor<T>& forward(const tensor<T>& x, mode m) override {
        this->require_built("forward");
        check_batch_shape(x, this->input_shape(), "bidirectional");
        const std::size_t n = x.shape()[0];
        ensure_shape(reversed_, to_shape(x.shape()));
        reverse_steps(x.data(), reversed_.data(), n, steps_, x.shape()[2]);
        const tensor<T>& yf = forward_->forward(x, m);
        const tensor<T>& yb = backward_->forward(reversed_, m);
        ensure_shape(y_, with_batch(n, this->output_shape()));
        const std::size_t h = units_;
        T* y = y_.data();
        if (sequences_) {
            for (std::size_t s = 0; s < n; ++s)
                for (std::size_t t = 0; t < steps_; ++t) {
                    T* row = y + (s * steps_ + t) * 2 * h;
                    const T* f = yf.data() + (s * steps_ + t) * h;
                    const T* b = yb.data() + (s * steps_ + (steps_ - 1 - t)) * h;
                    std::copy(f, f + h, row);
                    std::copy(b, b + h, row + h);
                }
        } else {
            for (std::size_t s = 0; s < n; ++s) {
                std::copy(yf.data() + s * h, yf.data() + (s + 1) * h, y + s * 2 * h);
                std::copy(yb.data() + s * h, yb.data() + (s + 1) * h, y + s * 2 * h + h);
            }
        }
        guard_.on_forward(n);
        return y_;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        guard_.on_backward("bidirectional", dy, y_);
        const std::size_t n = dy.shape()[0], h = units_;
        ensure_shape(dy_forward_, with_batch(n, forward_->output_shape()));
        ensure_shape(dy_backward_, with_batch(n, backward_->output_shape()));
        const T* d = dy.data();
        const std::size_t rows = sequences_ ? n * steps_ : n;
        for (std::size_t r = 0; r < rows; ++r) {
            // y = [y_f, y_b]: each half's gradient is its slice of dy
            std::copy(d + r * 2 * h, d + r * 2 * h + h, dy_forward_.data() + r * h);
            // y_t's second half is y_b at step T-1-t, so its gradient goes back there
            const std::size_t target =
                sequences_ ? (r / steps_) * steps_ + (steps_ - 1 - r % steps_) : r;
            std::copy(d + r * 2 * h + h, d + (r + 1) * 2 * h, dy_backward_.data() + target * h);
        }
        const tensor<T>& dxf = forward_->backward(dy_forward_);
        const tensor<T>& dxb = backward_->backward(dy_backward_);
        if (!this->input_grad()) return this->skipped_input_grad();
        ensure_shape(dx_, to_shape(dxf.shape()));
        // dL/dx = dL/dx via F + reverse_t(dL/d(reversed x) via B)
        const std::size_t f = dxf.shape()[2];
        reverse_steps(dxb.data(), dx_.data(), n, steps_, f);
        for (std::size_t k = 0; k < dx_.size(); ++k) dx_.data()[k] += dxf.data()[k];
        return dx_;
    }

protected:
    shape_t do_build(const shape_t& input_shape) override {
        KNIT_CHECK_AS(shape_error, input_shape.size() == 2,
                      "bidirectional input shape: got " << batch_shape_to_string(input_shape)
                                                        << ", expected (N, T, F)");
        const shape_t of = forward_->build(input_shape);
        const shape_t ob = backward_->build(input_shape);
        KNIT_CHECK_AS(shape_error, of == ob && (of.size() == 1 || (of.size() == 2 && of[0] == input_shape[0])),
                      "bidirectional: got layer outputs " << batch_shape_to_string(of) << " and "
                                                          << batch_shape_to_string(ob)
                                                          << ", expected equal (N, H) or (N, T, H)");
        steps_ = input_shape[0];
        sequences_ = of.size() == 2;
        units_ = of.back();
        shape_t out = of;
        out.back() = 2 * units_;
        return out;
    }

private:
    // out[s, t] = in[s, T-1-t] for rows of `width` values.
    static void reverse_steps(const T* in, T* out, std::size_t n, std::size_t steps, std::size_t width) {
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t t = 0; t < steps; ++t)
                std::copy(in + (s * steps + (steps - 1 - t)) * width,
                          in + (s * steps + (steps - t)) * width, out + (s * steps + t) * width);
    }

    std::unique_ptr<layer<T>> forward_, backward_;
    std::size_t steps_ = 0, units_ = 0;
    bool sequences_ = false;
    tensor<T> reversed_, y_, dy_forward_, dy_backward_, dx_;
    forward_guard guard_;
};

extern template class bidirectional<float>;
extern template class bidirectional<double>;

}  // namespace knit::nn
