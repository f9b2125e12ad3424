// Whether the hand-written AVX-512 kernels run: only at the avx512 SIMD level
// (knit/nn/simd.hpp), so KNIT_SIMD and set_simd_cap() move them as they move the
// Highway kernels.
#pragma once

#include "knit/nn/simd.hpp"

namespace knit::nn::detail {

inline bool use_avx512() { return simd_level_in_use() == simd_level::avx512; }

}  // namespace knit::nn::detail
