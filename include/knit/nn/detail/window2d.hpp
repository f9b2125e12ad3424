// Geometry shared by the sliding-window layers (conv2d, max_pool2d, avg_pool2d): how an
// input plane is padded, where each window sits, and the im2col / col2im kernels.
//
// Per axis, with input extent `in`, kernel k, stride s, dilation d, padding p0 (start)
// and p1 (end), the window of output index o covers the padded positions
//   o*s + t*d,  t = 0..k-1,   i.e. input index  o*s + t*d - p0,
// and there are  out = (in + p0 + p1 - ((k-1)*d + 1)) / s + 1  outputs.
//
// "same" padding follows Keras/TensorFlow (also for even kernels and strides > 1):
//   out = ceil(in / s),  total = max((out-1)*s + (k-1)*d + 1 - in, 0),
//   p0 = floor(total / 2),  p1 = total - p0   (the odd extra row/column goes at the end).
// PyTorch's symmetric `padding=(ph, pw)` is padding2d::symmetric(ph, pw).
#pragma once

#include <algorithm>
#include <cstddef>
#include <sstream>
#include <string>

#include "knit/core/error.hpp"
#include "knit/core/tensor.hpp"

namespace knit::nn {

// A (height, width) pair: kernel size, stride or dilation.
struct extent2d {
    std::size_t h = 1;
    std::size_t w = 1;
};

inline bool operator==(extent2d a, extent2d b) { return a.h == b.h && a.w == b.w; }

// How a window layer pads its input: valid (none), same (Keras/TF) or explicit per side.
struct padding2d {
    enum class kind { valid, same, sides };
    kind type = kind::valid;
    std::size_t top = 0, bottom = 0, left = 0, right = 0;

    static padding2d valid() { return {}; }
    static padding2d same() { return {kind::same, 0, 0, 0, 0}; }
    static padding2d sides(std::size_t top, std::size_t bottom, std::size_t left, std::size_t right) {
        return {kind::sides, top, bottom, left, right};
    }
    // PyTorch's padding=(h, w): h rows above and below, w columns left and right.
    static padding2d symmetric(std::size_t h, std::size_t w) { return sides(h, h, w, w); }

    std::string name() const {
        if (type == kind::valid) return "valid";
        if (type == kind::same) return "same";
        std::ostringstream out;
        out << top << ":" << bottom << ":" << left << ":" << right;
        return out.str();
    }
};

namespace detail {

// Where every window of a layer sits, fixed at build time. Extents are per sample.
struct window_geometry {
    std::size_t channels = 0, in_h = 0, in_w = 0;
    std::size_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
    std::size_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
    std::size_t out_h = 0, out_w = 0;

