// 2-D convolution (cross-correlation, as in PyTorch and Keras) with an optional fused
// activation, so that Keras' Conv2D(filters, (kh, kw), padding="same", activation="relu")
// is one layer.
//
//   forward:   z[n,o,y,x] = b[o] + sum_{c,i,j} W[o,c,i,j] * xp[n, c, y*sh + i*dh, x*sw + j*dw]
//              y = act(z)                 (xp: x zero-padded by top/bottom/left/right)
//   backward:  dz = dy * act'(.)          (activation_backward, from the cached y)
//              dW[o,c,i,j] += sum_{n,y,x} dz[n,o,y,x] * xp[n, c, y*sh + i*dh, x*sw + j*dw]
//              db[o]       += sum_{n,y,x} dz[n,o,y,x]
//              dx[n,c,p,q]  = sum over every (o, i, j, y, x) whose tap lands on (p, q)
//                             of W[o,c,i,j] * dz[n,o,y,x]       (padding taps dropped)
//
// Shapes (legend: N batch, C input channels, O filters, H/W input, Ho/Wo output,
// K = C*kh*kw, P = Ho*Wo): x (N, C, H, W), W (O, C, kh, kw) as PyTorch stores it (Keras
// stores (kh, kw, C, O)), b (O), y (N, O, Ho, Wo).
// Cached by forward: y (N, O, Ho, Wo) and x (N, C, H, W) -- with slack around it on the
// plane path, as its zero-padded grid on the grid path; the im2col path also keeps its
// buffer (K, n*P) for the last chunk.
//
// Fast path at stride 1 with Ho = H, Wo = W (conv_algorithm::gemm; Keras "same", the
// paper's layers): the plane path (forward_plane below, docs/math/conv2d.md). Input and
// output rows have the same length, so each kernel tap is one fixed offset within a
// sample's plane; taps that fall in the padding are cleared by per-vector lane masks.
// Small AVX-512 kernels (src/nn/conv2d_kernels.cpp, portable loops without AVX-512) compute z
// (bias and relu fused), dW and dx straight from NCHW: no padded copy, no arithmetic on
// padding positions, no GEMM packing.
// Fast path at other stride-1 shapes (conv_algorithm::gemm): the shifted grid (see
// forward_grid below): x is copied once into per-channel zero-padded rows in which
// every kernel tap is one fixed offset for the whole batch, and similar kernels compute
// z, dW and dx from them. Buffers are reused while the batch size is steady.
// Rule 7 (layer.hpp): without an input gradient every path skips dx (its correlation,
// GEMM + col2im, or scatter) and backward returns a size-0 tensor.
// Fast path at stride > 1 (conv_algorithm::gemm), over chunks of samples so the buffer
// stays bounded:
//   col = im2col(x chunk)           (K, n*P)
//   Z   = W col                     (O, K) x (K, n*P), one GEMM; then scattered to NCHW
//   dW += dZ col^T,  dcol = W^T dZ, dx = col2im(dcol)      (two GEMMs + the adjoint scatter)
// conv_algorithm::direct is the naive six-loop reference the tests hold equal to it.
// Padding (valid, Keras-style same, or per side), stride and dilation: detail/window2d.hpp.
// Also in detail/: the kernels' arguments and declarations (conv2d_kernels.hpp), the plane
// and grid paths' layouts (conv2d_plane.hpp, conv2d_grid.hpp), the reference (conv2d_direct.hpp).
// Defaults follow Keras: W Glorot-uniform with fan_in = C*kh*kw, fan_out = O*kh*kw, b zeros;
// conv2d_options::torch() gives nn.Conv2d's U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
// Derivation: docs/math/conv2d.md.
#pragma once

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "knit/core/blas.hpp"
#include "knit/nn/activations.hpp"
#include "knit/nn/detail/conv2d_direct.hpp"
#include "knit/nn/detail/conv2d_grid.hpp"
#include "knit/nn/detail/conv2d_kernels.hpp"
#include "knit/nn/detail/conv2d_plane.hpp"
#include "knit/nn/detail/window2d.hpp"
#include "knit/nn/init.hpp"
#include "knit/nn/layer.hpp"

