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
// Small AVX-512 kernels (src/nn/conv2d.cpp, portable loops without AVX-512) compute z
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
// Defaults follow Keras: W Glorot-uniform with fan_in = C*kh*kw, fan_out = O*kh*kw, b zeros;
// conv2d_options::torch() gives nn.Conv2d's U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
// Derivation: docs/math/conv2d.md.
#pragma once

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "knit/core/blas.hpp"
#include "knit/nn/activations.hpp"
#include "knit/nn/detail/window2d.hpp"
#include "knit/nn/init.hpp"
#include "knit/nn/layer.hpp"

namespace knit::nn {

enum class conv_algorithm { gemm, direct };

namespace detail {

// Position counts handed to the grid kernels are multiples of this (4 AVX-512 vectors).
constexpr std::size_t grid_alignment = 64;

// out[m][q] = sum over k < rows_in, t < taps of
//             weights[m*weight_row + k*weight_col + t] * in[k*in_stride + q + offsets[t]]
// for m < rows_out, q < positions. Every in[] read must be inside the caller's buffer.
template <class T>
struct grid_correlate_args {
    const T* in;
    std::size_t in_stride, rows_in;
    const std::ptrdiff_t* offsets;
    std::size_t taps;
    const T* weights;
    std::size_t weight_row, weight_col;
    T* out;
    std::size_t out_stride, rows_out, positions;
};

// grad[m*grad_row + k*grad_col + t] += sum over q < positions of
//                                      a[m*a_stride + q] * b[k*b_stride + q + offsets[t]]
template <class T>
struct grid_weight_grad_args {
    const T* a;
    std::size_t a_stride, rows_a;
    const T* b;
    std::size_t b_stride, rows_b;
    const std::ptrdiff_t* offsets;
    std::size_t taps;
    T* grad;
    std::size_t grad_row, grad_col, positions;
};

// ---- plane path: stride 1 with an output as large as the input ("same") ----
//
// Lanes of one AVX-512 vector: the plane kernels' masks hold one bit per lane.
template <class T>
constexpr std::size_t plane_lanes = 64 / sizeof(T);

// out[s*out_sample + m*plane + p] = act(bias[m] + sum over k < rows_in, t < taps of
//     weights[m*weight_row + k*weight_col + t] * in_t(s, k, p))
//   in_t(s, k, p) = in[s*in_sample + k*plane + p + offsets[t]]   if bit p % L of
//                   masks[t*V + p / L] is set (L = plane_lanes<T>, V = ceil(plane / L)),
//                   else 0
// for s < samples, m < rows_out, p < plane; act is relu or the identity, bias may be null.
// The kernels load whole vectors and mask the arithmetic, so the reads for every
// p < V*L, also under clear bits, must be inside the caller's buffer (plane_slack).
template <class T>
struct plane_correlate_args {
    const T* in;
    std::size_t in_sample, rows_in;
    const std::ptrdiff_t* offsets;
    const std::uint16_t* masks;
    std::size_t taps;
    const T* weights;
    std::size_t weight_row, weight_col;
    const T* bias;
    bool relu;
    T* out;
    std::size_t out_sample, rows_out;
    std::size_t samples, plane;
};

// grad[m*grad_row + k*grad_col + t] += sum over s < samples, p < plane of
//                                      a[s*a_sample + m*plane + p] * b_t(s, k, p)
// with b_t masked as in_t above; a is read up to p < V*L too.
template <class T>
struct plane_weight_grad_args {
    const T* a;
    std::size_t a_sample, rows_a;
    const T* b;
    std::size_t b_sample, rows_b;
    const std::ptrdiff_t* offsets;
    const std::uint16_t* masks;
    std::size_t taps;
    T* grad;
    std::size_t grad_row, grad_col;
    std::size_t samples, plane;
    // Fused relu backward (conv2d::backward_plane): when relu_y is set, `a` holds dy and the
    // kernel uses dz = [relu_y > 0] a in its place (relu_y has a's layout), adds
    // sum over s, p of dz[s, m, p] to bias_grad[m] when that is set, and writes dz to dz_out
    // (a's layout) when that is set. Saves the separate pass over conv1's 1.9 MB output.
    // Requires rows_b == 1, taps <= plane_fused_taps and plane % plane_lanes<T> == 0.
    const T* relu_y = nullptr;
    T* bias_grad = nullptr;
    T* dz_out = nullptr;
};
// The most taps the fused relu weight gradient takes (one register block of taps).
constexpr std::size_t plane_fused_taps = 6;

// Defined in src/nn/conv2d.cpp (AVX-512 when the CPU has it, else portable loops).
template <class T>
void grid_correlate(const grid_correlate_args<T>& a);
template <class T>
void grid_weight_grad(const grid_weight_grad_args<T>& a);
// dz[i] = y[i] > 0 ? dy[i] : 0 for i < samples*rows*plane (relu's derivative from its
// output), and when sums is not null, sums[m] += sum over s, p of dz[(s*rows + m)*plane + p].
template <class T>
void relu_backward_rows(const T* y, const T* dy, T* dz, std::size_t samples, std::size_t rows,
                        std::size_t plane, T* sums);
template <class T>
void plane_correlate(const plane_correlate_args<T>& a);
template <class T>
void plane_weight_grad(const plane_weight_grad_args<T>& a);

}  // namespace detail

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
            forward_direct(n);
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
            backward_direct(n, want_dx);
        }
        return want_dx ? dx_ : this->skipped_input_grad();
    }

    const param_view<T>& weight() const { return weight_; }
    const param_view<T>& bias() const { return bias_; }

