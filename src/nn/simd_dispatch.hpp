// For src/nn's Highway kernels: KNIT_SIMD_DISPATCH(f) is HWY_DYNAMIC_DISPATCH(f) after
// KNIT_SIMD has been read, so that the cap holds from a program's first kernel call (and
// so that every kernel links simd.cpp, which reads it at start-up).
#pragma once

namespace knit::nn::detail {
bool simd_environment_applied();
}

#define KNIT_SIMD_DISPATCH(f) (::knit::nn::detail::simd_environment_applied(), HWY_DYNAMIC_DISPATCH(f))
