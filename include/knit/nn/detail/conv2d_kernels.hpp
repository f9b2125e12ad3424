// The compiled kernels of conv2d<T> (include/knit/nn/conv2d.hpp): the argument structs
// and declarations of the shifted-grid and plane kernels and of the fused relu backward.
// They are defined in src/nn/conv2d_kernels.cpp (AVX-512 when the CPU has it, else portable
// loops), so this header is the contract between the layer and that file, kept apart
// from the layer so either side can be read without the other. The equations and
// buffer layouts behind the arguments: conv2d.hpp, detail/conv2d_plane.hpp,
// detail/conv2d_grid.hpp and docs/math/conv2d.md.
#pragma once

#include <cstddef>
#include <cstdint>

namespace knit::nn::detail {

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
// p < V*L, also under clear bits, must be inside the caller's buffer (the slack of
// conv2d_plane_layout, detail/conv2d_plane.hpp).
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

// Defined in src/nn/conv2d_kernels.cpp (AVX-512 when the CPU has it, else portable loops).
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

}  // namespace knit::nn::detail
