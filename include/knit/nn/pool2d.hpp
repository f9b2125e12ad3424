// 2-D max and average pooling (Keras MaxPooling2D / AveragePooling2D, PyTorch
// F.max_pool2d / F.avg_pool2d), per channel.
//
//   max:  y[n,c,oy,ox] = max over the window W(oy,ox) of x[n,c,·,·]
//         dx[n,c,p,q] += dy[n,c,oy,ox]  for the window's FIRST maximum (row-major scan),
//         0 elsewhere: the max is piecewise the identity of its argmax, so its derivative
//         is 1 there and 0 for the other inputs (ties: PyTorch also routes to the first).
//   avg:  y[n,c,oy,ox] = (1/D) * sum over W(oy,ox) of x[n,c,·,·]
//         dx[n,c,p,q] += dy[n,c,oy,ox] / D  for every window containing (p, q)
//         D = kh*kw when padding counts (count_include_pad, PyTorch's default), else the
//         number of window positions inside the input (Keras/TF "same").
//
// The window of output (oy, ox) covers input rows oy*sh - pt .. oy*sh - pt + kh - 1 and
// columns likewise (detail/window2d.hpp); positions in the padding are never the max (as
// if padded with -inf). Every window must reach at least one input position.
// Shapes: x (N, C, H, W), y (N, C, Ho, Wo). Cached by forward: max keeps the argmax of
// every output (N*C*Ho*Wo indices into x); avg keeps nothing but the batch size.
// Defaults as in both libraries: stride = kernel, padding valid. Derivation: docs/math/pool2d.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "knit/nn/detail/window2d.hpp"
#include "knit/nn/layer.hpp"

namespace knit::nn {

// Everything but the kernel size, which the constructors take first.
struct pool2d_options {
    extent2d stride{0, 0};  // 0 means "equal to the kernel", the default of Keras and PyTorch
    padding2d padding = padding2d::valid();
    bool count_include_pad = true;  // avg_pool2d only; Keras' "same" averages exclude padding
};

namespace detail {

// The (1x2) max-pool's loops over `count` pairs of one row:
//   forward:  y[k] = x[2k+1] > x[2k] ? x[2k+1] : x[2k], second[k] = x[2k+1] > x[2k]
//             (strictly greater: the first maximum wins, as in the general path)
//   backward: dx[2k] = second[k] ? 0 : dy[k], dx[2k+1] = second[k] ? dy[k] : 0
//             (dL/dx = dL/dy at the pair's max, 0 at the other input)
// max_pairs_forward/backward are vectorised (src/nn/pool2d_kernels.cpp: Highway at every
// SIMD level, AVX-512 included); the _reference loops below are what they are tested
// against, bit for bit (both only select).
template <class T>
void max_pairs_forward(const T* x, T* y, unsigned char* second, std::size_t count);
template <class T>
void max_pairs_backward(const T* dy, const unsigned char* second, T* dx, std::size_t count);

template <class T>
void max_pairs_forward_reference(const T* x, T* y, unsigned char* second, std::size_t count) {
    for (std::size_t k = 0; k < count; ++k) {
        const T a = x[2 * k], b = x[2 * k + 1];
        const bool right = b > a;
        y[k] = right ? b : a;
        second[k] = right;
    }
}

template <class T>
void max_pairs_backward_reference(const T* dy, const unsigned char* second, T* dx, std::size_t count) {
    for (std::size_t k = 0; k < count; ++k) {
        const bool right = second[k] != 0;
        dx[2 * k] = right ? T(0) : dy[k];
        dx[2 * k + 1] = right ? dy[k] : T(0);
    }
}

// What max_pool2d and avg_pool2d share: options, geometry, build and config.
template <class T>
class pool2d_base : public layer<T> {
public:
    pool2d_base(extent2d kernel, pool2d_options options) : kernel_(kernel), opt_(options) {
        if (opt_.stride.h == 0) opt_.stride.h = kernel_.h;
        if (opt_.stride.w == 0) opt_.stride.w = kernel_.w;
        KNIT_CHECK_AS(value_error, kernel_.h > 0 && kernel_.w > 0,
                      "pooling kernel: got " << kernel_.h << "x" << kernel_.w
                                             << ", expected both > 0");
    }
    std::string config() const override {
        std::ostringstream out;
        out << "kernel=" << kernel_.h << "x" << kernel_.w << ",stride=" << opt_.stride.h
            << "x" << opt_.stride.w << ",padding=" << opt_.padding.name();
        return out.str();
    }
    extent2d kernel_size() const { return kernel_; }
    const pool2d_options& options() const { return opt_; }
    const window_geometry& geometry() const { return geo_; }

protected:
    shape_t do_build(const shape_t& input_shape) override {
        const std::string what = this->kind();
        geo_ = make_window_geometry(what.c_str(), input_shape, kernel_, opt_.stride, {1, 1},
                                    opt_.padding);
        // Windows start at o*s - pad and move monotonically, so it is enough that the
        // first one ends inside the input and the last one starts inside it.
        auto reaches = [&](const char* axis, std::size_t k, std::size_t s, std::size_t pad,
                           std::size_t in, std::size_t out) {
            KNIT_CHECK_AS(shape_error, pad < k && (out - 1) * s < in + pad,
                          what << " " << axis << ": got padding " << pad << " with kernel " << k
                               << ", expected every window to cover at least one input position");
        };
        reaches("height (top)", geo_.kh, geo_.sh, geo_.pad_top, geo_.in_h, geo_.out_h);
        reaches("width (left)", geo_.kw, geo_.sw, geo_.pad_left, geo_.in_w, geo_.out_w);
        return {geo_.channels, geo_.out_h, geo_.out_w};
    }

