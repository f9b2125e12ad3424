// The naive reference of conv2d<T> (conv_algorithm::direct in include/knit/nn/conv2d.hpp):
// z, dW, db and dx as the six loops of their definition, with no layout and no buffer,
// which the tests hold the fast paths equal to. Kept apart so it reads as the equations
// alone, and so the layer header reads as its fast paths. The activation and its
// derivative are applied by the layer, around these.
#pragma once

#include <algorithm>
#include <cstddef>

#include "knit/nn/detail/window2d.hpp"

namespace knit::nn::detail {

// Calls f(weight index, input index, output index) for every (sample, filter, output
// position, channel, kernel tap) whose tap lands inside the input (padding taps add 0).
template <class F>
void conv2d_for_each_tap(const window_geometry& g, std::size_t filters, std::size_t n, F&& f) {
    for (std::size_t s = 0; s < n; ++s)
        for (std::size_t o = 0; o < filters; ++o)
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
                                const std::size_t y_at = ((s * filters + o) * g.out_h + oy) * g.out_w + ox;
                                f(w_at, x_at, y_at);
                            }
}

// z (n, O, Ho, Wo) = b + W (*) x for x (n, C, H, W); bias may be null (no bias).
template <class T>
void conv2d_direct_forward(const window_geometry& g, std::size_t filters, const T* weight,
                           const T* bias, const T* x, std::size_t n, T* z) {
    const std::size_t plane = g.out_plane();
    for (std::size_t s = 0; s < n; ++s)
        for (std::size_t o = 0; o < filters; ++o)
            std::fill_n(z + (s * filters + o) * plane, plane, bias ? bias[o] : T(0));
    // z[n,o,y,x] += W[o,c,i,j] * x[n,c,iy,ix]
    conv2d_for_each_tap(g, filters, n, [&](std::size_t w_at, std::size_t x_at, std::size_t y_at) {
        z[y_at] += weight[w_at] * x[x_at];
    });
}

// From dz (n, O, Ho, Wo): weight_grad and bias_grad add the gradients of W and b, and dx
// adds that of x; bias_grad or dx may be null (not wanted).
template <class T>
void conv2d_direct_backward(const window_geometry& g, std::size_t filters, const T* weight,
                            const T* x, const T* dz, std::size_t n, T* weight_grad, T* bias_grad,
                            T* dx) {
    const std::size_t plane = g.out_plane();
    if (bias_grad) {
        // dL/db[o] = sum of dz over samples and positions
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t o = 0; o < filters; ++o)
                for (std::size_t p = 0; p < plane; ++p)
                    bias_grad[o] += dz[(s * filters + o) * plane + p];
    }
    conv2d_for_each_tap(g, filters, n, [&](std::size_t w_at, std::size_t x_at, std::size_t y_at) {
        weight_grad[w_at] += dz[y_at] * x[x_at];      // dz/dW[o,c,i,j] = x[n,c,iy,ix]
        if (dx) dx[x_at] += dz[y_at] * weight[w_at];  // dz/dx[n,c,iy,ix] = W[o,c,i,j]
    });
}

}  // namespace knit::nn::detail
