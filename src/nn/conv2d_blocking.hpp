// Cache blocking shared by conv2d's kernels: the Highway ones (conv2d_kernels.cpp) and the
// hand-written AVX-512 ones (conv2d_kernels_avx512.cpp). Register blocking depends on the
// instruction set and stays in each file.
#pragma once

#include <cstddef>

namespace knit::nn::detail {

// Positions per block of the grid processed while its inputs stay in L2.
constexpr std::size_t grid_chunk = 1024;

// Samples per chunk of plane_weight_grad: a row block of `a` (up to 4 rows) and one row
// of `b` for the chunk stay in L1 while every row of b and tap block sweeps them. 32 KB
// (of a 48 KB L1) measured best at the paper's conv2: smaller chunks mean more calls, each
// storing and reloading its lane sums; larger ones no longer stay in L1.
constexpr std::size_t plane_chunk_bytes = std::size_t(1) << 15;

// Splits `count` rows into register blocks of at most `most` rows, as even as possible
// (25 -> 5 x 5 rather than 4 x 6 + 1), and calls f(first row, rows in the block).
template <class F>
void for_each_row_block(std::size_t count, std::size_t most, F&& f) {
    const std::size_t blocks = (count + most - 1) / most;
    std::size_t first = 0;
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::size_t rows = count / blocks + (b < count % blocks ? 1 : 0);
        f(first, rows);
        first += rows;
    }
}

}  // namespace knit::nn::detail