namespace knit::nn {

enum class conv_algorithm { gemm, direct };

struct conv2d_options {
    activation act = activation::linear;
    padding2d padding = padding2d::valid();
    extent2d stride{1, 1};
    extent2d dilation{1, 1};
    bool use_bias = true;
    init kernel_init = init::glorot_uniform();
    init bias_init = init::zeros();
    conv_algorithm algorithm = conv_algorithm::gemm;
    // Upper bound on the im2col buffer (stride > 1 only), in elements; the batch is
    // processed in chunks of whole samples that fit (at least one sample per chunk).
    std::size_t max_col_elements = std::size_t(1) << 22;

    static conv2d_options torch(activation a = activation::linear,
                                padding2d p = padding2d::valid()) {
        conv2d_options o;
        o.act = a;
        o.padding = p;
        o.kernel_init = init::torch_default();
        o.bias_init = init::torch_default();
        return o;
    }
};

template <class T>
class conv2d : public layer<T> {
public:
    conv2d(std::size_t filters, extent2d kernel, activation act = activation::linear,
           padding2d padding = padding2d::valid())
        : conv2d(filters, kernel, make_options(act, padding)) {}
    conv2d(std::size_t filters, extent2d kernel, conv2d_options options)
        : filters_(filters), kernel_(kernel), opt_(options) {
        KNIT_CHECK_AS(value_error, filters > 0, "conv2d filters: got 0, expected > 0");
        KNIT_CHECK_AS(value_error, kernel.h > 0 && kernel.w > 0,
                      "conv2d kernel: got " << kernel.h << "x" << kernel.w << ", expected both > 0");
        KNIT_CHECK_AS(value_error, opt_.max_col_elements > 0,
                      "conv2d max_col_elements: got 0, expected > 0");
    }

    std::string kind() const override { return "conv2d"; }
    std::string config() const override {
        std::ostringstream out;
        out << "filters=" << filters_ << ",kernel=" << kernel_.h << "x" << kernel_.w
            << ",stride=" << opt_.stride.h << "x" << opt_.stride.w << ",dilation="
            << opt_.dilation.h << "x" << opt_.dilation.w << ",padding=" << opt_.padding.name()
            << ",activation=" << to_string(opt_.act) << ",bias=" << (opt_.use_bias ? 1 : 0);
        return out.str();
    }
    std::size_t filters() const { return filters_; }
    extent2d kernel_size() const { return kernel_; }
    activation function() const { return opt_.act; }
    const conv2d_options& options() const { return opt_; }
    const detail::window_geometry& geometry() const { return geo_; }

    std::vector<param_spec> params() const override {
        std::vector<param_spec> p{{"weight", {filters_, geo_.channels, kernel_.h, kernel_.w}}};
        if (opt_.use_bias) p.push_back({"bias", {filters_}});
        return p;
    }
    void bind(const std::vector<param_view<T>>& views) override {
        weight_ = views.at(0);
        if (opt_.use_bias) bias_ = views.at(1);
    }
    void init_params(rng& g) override {
        const std::size_t taps = kernel_.h * kernel_.w;
        const std::size_t fan_in = geo_.channels * taps, fan_out = filters_ * taps;
        initialize(opt_.kernel_init, weight_.value, filters_, geo_.patch(), fan_in, fan_out, g);
        if (opt_.use_bias) initialize(opt_.bias_init, bias_.value, 1, filters_, fan_in, fan_out, g);
    }