    std::size_t in_plane() const { return in_h * in_w; }
    std::size_t out_plane() const { return out_h * out_w; }
    std::size_t in_sample() const { return channels * in_plane(); }
    // Rows of the im2col matrix: one per (channel, kernel row, kernel column).
    std::size_t patch() const { return channels * kh * kw; }
};

// One axis of the geometry: returns the output extent and sets the two paddings.
inline std::size_t axis_extent(const char* what, const char* axis, std::size_t in, std::size_t k,
                               std::size_t s, std::size_t d, const padding2d& pad,
                               std::size_t explicit_begin, std::size_t explicit_end,
                               std::size_t& begin, std::size_t& end) {
    const std::size_t span = (k - 1) * d + 1;  // the window's reach with dilation
    if (pad.type == padding2d::kind::same) {
        const std::size_t out = (in + s - 1) / s;
        const std::size_t needed = (out - 1) * s + span;
        const std::size_t total = needed > in ? needed - in : 0;
        begin = total / 2;
        end = total - begin;
        return out;
    }
    begin = pad.type == padding2d::kind::sides ? explicit_begin : 0;
    end = pad.type == padding2d::kind::sides ? explicit_end : 0;
    KNIT_CHECK_AS(shape_error, in + begin + end >= span,
                  what << " " << axis << ": got padded extent " << in + begin + end
                       << " (input " << in << " + padding " << begin << " + " << end
                       << "), expected >= the window's reach " << span);
    return (in + begin + end - span) / s + 1;
}

// Builds the geometry for a per-sample input shape (C, H, W).
inline window_geometry make_window_geometry(const char* what, const shape_t& input, extent2d kernel,
                                            extent2d stride, extent2d dilation,
                                            const padding2d& pad) {
    KNIT_CHECK_AS(shape_error, input.size() == 3 && shape_size(input) > 0,
                  what << " input shape: got " << batch_shape_to_string(input)
                       << ", expected (N, C, H, W) with every extent > 0");
    KNIT_CHECK_AS(value_error, kernel.h > 0 && kernel.w > 0,
                  what << " kernel: got " << kernel.h << "x" << kernel.w << ", expected both > 0");
    KNIT_CHECK_AS(value_error, stride.h > 0 && stride.w > 0,
                  what << " stride: got " << stride.h << "x" << stride.w << ", expected both > 0");
    KNIT_CHECK_AS(value_error, dilation.h > 0 && dilation.w > 0,
                  what << " dilation: got " << dilation.h << "x" << dilation.w
                       << ", expected both > 0");
    window_geometry g;
    g.channels = input[0];
    g.in_h = input[1];
    g.in_w = input[2];
    g.kh = kernel.h;
    g.kw = kernel.w;
    g.sh = stride.h;
    g.sw = stride.w;
    g.dh = dilation.h;
    g.dw = dilation.w;
    g.out_h = axis_extent(what, "height", g.in_h, g.kh, g.sh, g.dh, pad, pad.top, pad.bottom,
                          g.pad_top, g.pad_bottom);
    g.out_w = axis_extent(what, "width", g.in_w, g.kw, g.sw, g.dw, pad, pad.left, pad.right,
                          g.pad_left, g.pad_right);
    return g;
}

// The output indices o in [lo, hi) whose tap at kernel offset t (already multiplied by
// the dilation) lands inside the input: 0 <= o*s + offset - pad < in.
inline void valid_outputs(std::size_t out, std::size_t s, std::size_t offset, std::size_t pad,
                          std::size_t in, std::size_t& lo, std::size_t& hi) {
    // o*s >= pad - offset
    lo = pad > offset ? (pad - offset + s - 1) / s : 0;
    // o*s + offset - pad <= in - 1  <=>  o*s <= in - 1 + pad - offset
    if (in + pad < offset + 1) {
        hi = 0;
    } else {
        hi = (in - 1 + pad - offset) / s + 1;
    }
    hi = std::min(hi, out);
    lo = std::min(lo, hi);
}

// im2col over a run of `samples` consecutive samples starting at x:
//   col[r][n*P + oh*Wo + ow] = x[n][c][oh*sh + i*dh - pt][ow*sw + j*dw - pl]  (0 outside),
//   r = (c*kh + i)*kw + j,  P = Ho*Wo.  col is (C*kh*kw, samples*P), row-major.
template <class T>
void im2col(const window_geometry& g, const T* x, std::size_t samples, T* col) {
    const std::size_t plane = g.out_plane();
    const std::size_t row_len = samples * plane;
    for (std::size_t c = 0; c < g.channels; ++c) {
        for (std::size_t i = 0; i < g.kh; ++i) {
            std::size_t oh_lo, oh_hi;
            valid_outputs(g.out_h, g.sh, i * g.dh, g.pad_top, g.in_h, oh_lo, oh_hi);
            for (std::size_t j = 0; j < g.kw; ++j) {
                std::size_t ow_lo, ow_hi;
                valid_outputs(g.out_w, g.sw, j * g.dw, g.pad_left, g.in_w, ow_lo, ow_hi);
                T* row = col + ((c * g.kh + i) * g.kw + j) * row_len;
                for (std::size_t n = 0; n < samples; ++n) {
                    const T* xc = x + n * g.in_sample() + c * g.in_plane();
                    T* out = row + n * plane;
                    std::fill(out, out + oh_lo * g.out_w, T(0));
                    for (std::size_t oh = oh_lo; oh < oh_hi; ++oh) {
                        T* o = out + oh * g.out_w;
                        const T* xr = xc + (oh * g.sh + i * g.dh - g.pad_top) * g.in_w;
                        std::fill(o, o + ow_lo, T(0));
                        // iw = ow*sw + j*dw - pl, in range for ow in [ow_lo, ow_hi)
                        const T* src = xr + (ow_lo * g.sw + j * g.dw - g.pad_left);
                        if (g.sw == 1) {
                            std::copy(src, src + (ow_hi - ow_lo), o + ow_lo);
                        } else {
                            for (std::size_t ow = ow_lo; ow < ow_hi; ++ow, src += g.sw) o[ow] = *src;
                        }
                        std::fill(o + ow_hi, o + g.out_w, T(0));
                    }
                    std::fill(out + oh_hi * g.out_w, out + plane, T(0));
                }
            }
        }
    }
}

// col2im: the adjoint of im2col. ADDS every entry of col back onto the input position it
// was copied from (positions in the padding are dropped). dx must be zeroed by the caller.
template <class T>
void col2im(const window_geometry& g, const T* col, std::size_t samples, T* dx) {
    const std::size_t plane = g.out_plane();
    const std::size_t row_len = samples * plane;
    for (std::size_t c = 0; c < g.channels; ++c) {
        for (std::size_t i = 0; i < g.kh; ++i) {
            std::size_t oh_lo, oh_hi;
            valid_outputs(g.out_h, g.sh, i * g.dh, g.pad_top, g.in_h, oh_lo, oh_hi);
            for (std::size_t j = 0; j < g.kw; ++j) {
                std::size_t ow_lo, ow_hi;
                valid_outputs(g.out_w, g.sw, j * g.dw, g.pad_left, g.in_w, ow_lo, ow_hi);
                const T* row = col + ((c * g.kh + i) * g.kw + j) * row_len;
                for (std::size_t n = 0; n < samples; ++n) {
                    T* dxc = dx + n * g.in_sample() + c * g.in_plane();
                    const T* in = row + n * plane;
                    for (std::size_t oh = oh_lo; oh < oh_hi; ++oh) {
                        const T* o = in + oh * g.out_w;
                        T* dst = dxc + (oh * g.sh + i * g.dh - g.pad_top) * g.in_w +
                                 (ow_lo * g.sw + j * g.dw - g.pad_left);
                        if (g.sw == 1) {  // contiguous: a loop the compiler vectorises
                            const std::size_t count = ow_hi - ow_lo;
                            const T* src = o + ow_lo;
                            for (std::size_t k = 0; k < count; ++k) dst[k] += src[k];
                        } else {
                            for (std::size_t ow = ow_lo; ow < ow_hi; ++ow, dst += g.sw) *dst += o[ow];
                        }
                    }
                }
            }
        }
    }
}

}  // namespace detail
}  // namespace knit::nn