    // The input rows [r0, r1) and columns [c0, c1) of the window of output (oy, ox).
    void window(std::size_t oy, std::size_t ox, std::size_t& r0, std::size_t& r1, std::size_t& c0,
                std::size_t& c1) const {
        const std::size_t py = oy * geo_.sh, px = ox * geo_.sw;  // padded coordinates
        r0 = py > geo_.pad_top ? py - geo_.pad_top : 0;
        r1 = std::min(geo_.in_h, py + geo_.kh > geo_.pad_top ? py + geo_.kh - geo_.pad_top : 0);
        c0 = px > geo_.pad_left ? px - geo_.pad_left : 0;
        c1 = std::min(geo_.in_w, px + geo_.kw > geo_.pad_left ? px + geo_.kw - geo_.pad_left : 0);
    }

    extent2d kernel_;
    pool2d_options opt_;
    window_geometry geo_;
};

}  // namespace detail

template <class T>
class max_pool2d : public detail::pool2d_base<T> {
public:
    explicit max_pool2d(extent2d kernel, pool2d_options options = {})
        : detail::pool2d_base<T>(kernel, options) {}
    std::string kind() const override { return "max_pool2d"; }

    const tensor<T>& forward(const tensor<T>& x, mode) override {
        this->require_built("forward");
        check_batch_shape(x, this->input_shape(), "max_pool2d");
        const auto& g = this->geo_;
        const std::size_t n = x.shape()[0], planes = n * g.channels;
        ensure_shape(y_, {n, g.channels, g.out_h, g.out_w});
        in_shape_ = to_shape(x.shape());
        guard_.on_forward(n);
        pairs_ = is_pair_window();
        if (pairs_) {
            forward_pairs(x.data(), planes * g.in_h);
            return y_;
        }
        argmax_.resize(planes * g.out_plane());
        for (std::size_t p = 0; p < planes; ++p) {
            const T* xp = x.data() + p * g.in_plane();
            T* yp = y_.data() + p * g.out_plane();
            std::size_t* ap = argmax_.data() + p * g.out_plane();
            for (std::size_t oy = 0; oy < g.out_h; ++oy) {
                for (std::size_t ox = 0; ox < g.out_w; ++ox) {
                    std::size_t r0, r1, c0, c1;
                    this->window(oy, ox, r0, r1, c0, c1);
                    std::size_t best = r0 * g.in_w + c0;
                    T best_value = xp[best];
                    for (std::size_t r = r0; r < r1; ++r) {
                        for (std::size_t c = c0; c < c1; ++c) {
                            // strictly greater: the first maximum wins. Selects, not a
                            // branch: which input wins is data-dependent and unpredictable.
                            const std::size_t at = r * g.in_w + c;
                            const T v = xp[at];
                            const bool greater = v > best_value;
                            best = greater ? at : best;
                            best_value = greater ? v : best_value;
                        }
                    }
                    yp[oy * g.out_w + ox] = best_value;
                    ap[oy * g.out_w + ox] = p * g.in_plane() + best;
                }
            }
        }
        return y_;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        guard_.on_backward("max_pool2d", dy, y_);
        ensure_shape(dx_, in_shape_);
        if (pairs_) {
            backward_pairs(dy.data(), in_shape_[0] * this->geo_.channels * this->geo_.in_h);
            return dx_;
        }
        std::fill(dx_.begin(), dx_.end(), T(0));
        // dL/dx[argmax] += dL/dy  (y = x[argmax]; the other inputs do not move y)
        for (std::size_t k = 0; k < argmax_.size(); ++k) dx_.data()[argmax_[k]] += dy.data()[k];
        return dx_;
    }

private:
    // The paper's (1x2) window with stride (1, 2) and no padding: each output is the max
    // of two neighbours in one row, so forward keeps one "second one won" flag per output
    // instead of an index, and backward writes dx directly (no zero fill, no scatter).
    bool is_pair_window() const {
        const auto& g = this->geo_;
        return g.kh == 1 && g.kw == 2 && g.sh == 1 && g.sw == 2 && g.pad_top == 0 &&
               g.pad_left == 0 && g.pad_bottom == 0 && g.pad_right == 0;
    }