protected:
    shape_t do_build(const shape_t& input_shape) override {
        geo_ = detail::make_window_geometry("conv2d", input_shape, kernel_, opt_.stride,
                                            opt_.dilation, opt_.padding);
        build_grid();
        build_plane();
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
    //
    // When Ho = H and Wo = W (Keras "same" at stride 1), input and output planes have the
    // same row length, so tap (i, j) of output position p = y*W + x reads the input plane
    // at p + off_t with one fixed offset  off_t = (i*dh - pt)*W + (j*dw - pl).  A tap
    // that falls in the padding (or past the plane) is a clear bit in a per-vector lane
    // mask, so the kernels read x, dz and write y, dx in place in NCHW: no padded copy,
    // no arithmetic on padding positions. With in_t masked like this,
    //   z[s,o,p]    = b[o] + sum_{c,t} W[o,c,t] * x_t[s,c,p]                (plane_correlate)
    //   dW[o,c,t]  += sum_{s,p} dz[s,o,p] * x_t[s,c,p]                      (plane_weight_grad)
    //   dx[s,c,p]   = sum_{o,t} W[o,c,t] * dz[s,o,p - off_t]  where output position
    //                 p - off_t exists (the back masks)                     (plane_correlate)
    bool use_plane() const {
        return opt_.algorithm == conv_algorithm::gemm && opt_.stride.h == 1 && opt_.stride.w == 1 &&
               geo_.out_h == geo_.in_h && geo_.out_w == geo_.in_w;
    }

    void build_plane() {
        const auto& g = geo_;
        if (!use_plane()) return;
        constexpr std::size_t lanes = detail::plane_lanes<T>;
        const std::size_t plane = g.in_plane(), vectors = (plane + lanes - 1) / lanes;
        const std::size_t taps = g.kh * g.kw;
        plane_offsets_.assign(taps, 0);
        plane_back_offsets_.assign(taps, 0);
        plane_masks_.assign(taps * vectors, 0);
        plane_back_masks_.assign(taps * vectors, 0);
        const auto h = static_cast<std::ptrdiff_t>(g.in_h), w = static_cast<std::ptrdiff_t>(g.in_w);
        for (std::size_t i = 0; i < g.kh; ++i)
            for (std::size_t j = 0; j < g.kw; ++j) {
                const std::size_t t = i * g.kw + j;
                // input row/column of output (y, x) under this tap: (y + di, x + dj)
                const auto di = static_cast<std::ptrdiff_t>(i * g.dh) - static_cast<std::ptrdiff_t>(g.pad_top);
                const auto dj = static_cast<std::ptrdiff_t>(j * g.dw) - static_cast<std::ptrdiff_t>(g.pad_left);
                plane_offsets_[t] = di * w + dj;
                plane_back_offsets_[t] = -(di * w + dj);
                for (std::size_t p = 0; p < plane; ++p) {
                    const auto y = static_cast<std::ptrdiff_t>(p / g.in_w), x = static_cast<std::ptrdiff_t>(p % g.in_w);
                    const auto bit = static_cast<std::uint16_t>(1u << (p % lanes));
                    // forward and dW: input (y + di, x + dj) exists
                    if (y + di >= 0 && y + di < h && x + dj >= 0 && x + dj < w)
                        plane_masks_[t * vectors + p / lanes] |= bit;
                    // dx: output (y - di, x - dj), the one whose tap t reads input p, exists
                    if (y - di >= 0 && y - di < h && x - dj >= 0 && x - dj < w)
                        plane_back_masks_[t * vectors + p / lanes] |= bit;
                }
            }
        // reads reach |offset| before a plane's start and |offset| + lanes past its end
        std::ptrdiff_t reach = 0;
        for (auto off : plane_offsets_) reach = std::max(reach, off < 0 ? -off : off);
        plane_slack_ = static_cast<std::size_t>(reach) + lanes;
    }

    // A buffer of `size` elements with plane_slack_ on both sides, for the kernels' reads
    // past a plane's first and last position; returns the first element.
    T* plane_buffer(std::vector<T>& b, std::size_t size) const {
        if (b.size() != size + 2 * plane_slack_) b.assign(size + 2 * plane_slack_, T(0));
        return b.data() + plane_slack_;
    }

    void forward_plane(const tensor<T>& x, std::size_t n) {
        const auto& g = geo_;
        const std::size_t taps = g.kh * g.kw, plane = g.in_plane();
        T* xs = plane_buffer(xs_, x.size());  // the copy dW reads, with slack
        std::copy(x.data(), x.data() + x.size(), xs);
        const bool relu = opt_.act == activation::relu;
        // y = act(b + W (*) x), relu fused into the kernel's store
        detail::plane_correlate<T>({xs, g.in_sample(), g.channels, plane_offsets_.data(),
                                    plane_masks_.data(), taps, weight_.value, g.channels * taps, taps,
                                    opt_.use_bias ? bias_.value : nullptr, relu, y_.data(),
                                    filters_ * plane, filters_, n, plane});
        if (!relu) activation_forward(opt_.act, y_.data(), y_.data(), y_.size(), g.out_w);
    }

    void backward_plane(const T* dy, std::size_t n, bool want_dx) {
        const auto& g = geo_;
        const std::size_t taps = g.kh * g.kw, plane = g.in_plane();
        const std::size_t size = y_.size();
        T* dz = plane_buffer(dzs_, size);
        const T* y = y_.data();
        // relu with one input channel (conv1): its output is the largest, so the weight
        // gradient reads y and dy itself instead of a separate dz pass
        const bool fused = opt_.act == activation::relu && g.channels == 1 &&
                           taps <= detail::plane_fused_taps && plane % detail::plane_lanes<T> == 0;
        if (fused) {
            // dz = [y > 0] dy (relu'), dL/db[o] = sum of dz, and
            // dL/dW[o,0,t] += sum_{s,p} dz[s,o,p] * x_t[s,0,p] in one sweep of y and dy;
            // dz is written only when dx needs it
            detail::plane_weight_grad_args<T> a{dy, filters_ * plane, filters_, xs_.data() + plane_slack_,
                                                g.in_sample(), g.channels, plane_offsets_.data(),
                                                plane_masks_.data(), taps, weight_.grad, g.channels * taps,
                                                taps, n, plane};
            a.relu_y = y;
            a.bias_grad = opt_.use_bias ? bias_.grad : nullptr;
            a.dz_out = want_dx ? dz : nullptr;
            detail::plane_weight_grad<T>(a);
        } else if (opt_.act == activation::relu) {
            // dz = dy * relu'(z) = [y > 0] dy, and dL/db[o] = sum of dz over samples and
            // positions, in one pass (AVX-512 in src/nn/conv2d.cpp)
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
            detail::plane_weight_grad<T>({dz, filters_ * plane, filters_, xs_.data() + plane_slack_,
                                          g.in_sample(), g.channels, plane_offsets_.data(), plane_masks_.data(),
                                          taps, weight_.grad, g.channels * taps, taps, n, plane});
        if (!want_dx) return;
        // dL/dx[s,c,p] = sum_{o,t} W[o,c,t] * dz[s,o,p - off_t]  (x[s,c,p] feeds z[s,o,p - off_t])
        detail::plane_correlate<T>({dz, filters_ * plane, filters_, plane_back_offsets_.data(),
                                    plane_back_masks_.data(), taps, weight_.value, taps, g.channels * taps,
                                    nullptr, false, dx_.data(), g.in_sample(), g.channels, n, plane});
    }

    // ---- shifted-grid path (conv_algorithm::gemm with stride 1) ----
    //
    // Each channel of the whole batch lives in one zero-padded "grid" row: sample s,
    // padded row r, column u at s*R*S + r*S + u, the input (h, w) at r = h + pt, u = w + pl,
    // zeros elsewhere. Output (s, oy, ox) sits at q = s*R*S + oy*S + ox, and tap (i, j)
    // reads the grid at q + i*dh*S + j*dw: one fixed offset per tap for the whole batch.
    // With S = max(W + max(pl, pr), Wo) and R = max(H + max(pt, pb), Ho), a tap that
    // leaves its sample's row (or its sample) lands in the next row's (sample's) leading
    // padding, which is zero, so no bounds are checked. Then
    //   z[o][q]     = sum_{c,t} W[o,c,t] * xg[c][q + off_t]            (grid_correlate)
    //   dW[o,c,t]  += sum_q dz[o][q] * xg[c][q + off_t]                 (grid_weight_grad)
    //   dxg[c][q]   = sum_{o,t} W[o,c,t] * dz[o][q - off_t]             (grid_correlate)
    // where dz is zero at every position that is not an output. Positions that are not
    // outputs (padding rows/columns) are computed and dropped: 25-45% extra arithmetic
    // for the paper's shapes, against no im2col copy and no GEMM packing.
    bool use_grid() const {
        return opt_.algorithm == conv_algorithm::gemm && opt_.stride.h == 1 && opt_.stride.w == 1;
    }

    static std::size_t round_up(std::size_t v, std::size_t to) { return (v + to - 1) / to * to; }

    void build_grid() {
        const auto& g = geo_;
        grid_cols_ = std::max(g.in_w + std::max(g.pad_left, g.pad_right), g.out_w);
        grid_rows_ = std::max(g.in_h + std::max(g.pad_top, g.pad_bottom), g.out_h);
        offsets_.clear();
        back_offsets_.clear();
        for (std::size_t i = 0; i < g.kh; ++i)
            for (std::size_t j = 0; j < g.kw; ++j) {
                const std::size_t off = i * g.dh * grid_cols_ + j * g.dw;
                offsets_.push_back(static_cast<std::ptrdiff_t>(off));
                back_offsets_.push_back(-static_cast<std::ptrdiff_t>(off));
            }
        // slack after (forward reads) and before (backward reads) the grid positions
        grid_slack_ = round_up(static_cast<std::size_t>(offsets_.back()) + 1, 16);
    }

    std::size_t grid_sample() const { return grid_rows_ * grid_cols_; }
    std::size_t grid_positions(std::size_t n) const {
        return round_up(n * grid_sample(), detail::grid_alignment);
    }

    void forward_grid(const T* x, std::size_t n) {
        const auto& g = geo_;
        const std::size_t q_pad = grid_positions(n), xs = q_pad + grid_slack_;
        const std::size_t taps = g.kh * g.kw, sample = grid_sample();
        if (grid_n_ != n) {  // zeros everywhere but the input slots, which are rewritten below
            xg_.assign(g.channels * xs, T(0));
            zg_.resize(filters_ * q_pad);
            grid_n_ = n;
        }
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t c = 0; c < g.channels; ++c) {
                const T* src = x + (s * g.channels + c) * g.in_plane();
                T* dst = xg_.data() + c * xs + s * sample + g.pad_top * grid_cols_ + g.pad_left;
                for (std::size_t h = 0; h < g.in_h; ++h)
                    std::copy(src + h * g.in_w, src + (h + 1) * g.in_w, dst + h * grid_cols_);
            }
        // z = W (*) xg at every grid position
        detail::grid_correlate<T>({xg_.data(), xs, g.channels, offsets_.data(), taps, weight_.value,
                                   g.channels * taps, taps, zg_.data(), q_pad, filters_, q_pad});
        // y[s, o] = act(z[o] at the sample's output positions + b[o])
        const std::size_t plane = g.out_plane();
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t o = 0; o < filters_; ++o) {
                const T* src = zg_.data() + o * q_pad + s * sample;
                T* dst = y_.data() + (s * filters_ + o) * plane;
                const T b = opt_.use_bias ? bias_.value[o] : T(0);
                for (std::size_t oy = 0; oy < g.out_h; ++oy) {
                    const T* zr = src + oy * grid_cols_;
                    T* yr = dst + oy * g.out_w;
                    if (opt_.act == activation::relu) {
                        for (std::size_t ox = 0; ox < g.out_w; ++ox) yr[ox] = std::max(zr[ox] + b, T(0));
                    } else {
                        for (std::size_t ox = 0; ox < g.out_w; ++ox) yr[ox] = zr[ox] + b;
                    }
                }
                if (opt_.act != activation::relu) activation_forward(opt_.act, dst, dst, plane, g.out_w);
            }
    }

    void backward_grid(const T* dy, std::size_t n, bool want_dx) {
        const auto& g = geo_;
        const std::size_t q_pad = grid_positions(n), xs = q_pad + grid_slack_;
        const std::size_t ds = grid_slack_ + q_pad;  // dz rows: slack, then the positions
        const std::size_t taps = g.kh * g.kw, sample = grid_sample(), plane = g.out_plane();
        if (dgrid_n_ != n) {  // zeros everywhere but the output slots, rewritten below
            dzg_.assign(filters_ * ds, T(0));
            dgrid_n_ = n;
        }
        // dz = dy * act'(z), from the cached y, into the grid
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t o = 0; o < filters_; ++o) {
                const std::size_t at = (s * filters_ + o) * plane;
                T* dst = dzg_.data() + o * ds + grid_slack_ + s * sample;
                for (std::size_t oy = 0; oy < g.out_h; ++oy) {
                    const T* dys = dy + at + oy * g.out_w;
                    const T* ys = y_.data() + at + oy * g.out_w;
                    T* dzr = dst + oy * grid_cols_;
                    if (opt_.act == activation::relu) {
                        // relu' = [y > 0]; both loads unconditional so this is a blend
                        for (std::size_t ox = 0; ox < g.out_w; ++ox) {
                            const T grad = dys[ox], out = ys[ox];
                            dzr[ox] = out > T(0) ? grad : T(0);
                        }
                    } else {
                        activation_backward(opt_.act, ys, dys, dzr, g.out_w, g.out_w);
                    }
                }
            }
        const T* dz = dzg_.data() + grid_slack_;
        if (opt_.use_bias) {
            // dL/db[o] = sum of dz over samples and positions (zero off the outputs)
            for (std::size_t o = 0; o < filters_; ++o) bias_.grad[o] += row_sum(dz + o * ds, q_pad);
        }
        // dL/dW[o,c,t] += sum_q dz[o][q] * xg[c][q + off_t]   (z[o][q] has that term)
        detail::grid_weight_grad<T>({dz, ds, filters_, xg_.data(), xs, g.channels, offsets_.data(),
                                     taps, weight_.grad, g.channels * taps, taps, q_pad});
        if (!want_dx) return;
        dxg_.resize(g.channels * q_pad);
        // dL/dxg[c][p] = sum_{o,t} W[o,c,t] * dz[o][p - off_t]   (xg[c][p] feeds z[o][p - off_t])
        detail::grid_correlate<T>({dz, ds, filters_, back_offsets_.data(), taps, weight_.value, taps,
                                   g.channels * taps, dxg_.data(), q_pad, g.channels, q_pad});
        // dx = dxg at the input slots (the padding slots' gradients are dropped)
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t c = 0; c < g.channels; ++c) {
                const T* src = dxg_.data() + c * q_pad + s * sample + g.pad_top * grid_cols_ + g.pad_left;
                T* dst = dx_.data() + (s * g.channels + c) * g.in_plane();
                for (std::size_t h = 0; h < g.in_h; ++h)
                    std::copy(src + h * grid_cols_, src + h * grid_cols_ + g.in_w, dst + h * g.in_w);
            }
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

    // Calls f(weight index, input index, output index) for every (sample, filter, output
    // position, channel, kernel tap) whose tap lands inside the input (padding taps add 0).
    template <class F>
    void for_each_tap(std::size_t n, F&& f) const {
        const auto& g = geo_;
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t o = 0; o < filters_; ++o)
                for (std::size_t oy = 0; oy < g.out_h; ++oy)
                    for (std::size_t ox = 0; ox < g.out_w; ++ox)
                        for (std::size_t c = 0; c < g.channels; ++c)
                            for (std::size_t i = 0; i < g.kh; ++i)
                                for (std::size_t j = 0; j < g.kw; ++j) {
                                    // padded coordinates; below the padding means outside
                                    const std::size_t py = oy * g.sh + i * g.dh;
                                    const std::size_t px = ox * g.sw + j * g.dw;
                                    if (py < g.pad_top || px < g.pad_left) continue;
                                    const std::size_t iy = py - g.pad_top, ix = px - g.pad_left;
                                    if (iy >= g.in_h || ix >= g.in_w) continue;
                                    const std::size_t w_at = ((o * g.channels + c) * g.kh + i) * g.kw + j;
                                    const std::size_t x_at = s * g.in_sample() + c * g.in_plane() + iy * g.in_w + ix;
                                    const std::size_t y_at = ((s * filters_ + o) * g.out_h + oy) * g.out_w + ox;
                                    f(w_at, x_at, y_at);
                                }
    }

    void forward_direct(std::size_t n) {
        const std::size_t plane = geo_.out_plane();
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t o = 0; o < filters_; ++o)
                std::fill_n(y_.data() + (s * filters_ + o) * plane, plane,
                            opt_.use_bias ? bias_.value[o] : T(0));
        const T* x = x_.data();
        T* y = y_.data();
        // z[n,o,y,x] += W[o,c,i,j] * x[n,c,iy,ix]
        for_each_tap(n, [&](std::size_t w_at, std::size_t x_at, std::size_t y_at) {
            y[y_at] += weight_.value[w_at] * x[x_at];
        });
    }

    void backward_direct(std::size_t n, bool want_dx) {
        const std::size_t plane = geo_.out_plane();
        if (opt_.use_bias) {
            // dL/db[o] = sum of dz over samples and positions
            for (std::size_t s = 0; s < n; ++s)
                for (std::size_t o = 0; o < filters_; ++o)
                    for (std::size_t p = 0; p < plane; ++p)
                        bias_.grad[o] += dz_.data()[(s * filters_ + o) * plane + p];
        }
        const T* x = x_.data();
        const T* dz = dz_.data();
        T* dx = dx_.data();
        for_each_tap(n, [&](std::size_t w_at, std::size_t x_at, std::size_t y_at) {
            weight_.grad[w_at] += dz[y_at] * x[x_at];             // dz/dW[o,c,i,j] = x[n,c,iy,ix]
            if (want_dx) dx[x_at] += dz[y_at] * weight_.value[w_at];  // dz/dx[n,c,iy,ix] = W[o,c,i,j]
        });
    }

    std::size_t filters_;
    extent2d kernel_;
    conv2d_options opt_;
    detail::window_geometry geo_;
    param_view<T> weight_, bias_;
    tensor<T> x_, y_, dz_, dx_;  // x_: im2col and direct paths; dz_: direct path only
    shape_t in_shape_;
    // grid path: geometry, tap offsets, and the grids of x, z, dz and dx (sized for grid_n_ /
    // dgrid_n_ samples; reallocated, and so re-zeroed, only when the batch size changes)
    std::size_t grid_cols_ = 0, grid_rows_ = 0, grid_slack_ = 0;
    std::vector<std::ptrdiff_t> offsets_, back_offsets_;
    std::vector<T> xg_, zg_, dzg_, dxg_;
    std::size_t grid_n_ = 0, dgrid_n_ = 0;
    // plane path: tap offsets and lane masks (taps x vectors per plane), forward and back
    std::vector<std::ptrdiff_t> plane_offsets_, plane_back_offsets_;
    std::vector<std::uint16_t> plane_masks_, plane_back_masks_;
    std::size_t plane_slack_ = 0;
    std::vector<T> xs_, dzs_;  // x (for dW) and dz, each with plane_slack_ on both sides
    std::vector<T> col_, zt_;  // im2col buffer (K, chunk*P) and GEMM-layout output (O, chunk*P)
    bool col_valid_ = false;
    forward_guard guard_;
};

extern template class conv2d<float>;
extern template class conv2d<double>;

}  // namespace knit::nn
