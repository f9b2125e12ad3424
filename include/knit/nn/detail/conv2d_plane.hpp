// The buffer layout of conv2d<T>'s plane path (forward_plane and backward_plane in
// include/knit/nn/conv2d.hpp): each kernel tap's fixed offset within a plane, the lane
// masks that clear the taps falling in the padding, and the slack the kernels read past
// a plane. It depends only on the window geometry, is built once when the layer is built,
// and is kept apart so the layer header shows the arithmetic rather than the bookkeeping.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "knit/nn/detail/conv2d_kernels.hpp"
#include "knit/nn/detail/window2d.hpp"

namespace knit::nn::detail {

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
struct conv2d_plane_layout {
    // tap offsets and lane masks (taps x vectors per plane), forward and back
    std::vector<std::ptrdiff_t> offsets, back_offsets;
    std::vector<std::uint16_t> masks, back_masks;
    std::size_t slack = 0;

    // For scalar type T (its lanes per vector set the masks' width); g must have
    // out_h == in_h and out_w == in_w.
    template <class T>
    void build(const window_geometry& g) {
        constexpr std::size_t lanes = plane_lanes<T>;
        const std::size_t plane = g.in_plane(), vectors = (plane + lanes - 1) / lanes;
        const std::size_t taps = g.kh * g.kw;
        offsets.assign(taps, 0);
        back_offsets.assign(taps, 0);
        masks.assign(taps * vectors, 0);
        back_masks.assign(taps * vectors, 0);
        const auto h = static_cast<std::ptrdiff_t>(g.in_h), w = static_cast<std::ptrdiff_t>(g.in_w);
        for (std::size_t i = 0; i < g.kh; ++i)
            for (std::size_t j = 0; j < g.kw; ++j) {
                const std::size_t t = i * g.kw + j;
                // input row/column of output (y, x) under this tap: (y + di, x + dj)
                const auto di = static_cast<std::ptrdiff_t>(i * g.dh) - static_cast<std::ptrdiff_t>(g.pad_top);
                const auto dj = static_cast<std::ptrdiff_t>(j * g.dw) - static_cast<std::ptrdiff_t>(g.pad_left);
                offsets[t] = di * w + dj;
                back_offsets[t] = -(di * w + dj);
                for (std::size_t p = 0; p < plane; ++p) {
                    const auto y = static_cast<std::ptrdiff_t>(p / g.in_w), x = static_cast<std::ptrdiff_t>(p % g.in_w);
                    const auto bit = static_cast<std::uint16_t>(1u << (p % lanes));
                    // forward and dW: input (y + di, x + dj) exists
                    if (y + di >= 0 && y + di < h && x + dj >= 0 && x + dj < w)
                        masks[t * vectors + p / lanes] |= bit;
                    // dx: output (y - di, x - dj), the one whose tap t reads input p, exists
                    if (y - di >= 0 && y - di < h && x - dj >= 0 && x - dj < w)
                        back_masks[t * vectors + p / lanes] |= bit;
                }
            }
        // reads reach |offset| before a plane's start and |offset| + lanes past its end
        std::ptrdiff_t reach = 0;
        for (auto off : offsets) reach = std::max(reach, off < 0 ? -off : off);
        slack = static_cast<std::size_t>(reach) + lanes;
    }

    // A buffer of `size` elements with `slack` on both sides, for the kernels' reads
    // past a plane's first and last position; returns the first element.
    template <class T>
    T* buffer(std::vector<T>& b, std::size_t size) const {
        if (b.size() != size + 2 * slack) b.assign(size + 2 * slack, T(0));
        return b.data() + slack;
    }
};

}  // namespace knit::nn::detail