    void forward_pairs(const T* x, std::size_t rows) {
        const auto& g = this->geo_;
        std::size_t out_w = g.out_w, in_w = g.in_w;  // out_w = floor(W / 2)
        if (in_w == 2 * out_w) {  // even width: all rows are one long row (longer loops)
            out_w *= rows;
            in_w *= rows;
            rows = 1;
        }
        second_.resize(rows * out_w);
        for (std::size_t r = 0; r < rows; ++r)
            detail::max_pairs_forward(x + r * in_w, y_.data() + r * out_w, second_.data() + r * out_w, out_w);
    }

    void backward_pairs(const T* dy, std::size_t rows) {
        const auto& g = this->geo_;
        std::size_t out_w = g.out_w, in_w = g.in_w;
        if (in_w == 2 * out_w) {  // as in forward_pairs
            out_w *= rows;
            in_w *= rows;
            rows = 1;
        }
        for (std::size_t r = 0; r < rows; ++r) {
            T* dxr = dx_.data() + r * in_w;
            detail::max_pairs_backward(dy + r * out_w, second_.data() + r * out_w, dxr, out_w);
            if (in_w > 2 * out_w) dxr[in_w - 1] = T(0);  // the odd column no window reads
        }
    }

    tensor<T> y_, dx_;
    bool pairs_ = false;
    std::vector<unsigned char> second_;  // pair windows: 1 where the right input is the max
    std::vector<std::size_t> argmax_;  // flat index into x of each output's maximum
    shape_t in_shape_;
    forward_guard guard_;
};

template <class T>
class avg_pool2d : public detail::pool2d_base<T> {
public:
    explicit avg_pool2d(extent2d kernel, pool2d_options options = {})
        : detail::pool2d_base<T>(kernel, options) {}
    std::string kind() const override { return "avg_pool2d"; }
    std::string config() const override {
        return detail::pool2d_base<T>::config() +
               ",count_include_pad=" + (this->opt_.count_include_pad ? "1" : "0");
    }

    const tensor<T>& forward(const tensor<T>& x, mode) override {
        this->require_built("forward");
        check_batch_shape(x, this->input_shape(), "avg_pool2d");
        const auto& g = this->geo_;
        const std::size_t n = x.shape()[0], planes = n * g.channels;
        ensure_shape(y_, {n, g.channels, g.out_h, g.out_w});
        for (std::size_t p = 0; p < planes; ++p) {
            const T* xp = x.data() + p * g.in_plane();
            T* yp = y_.data() + p * g.out_plane();
            for (std::size_t oy = 0; oy < g.out_h; ++oy) {
                for (std::size_t ox = 0; ox < g.out_w; ++ox) {
                    std::size_t r0, r1, c0, c1;
                    this->window(oy, ox, r0, r1, c0, c1);
                    T sum = 0;
                    for (std::size_t r = r0; r < r1; ++r)
                        for (std::size_t c = c0; c < c1; ++c) sum += xp[r * g.in_w + c];
                    yp[oy * g.out_w + ox] = sum / divisor(r0, r1, c0, c1);
                }
            }
        }
        in_shape_ = to_shape(x.shape());
        guard_.on_forward(n);
        return y_;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        guard_.on_backward("avg_pool2d", dy, y_);
        const auto& g = this->geo_;
        ensure_shape(dx_, in_shape_);
        std::fill(dx_.begin(), dx_.end(), T(0));
        const std::size_t planes = in_shape_[0] * g.channels;
        for (std::size_t p = 0; p < planes; ++p) {
            T* dxp = dx_.data() + p * g.in_plane();
            const T* dyp = dy.data() + p * g.out_plane();
            for (std::size_t oy = 0; oy < g.out_h; ++oy) {
                for (std::size_t ox = 0; ox < g.out_w; ++ox) {
                    std::size_t r0, r1, c0, c1;
                    this->window(oy, ox, r0, r1, c0, c1);
                    // dL/dx[r,c] += dL/dy / D  for each (r, c) in the window (y = sum / D)
                    const T share = dyp[oy * g.out_w + ox] / divisor(r0, r1, c0, c1);
                    for (std::size_t r = r0; r < r1; ++r)
                        for (std::size_t c = c0; c < c1; ++c) dxp[r * g.in_w + c] += share;
                }
            }
        }
        return dx_;
    }

private:
    T divisor(std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1) const {
        if (this->opt_.count_include_pad) return T(this->geo_.kh * this->geo_.kw);
        return T((r1 - r0) * (c1 - c0));
    }

    tensor<T> y_, dx_;
    shape_t in_shape_;
    forward_guard guard_;
};

extern template class max_pool2d<float>;
extern template class max_pool2d<double>;
extern template class avg_pool2d<float>;
extern template class avg_pool2d<double>;

}  // namespace knit::nn
