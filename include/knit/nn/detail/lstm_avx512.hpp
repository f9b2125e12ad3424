// AVX-512 kernels for lstm<float> (src/nn/lstm_avx512.cpp), used where use_avx512() holds.
//
// Forward, one step: the recurrent product h_{t-1} U runs as register tiles of R rows
// (samples) x 16 units x the 4 gates of those units. With U's columns repacked so that
// a tile's 64 columns are [i, f, g, o] of the same 16 units, the tile holds complete
// pre-activations, and the gate activations, c_t, tanh(c_t) and h_t are computed from
// the registers: z is never stored and read back. For narrow inputs the tile starts
// from b + x_t W (F broadcasts per row); otherwise from z_t = x_t W + b, computed for
// all steps by one GEMM beforehand.
//
// Backward, one step, per block of R rows: first the element-wise part (dZ_t from the
// cached gates, dc_{t-1}, and for narrow inputs dW and db summed over the block), then
// dL/dh_{t-1} = dZ_t U^T for the same rows while their dZ is in cache.
//
// U is packed once per forward (and U^T once per backward) instead of once per step as
// a BLAS call would. Units are padded to a multiple of 16 with zero columns; loads and
// stores of the padded lanes are masked. Shapes and layouts: docs/math/lstm.md.
#pragma once

#include <cstddef>

namespace knit::nn::detail {

// Whether the kernels are built in (x86-64) and use_avx512() holds.
bool lstm_avx512_available();

// The widest narrow input whose dW the backward kernel sums per row block
// (lstm_direct_features may not exceed it).
constexpr std::size_t lstm_avx512_max_features = 8;

// The widest layer the kernels run. A unit block's packed U (H x 64 floats) and group of
// U^T (4H x 64) are read whole by every row tile; at large H OpenBLAS's cache-blocked
// products with the portable step loops are faster
// (bench_lstm's train_step on these kernels against the portable path, when it was
// measured as train_step_portable: faster at H = 256, N = 100,
// slower at H = 512, N = 256; docs/performance-lstm.md).
constexpr std::size_t lstm_avx512_max_units = 256;

// The packed forward weights: U for every unit block, then for narrow inputs W and b.
// features: F for narrow inputs, 0 for wide ones (U alone; w and b are not read).
// w (F, 4H), u (H, 4H), b (4H).
std::size_t lstm_avx512_forward_pack_size(std::size_t features, std::size_t units);
void lstm_avx512_pack_forward(const float* w, const float* u, const float* b, std::size_t features,
                              std::size_t units, float* packed);
std::size_t lstm_avx512_backward_pack_size(std::size_t units);
void lstm_avx512_pack_backward(const float* u, std::size_t units, float* packed);

struct lstm_avx512_forward_step {
    const float* packed;   // lstm_avx512_pack_forward's output
    const float* x;        // narrow inputs: x_t (n, F); nullptr: gates holds z_t on entry
    const float* h_prev;   // (n, H)
    const float* c_prev;   // (n, H)
    float* gates;          // (n, 4H): activated [i, f, g, o] on exit
    float* c;              // (n, H)
    float* tanh_c;         // (n, H)
    float* h;              // (n, H)
    std::size_t n, features, units;
    bool hard;             // hard_sigmoid, else sigmoid
};
void lstm_avx512_forward(const lstm_avx512_forward_step& a);

struct lstm_avx512_backward_step {
    const float* packed;   // lstm_avx512_pack_backward's output
    const float* gates;    // (n, 4H) activated gates of step t
    const float* c_prev;   // (n, H)
    const float* tanh_c;   // (n, H)
    float* dh;             // (n, H): dL/dh_t on entry, dL/dh_{t-1} on exit if want_dh_prev
    float* dc;             // (n, H): dL/dc_t on entry, dL/dc_{t-1} on exit
    float* dz;             // (n, 4H): dL/dz_t; may be gates itself
    const float* x;        // narrow inputs: x_t (n, F), and dw, db are added to; else nullptr
    float* dw;             // (F, 4H)
    float* db;             // (4H)
    std::size_t n, features, units;
    bool hard;
    bool want_dh_prev;     // false at t = 0 from a zero state: nothing reads dL/dh_{-1}
};
void lstm_avx512_backward(const lstm_avx512_backward_step& a);

}  // namespace knit::nn::detail