    const tensor<T>& forward(const tensor<T>& x, mode) override {
        this->require_built("forward");
        check_batch_shape(x, this->input_shape(), "conv2d");
        const std::size_t n = x.shape()[0];
        in_shape_ = to_shape(x.shape());
        ensure_shape(y_, {n, filters_, geo_.out_h, geo_.out_w});
        col_valid_ = false;
        if (use_plane()) {
            forward_plane(x, n);  // copies x for the weight gradient
        } else if (use_grid()) {
            forward_grid(x.data(), n);  // caches the input as its grid, not as x_
        } else if (opt_.algorithm == conv_algorithm::gemm) {
            x_ = x;
            forward_gemm(n);  // applies the activation while scattering to NCHW
        } else {
            x_ = x;
            detail::conv2d_direct_forward<T>(geo_, filters_, weight_.value,
                                             opt_.use_bias ? bias_.value : nullptr, x_.data(), n, y_.data());
            // y = act(z), in place
            activation_forward(opt_.act, y_.data(), y_.data(), y_.size(), geo_.out_w);
        }
        guard_.on_forward(n);
        return y_;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        guard_.on_backward("conv2d", dy, y_);
        const std::size_t n = dy.shape()[0];
        // Rule 7: without an input gradient, dx (its correlation, col2im or scatter) is skipped.
        const bool want_dx = this->input_grad();
        if (want_dx) ensure_shape(dx_, in_shape_);
        if (use_plane()) {
            backward_plane(dy.data(), n, want_dx);  // writes every element of dx
        } else if (use_grid()) {
            backward_grid(dy.data(), n, want_dx);  // writes every element of dx
        } else if (opt_.algorithm == conv_algorithm::gemm) {
            if (want_dx) std::fill(dx_.begin(), dx_.end(), T(0));
            backward_gemm(dy.data(), n, want_dx);  // applies act' while gathering dz into the GEMM layout
        } else {
            if (want_dx) std::fill(dx_.begin(), dx_.end(), T(0));
            ensure_shape(dz_, to_shape(y_.shape()));
            // dz = dy * act'(z), written from the cached output y
            activation_backward(opt_.act, y_.data(), dy.data(), dz_.data(), dz_.size(), geo_.out_w);
            detail::conv2d_direct_backward<T>(geo_, filters_, weight_.value, x_.data(), dz_.data(), n,
                                              weight_.grad, opt_.use_bias ? bias_.grad : nullptr,
                                              want_dx ? dx_.data() : nullptr);
        }
        return want_dx ? dx_ : this->skipped_input_grad();
    }

    const param_view<T>& weight() const { return weight_; }
    const param_view<T>& bias() const { return bias_; }

protected:
    shape_t do_build(const shape_t& input_shape) override {
        geo_ = detail::make_window_geometry("conv2d", input_shape, kernel_, opt_.stride,
                                            opt_.dilation, opt_.padding);
        grid_.build(geo_);
        if (use_plane()) plane_.build<T>(geo_);
        return {filters_, geo_.out_h, geo_.out_w};
    }

private:
    static conv2d_options make_options(activation act, padding2d padding) {
        conv2d_options o;
        o.act = act;
        o.padding = padding;
        return o;
    }

    // sum of r[0..n), in 8 interleaved partial sums: without them a strict-FP compiler
    // adds one element per add latency.
    static T row_sum(const T* r, std::size_t n) {
        T lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        std::size_t c = 0;
        for (; c + 8 <= n; c += 8)
            for (std::size_t l = 0; l < 8; ++l) lane[l] += r[c + l];
        T sum = 0;
        for (; c < n; ++c) sum += r[c];
        for (std::size_t l = 0; l < 8; ++l) sum += lane[l];
        return sum;
    }

    // Samples per chunk: as many whole samples as fit in max_col_elements.
    std::size_t chunk_samples(std::size_t n) const {
        const std::size_t per_sample = geo_.patch() * geo_.out_plane();
        return std::max<std::size_t>(1, std::min(n, opt_.max_col_elements / per_sample));
    }


    // ---- plane path (conv_algorithm::gemm, stride 1, output as large as the input) ----
    // Offsets, lane masks and their equations: detail/conv2d_plane.hpp.
    bool use_plane() const {
        return opt_.algorithm == conv_algorithm::gemm && opt_.stride.h == 1 && opt_.stride.w == 1 &&
               geo_.out_h == geo_.in_h && geo_.out_w == geo_.in_w;
    }

    void forward_plane(const tensor<T>& x, std::size_t n) {
        const auto& g = geo_;
        const std::size_t taps = g.kh * g.kw, plane = g.in_plane();
        T* xs = plane_.buffer(xs_, x.size());  // the copy dW reads, with slack
        std::copy(x.data(), x.data() + x.size(), xs);
        const bool relu = opt_.act == activation::relu;
        // y = act(b + W (*) x), relu fused into the kernel's store
        detail::plane_correlate<T>({xs, g.in_sample(), g.channels, plane_.offsets.data(),
                                    plane_.masks.data(), taps, weight_.value, g.channels * taps, taps,
                                    opt_.use_bias ? bias_.value : nullptr, relu, y_.data(),
                                    filters_ * plane, filters_, n, plane});
        if (!relu) activation_forward(opt_.act, y_.data(), y_.data(), y_.size(), g.out_w);
    }

