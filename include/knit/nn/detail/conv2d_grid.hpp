// The buffer layout of conv2d<T>'s shifted-grid path (forward_grid and backward_grid in
// include/knit/nn/conv2d.hpp): the padded grid's row length and height, each kernel
// tap's fixed offset in it, the slack the kernels read past it, and the loops that move
// NCHW tensors into and out of its input and output slots. It depends only on the
// window geometry, is built once when the layer is built, and is kept apart so the
// layer header shows the arithmetic rather than the bookkeeping.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "knit/nn/activations.hpp"
#include "knit/nn/detail/conv2d_kernels.hpp"
#include "knit/nn/detail/window2d.hpp"

namespace knit::nn::detail {

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
//
// Below, a grid buffer holds one row per channel (or filter), row k starting at
// grid + k*stride.
struct conv2d_grid_layout {
    std::size_t cols = 0, rows = 0, slack = 0;  // S, R, and the slack around the positions
    std::vector<std::ptrdiff_t> offsets, back_offsets;

    static std::size_t round_up(std::size_t v, std::size_t to) { return (v + to - 1) / to * to; }

    void build(const window_geometry& g) {
        cols = std::max(g.in_w + std::max(g.pad_left, g.pad_right), g.out_w);
        rows = std::max(g.in_h + std::max(g.pad_top, g.pad_bottom), g.out_h);
        offsets.clear();
        back_offsets.clear();
        for (std::size_t i = 0; i < g.kh; ++i)
            for (std::size_t j = 0; j < g.kw; ++j) {
                const std::size_t off = i * g.dh * cols + j * g.dw;
                offsets.push_back(static_cast<std::ptrdiff_t>(off));
                back_offsets.push_back(-static_cast<std::ptrdiff_t>(off));
            }
        // slack after (forward reads) and before (backward reads) the grid positions
        slack = round_up(static_cast<std::size_t>(offsets.back()) + 1, 16);
    }

    std::size_t sample() const { return rows * cols; }
    std::size_t positions(std::size_t n) const { return round_up(n * sample(), grid_alignment); }

    // x (n, C, H, W) into the input slots of xg; the other slots are left as they are.
    template <class T>
    void scatter_input(const window_geometry& g, const T* x, std::size_t n, T* xg,
                       std::size_t stride) const {
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t c = 0; c < g.channels; ++c) {
                const T* src = x + (s * g.channels + c) * g.in_plane();
                T* dst = xg + c * stride + s * sample() + g.pad_top * cols + g.pad_left;
                for (std::size_t h = 0; h < g.in_h; ++h)
                    std::copy(src + h * g.in_w, src + (h + 1) * g.in_w, dst + h * cols);
            }
    }

    // dx (n, C, H, W) = dxg at the input slots (the padding slots' gradients are dropped)
    template <class T>
    void gather_input(const window_geometry& g, const T* dxg, std::size_t stride, std::size_t n,
                      T* dx) const {
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t c = 0; c < g.channels; ++c) {
                const T* src = dxg + c * stride + s * sample() + g.pad_top * cols + g.pad_left;
                T* dst = dx + (s * g.channels + c) * g.in_plane();
                for (std::size_t h = 0; h < g.in_h; ++h)
                    std::copy(src + h * cols, src + h * cols + g.in_w, dst + h * g.in_w);
            }
    }

    // y[s, o] = act(z[o] at the sample's output positions + b[o]) for y (n, O, Ho, Wo),
    // from the rows of zg; bias may be null (no bias).
    template <class T>
    void gather_output(const window_geometry& g, const T* zg, std::size_t stride, std::size_t n,
                       std::size_t filters, const T* bias, activation act, T* y) const {
        const std::size_t plane = g.out_plane();
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t o = 0; o < filters; ++o) {
                const T* src = zg + o * stride + s * sample();
                T* dst = y + (s * filters + o) * plane;
                const T b = bias ? bias[o] : T(0);
                for (std::size_t oy = 0; oy < g.out_h; ++oy) {
                    const T* zr = src + oy * cols;
                    T* yr = dst + oy * g.out_w;
                    if (act == activation::relu) {
                        for (std::size_t ox = 0; ox < g.out_w; ++ox) yr[ox] = std::max(zr[ox] + b, T(0));
                    } else {
                        for (std::size_t ox = 0; ox < g.out_w; ++ox) yr[ox] = zr[ox] + b;
                    }
                }
                if (act != activation::relu) activation_forward(act, dst, dst, plane, g.out_w);
            }
    }

    // dz = dy * act'(z), from the cached y, into the output slots of dzg; dy and y are
    // (n, O, Ho, Wo) and the other slots are left as they are.
    template <class T>
    void scatter_output_grad(const window_geometry& g, const T* y, const T* dy, std::size_t n,
                             std::size_t filters, activation act, T* dzg, std::size_t stride) const {
        const std::size_t plane = g.out_plane();
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t o = 0; o < filters; ++o) {
                const std::size_t at = (s * filters + o) * plane;
                T* dst = dzg + o * stride + s * sample();
                for (std::size_t oy = 0; oy < g.out_h; ++oy) {
                    const T* dys = dy + at + oy * g.out_w;
                    const T* ys = y + at + oy * g.out_w;
                    T* dzr = dst + oy * cols;
                    if (act == activation::relu) {
                        // relu' = [y > 0]; both loads unconditional so this is a blend
                        for (std::size_t ox = 0; ox < g.out_w; ++ox) {
                            const T grad = dys[ox], out = ys[ox];
                            dzr[ox] = out > T(0) ? grad : T(0);
                        }
                    } else {
                        activation_backward(act, ys, dys, dzr, g.out_w, g.out_w);
                    }
                }
            }
    }
};

}  // namespace knit::nn::detail
