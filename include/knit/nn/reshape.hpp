// Layers that only move values: flatten and zero_pad2d (Keras Flatten, ZeroPadding2D;
// PyTorch nn.Flatten, F.pad with zeros).
//
//   flatten:     y[n, k] = x[n, ...] read row-major      dx = dy read back in x's shape
//   zero_pad2d:  y[n, c, t + i, l + j] = x[n, c, i, j],  0 in the border
//                dx[n, c, i, j] = dy[n, c, t + i, l + j] (the border's gradient is dropped)
//
// Shapes: flatten x (N, d1, ..., dk) -> y (N, d1*...*dk); zero_pad2d x (N, C, H, W) ->
// y (N, C, t + H + b, l + W + r). Neither caches anything but the input's batch shape.
//
// Flatten order: knit is channels-first (NCHW), so an image flattens in (C, H, W) order;
// Keras (channels-last) flattens (H, W, C). The number of features, and so every
// parameter count downstream, is the same; only the order of the dense layer's input
// rows differs, which matters when importing Keras weights (permute them) and for
// nothing else.
#pragma once

#include <algorithm>
#include <sstream>
#include <string>

#include "knit/nn/layer.hpp"

namespace knit::nn {

template <class T>
class flatten : public layer<T> {
public:
    std::string kind() const override { return "flatten"; }

    const tensor<T>& forward(const tensor<T>& x, mode) override {
        this->require_built("forward");
        check_batch_shape(x, this->input_shape(), "flatten");
        const std::size_t n = x.shape()[0];
        ensure_shape(y_, {n, features_});
        std::copy(x.data(), x.data() + x.size(), y_.data());
        guard_.on_forward(n);
        return y_;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        guard_.on_backward("flatten", dy, y_);
        ensure_shape(dx_, with_batch(dy.shape()[0], this->input_shape()));
        // dL/dx = dL/dy in x's shape (y is a relabelling of x)
        std::copy(dy.data(), dy.data() + dy.size(), dx_.data());
        return dx_;
    }

protected:
    shape_t do_build(const shape_t& input_shape) override {
        KNIT_CHECK_AS(shape_error, !input_shape.empty() && shape_size(input_shape) > 0,
                      "flatten input shape: got " << batch_shape_to_string(input_shape)
                                                  << ", expected at least one non-empty axis besides the batch");
        features_ = shape_size(input_shape);
        return {features_};
    }

private:
    std::size_t features_ = 0;
    tensor<T> y_, dx_;
    forward_guard guard_;
};

template <class T>
class zero_pad2d : public layer<T> {
public:
    zero_pad2d(std::size_t top, std::size_t bottom, std::size_t left, std::size_t right)
        : top_(top), bottom_(bottom), left_(left), right_(right) {}
    // The same amount on every side.
    explicit zero_pad2d(std::size_t all) : zero_pad2d(all, all, all, all) {}

    std::string kind() const override { return "zero_pad2d"; }
    std::string config() const override {
        std::ostringstream out;
        out << "top=" << top_ << ",bottom=" << bottom_ << ",left=" << left_ << ",right=" << right_;
        return out.str();
    }

    const tensor<T>& forward(const tensor<T>& x, mode) override {
        this->require_built("forward");
        check_batch_shape(x, this->input_shape(), "zero_pad2d");
        const std::size_t n = x.shape()[0];
        ensure_shape(y_, with_batch(n, this->output_shape()));
        std::fill(y_.begin(), y_.end(), T(0));
        const std::size_t planes = n * channels_;
        for (std::size_t p = 0; p < planes; ++p) {
            const T* src = x.data() + p * h_ * w_;
            T* dst = y_.data() + p * out_h_ * out_w_ + top_ * out_w_ + left_;
            for (std::size_t i = 0; i < h_; ++i) std::copy(src + i * w_, src + (i + 1) * w_, dst + i * out_w_);
        }
        guard_.on_forward(n);
        return y_;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        guard_.on_backward("zero_pad2d", dy, y_);
        const std::size_t n = dy.shape()[0];
        ensure_shape(dx_, with_batch(n, this->input_shape()));
        const std::size_t planes = n * channels_;
        for (std::size_t p = 0; p < planes; ++p) {
            // dL/dx[i, j] = dL/dy[top + i, left + j]  (y there is a copy of x[i, j])
            const T* src = dy.data() + p * out_h_ * out_w_ + top_ * out_w_ + left_;
            T* dst = dx_.data() + p * h_ * w_;
            for (std::size_t i = 0; i < h_; ++i) std::copy(src + i * out_w_, src + i * out_w_ + w_, dst + i * w_);
        }
        return dx_;
    }

protected:
    shape_t do_build(const shape_t& input_shape) override {
        KNIT_CHECK_AS(shape_error, input_shape.size() == 3 && shape_size(input_shape) > 0,
                      "zero_pad2d input shape: got " << batch_shape_to_string(input_shape)
                                                     << ", expected (N, C, H, W) with every extent > 0");
        channels_ = input_shape[0];
        h_ = input_shape[1];
        w_ = input_shape[2];
        out_h_ = top_ + h_ + bottom_;
        out_w_ = left_ + w_ + right_;
        return {channels_, out_h_, out_w_};
    }

private:
    std::size_t top_, bottom_, left_, right_;
    std::size_t channels_ = 0, h_ = 0, w_ = 0, out_h_ = 0, out_w_ = 0;
    tensor<T> y_, dx_;
    forward_guard guard_;
};

extern template class flatten<float>;
extern template class flatten<double>;
extern template class zero_pad2d<float>;
extern template class zero_pad2d<double>;

}  // namespace knit::nn