    void backward_plane(const T* dy, std::size_t n, bool want_dx) {
        const auto& g = geo_;
        const std::size_t taps = g.kh * g.kw, plane = g.in_plane();
        const std::size_t size = y_.size();
        T* dz = plane_.buffer(dzs_, size);
        const T* y = y_.data();
        // relu with one input channel (conv1): its output is the largest, so the weight
        // gradient reads y and dy itself instead of a separate dz pass
        const bool fused = opt_.act == activation::relu && g.channels == 1 &&
                           taps <= detail::plane_fused_taps && plane % detail::plane_lanes<T> == 0;
        if (fused) {
            // dz = [y > 0] dy (relu'), dL/db[o] = sum of dz, and
            // dL/dW[o,0,t] += sum_{s,p} dz[s,o,p] * x_t[s,0,p] in one sweep of y and dy;
            // dz is written only when dx needs it
            detail::plane_weight_grad_args<T> a{dy, filters_ * plane, filters_, xs_.data() + plane_.slack,
                                                g.in_sample(), g.channels, plane_.offsets.data(),
                                                plane_.masks.data(), taps, weight_.grad, g.channels * taps,
                                                taps, n, plane};
            a.relu_y = y;
            a.bias_grad = opt_.use_bias ? bias_.grad : nullptr;
            a.dz_out = want_dx ? dz : nullptr;
            detail::plane_weight_grad<T>(a);
        } else if (opt_.act == activation::relu) {
            // dz = dy * relu'(z) = [y > 0] dy, and dL/db[o] = sum of dz over samples and
            // positions, in one pass (AVX-512 in src/nn/conv2d_kernels.cpp)
            detail::relu_backward_rows<T>(y, dy, dz, n, filters_, plane, opt_.use_bias ? bias_.grad : nullptr);
        } else {
            activation_backward(opt_.act, y, dy, dz, size, g.out_w);
            if (opt_.use_bias) {
                // dL/db[o] = sum of dz over samples and positions
                for (std::size_t s = 0; s < n; ++s)
                    for (std::size_t o = 0; o < filters_; ++o)
                        bias_.grad[o] += row_sum(dz + (s * filters_ + o) * plane, plane);
            }
        }
        if (!fused)
            // dL/dW[o,c,t] += sum_{s,p} dz[s,o,p] * x_t[s,c,p]   (z[s,o,p] has that term)
            detail::plane_weight_grad<T>({dz, filters_ * plane, filters_, xs_.data() + plane_.slack,
                                          g.in_sample(), g.channels, plane_.offsets.data(), plane_.masks.data(),
                                          taps, weight_.grad, g.channels * taps, taps, n, plane});
        if (!want_dx) return;
        // dL/dx[s,c,p] = sum_{o,t} W[o,c,t] * dz[s,o,p - off_t]  (x[s,c,p] feeds z[s,o,p - off_t])
        detail::plane_correlate<T>({dz, filters_ * plane, filters_, plane_.back_offsets.data(),
                                    plane_.back_masks.data(), taps, weight_.value, taps, g.channels * taps,
                                    nullptr, false, dx_.data(), g.in_sample(), g.channels, n, plane});
    }

    // ---- shifted-grid path (conv_algorithm::gemm with stride 1) ----
    // The grid layout, its tap offsets and equations: detail/conv2d_grid.hpp.
    bool use_grid() const {
        return opt_.algorithm == conv_algorithm::gemm && opt_.stride.h == 1 && opt_.stride.w == 1;
    }

