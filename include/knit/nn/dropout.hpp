// Inverted dropout (Srivastava et al. 2014, scaled at training time as Keras and PyTorch do).
//
//   training:  m_i ~ Bernoulli(1 - p) / (1 - p),  y = x * m      dL/dx = dL/dy * m
//   inference: y = x                                              dL/dx = dL/dy
//
// Shapes: any; the mask has x's shape and is the only cache. The mask is drawn from the
// layer's own seeded engine, so the same seed gives the same masks in the same order.
// freeze_mask(true) reuses the last mask on later forwards (for gradient checks).
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "knit/nn/layer.hpp"

namespace knit::nn {

template <class T>
class dropout : public layer<T> {
public:
    explicit dropout(double rate, std::uint64_t seed = 0) : rate_(rate), engine_(seed) {
        KNIT_CHECK_AS(value_error, rate >= 0 && rate < 1,
                      "dropout rate: got " << rate << ", expected 0 <= rate < 1");
    }

    std::string kind() const override { return "dropout"; }
    std::string config() const override {
        std::ostringstream out;
        out << "rate=" << rate_;
        return out.str();
    }
    double rate() const { return rate_; }
    void reseed(std::uint64_t seed) { engine_ = rng(seed); }
    void freeze_mask(bool frozen) { frozen_ = frozen; }
    void collect_engines(std::vector<rng*>& out) override {
        out.push_back(&engine_);
        layer<T>::collect_engines(out);
    }

    const tensor<T>& forward(const tensor<T>& x, mode m) override {
        this->require_built("forward");
        check_batch_shape(x, this->input_shape(), "dropout");
        training_ = (m == mode::train) && rate_ > 0;
        ensure_shape(y_, to_shape(x.shape()));
        if (!training_) {
            std::copy(x.begin(), x.end(), y_.begin());
        } else {
            const bool redraw = !(frozen_ && mask_.shape() == x.shape());
            if (redraw) {
                ensure_shape(mask_, to_shape(x.shape()));
                const T keep_scale = T(1) / T(1 - rate_);
                for (auto& v : mask_) v = engine_.uniform() >= rate_ ? keep_scale : T(0);
            }
            for (std::size_t i = 0; i < x.size(); ++i) y_.data()[i] = x.data()[i] * mask_.data()[i];
        }
        guard_.on_forward(x.shape()[0]);
        return y_;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        guard_.on_backward("dropout", dy, y_);
        ensure_shape(dx_, to_shape(dy.shape()));
        for (std::size_t i = 0; i < dy.size(); ++i)  // dy/dx = m in training, 1 at inference
            dx_.data()[i] = training_ ? dy.data()[i] * mask_.data()[i] : dy.data()[i];
        return dx_;
    }

protected:
    shape_t do_build(const shape_t& input_shape) override { return input_shape; }

private:
    double rate_;
    rng engine_;
    bool frozen_ = false;
    bool training_ = false;
    tensor<T> mask_, y_, dx_;
    forward_guard guard_;
};

extern template class dropout<float>;
extern template class dropout<double>;

}  // namespace knit::nn