    void forward_grid(const T* x, std::size_t n) {
        const auto& g = geo_;
        const std::size_t q_pad = grid_.positions(n), xs = q_pad + grid_.slack;
        const std::size_t taps = g.kh * g.kw;
        if (grid_n_ != n) {  // zeros everywhere but the input slots, which are rewritten below
            xg_.assign(g.channels * xs, T(0));
            zg_.resize(filters_ * q_pad);
            grid_n_ = n;
        }
        grid_.scatter_input(g, x, n, xg_.data(), xs);
        // z = W (*) xg at every grid position
        detail::grid_correlate<T>({xg_.data(), xs, g.channels, grid_.offsets.data(), taps, weight_.value,
                                   g.channels * taps, taps, zg_.data(), q_pad, filters_, q_pad});
        // y[s, o] = act(z[o] at the sample's output positions + b[o])
        grid_.gather_output(g, zg_.data(), q_pad, n, filters_, opt_.use_bias ? bias_.value : nullptr,
                            opt_.act, y_.data());
    }

    void backward_grid(const T* dy, std::size_t n, bool want_dx) {
        const auto& g = geo_;
        const std::size_t q_pad = grid_.positions(n), xs = q_pad + grid_.slack;
        const std::size_t ds = grid_.slack + q_pad;  // dz rows: slack, then the positions
        const std::size_t taps = g.kh * g.kw;
        if (dgrid_n_ != n) {  // zeros everywhere but the output slots, rewritten below
            dzg_.assign(filters_ * ds, T(0));
            dgrid_n_ = n;
        }
        T* dz = dzg_.data() + grid_.slack;
        // dz = dy * act'(z), from the cached y, into the grid
        grid_.scatter_output_grad(g, y_.data(), dy, n, filters_, opt_.act, dz, ds);
        if (opt_.use_bias) {
            // dL/db[o] = sum of dz over samples and positions (zero off the outputs)
            for (std::size_t o = 0; o < filters_; ++o) bias_.grad[o] += row_sum(dz + o * ds, q_pad);
        }
        // dL/dW[o,c,t] += sum_q dz[o][q] * xg[c][q + off_t]   (z[o][q] has that term)
        detail::grid_weight_grad<T>({dz, ds, filters_, xg_.data(), xs, g.channels, grid_.offsets.data(),
                                     taps, weight_.grad, g.channels * taps, taps, q_pad});
        if (!want_dx) return;
        dxg_.resize(g.channels * q_pad);
        // dL/dxg[c][p] = sum_{o,t} W[o,c,t] * dz[o][p - off_t]   (xg[c][p] feeds z[o][p - off_t])
        detail::grid_correlate<T>({dz, ds, filters_, grid_.back_offsets.data(), taps, weight_.value, taps,
                                   g.channels * taps, dxg_.data(), q_pad, g.channels, q_pad});
        // dx = dxg at the input slots (the padding slots' gradients are dropped)
        grid_.gather_input(g, dxg_.data(), q_pad, n, dx_.data());
    }

    // ---- im2col + GEMM path (conv_algorithm::gemm with a stride > 1) ----

    void forward_gemm(std::size_t n) {
        const std::size_t k = geo_.patch(), plane = geo_.out_plane();
        const std::size_t chunk = chunk_samples(n);
        col_.resize(k * chunk * plane);
        zt_.resize(filters_ * chunk * plane);
        for (std::size_t s0 = 0; s0 < n; s0 += chunk) {
            const std::size_t m = std::min(chunk, n - s0), cols = m * plane;
            detail::im2col(geo_, x_.data() + s0 * geo_.in_sample(), m, col_.data());
            // Z = W col: (O, K) x (K, m*P) -> (O, m*P), columns ordered (sample, y, x)
            gemm(transpose::no, transpose::no, filters_, cols, k, T(1), weight_.value, k,
                 col_.data(), cols, T(0), zt_.data(), cols);
            // y[s, o, :] = act(Z[o, s*P : (s+1)*P] + b[o])   (from (O, m, P) to NCHW)
            for (std::size_t s = 0; s < m; ++s) {
                T* ys = y_.data() + (s0 + s) * filters_ * plane;
                for (std::size_t o = 0; o < filters_; ++o) {
                    const T* src = zt_.data() + o * cols + s * plane;
                    T* dst = ys + o * plane;
                    const T b = opt_.use_bias ? bias_.value[o] : T(0);
                    if (opt_.act == activation::relu) {
                        // relu inline: one pass instead of two over y
                        for (std::size_t p = 0; p < plane; ++p) dst[p] = std::max(src[p] + b, T(0));
                    } else {
                        for (std::size_t p = 0; p < plane; ++p) dst[p] = src[p] + b;
                        activation_forward(opt_.act, dst, dst, plane, geo_.out_w);
                    }
                }
            }
        }
        // With a single chunk the buffer holds im2col(x) for the whole batch: backward reuses it.
        col_valid_ = chunk >= n;
    }

    void backward_gemm(const T* dy, std::size_t n, bool want_dx) {
        const std::size_t k = geo_.patch(), plane = geo_.out_plane();
        const std::size_t chunk = chunk_samples(n);
        col_.resize(k * chunk * plane);
        zt_.resize(filters_ * chunk * plane);
        for (std::size_t s0 = 0; s0 < n; s0 += chunk) {
            const std::size_t m = std::min(chunk, n - s0), cols = m * plane;
            if (!col_valid_) detail::im2col(geo_, x_.data() + s0 * geo_.in_sample(), m, col_.data());
            // dZ = dy * act'(z) in the GEMM layout (O, m*P), gathered from NCHW
            for (std::size_t s = 0; s < m; ++s) {
                const std::size_t at = (s0 + s) * filters_ * plane;
                for (std::size_t o = 0; o < filters_; ++o) {
                    const T* dys = dy + at + o * plane;
                    const T* ys = y_.data() + at + o * plane;
                    T* dst = zt_.data() + o * cols + s * plane;
                    if (opt_.act == activation::relu) {
                        // relu' = [y > 0]. Both loads are unconditional so that the compiler
                        // can turn the select into a vector blend instead of a branch.
                        for (std::size_t p = 0; p < plane; ++p) {
                            const T g = dys[p], out = ys[p];
                            dst[p] = out > T(0) ? g : T(0);
                        }
                    } else {
                        activation_backward(opt_.act, ys, dys, dst, plane, geo_.out_w);
                    }
                }
            }
            if (opt_.use_bias) {
                // dL/db[o] = sum over samples and positions of dz  (z = ... + b[o])
                for (std::size_t o = 0; o < filters_; ++o) bias_.grad[o] += row_sum(zt_.data() + o * cols, cols);
            }
            // dL/dW = dZ col^T  (Z = W col)
            gemm(transpose::no, transpose::yes, filters_, k, cols, T(1), zt_.data(), cols,
                 col_.data(), cols, T(1), weight_.grad, k);
            col_valid_ = false;
            if (!want_dx) continue;
            // dL/dcol = W^T dZ  (Z = W col); col_ is free now, so it holds dcol
            gemm(transpose::yes, transpose::no, k, cols, filters_, T(1), weight_.value, k,
                 zt_.data(), cols, T(0), col_.data(), cols);
            // dL/dx = col2im(dcol)  (col = im2col(x) copies x, so its adjoint sums back)
            detail::col2im(geo_, col_.data(), m, dx_.data() + s0 * geo_.in_sample());
        }
    }

    std::size_t filters_;
    extent2d kernel_;
    conv2d_options opt_;
    detail::window_geometry geo_;
    param_view<T> weight_, bias_;
    tensor<T> x_, y_, dz_, dx_;  // x_: im2col and direct paths; dz_: direct path only
    shape_t in_shape_;
    // grid path: its layout, and the grids of x, z, dz and dx (sized for grid_n_ / dgrid_n_
    // samples; reallocated, and so re-zeroed, only when the batch size changes)
    detail::conv2d_grid_layout grid_;
    std::vector<T> xg_, zg_, dzg_, dxg_;
    std::size_t grid_n_ = 0, dgrid_n_ = 0;
    // plane path: its layout (tap offsets, lane masks, slack), and x (for dW) and dz, each
    // with the layout's slack on both sides
    detail::conv2d_plane_layout plane_;
    std::vector<T> xs_, dzs_;
    std::vector<T> col_, zt_;  // im2col buffer (K, chunk*P) and GEMM-layout output (O, chunk*P)
    bool col_valid_ = false;
    forward_guard guard_;
};

extern template class conv2d<float>;
extern template class conv2d<double>;

}  // namespace knit::nn
