// The instruction sets knit's kernels run on, chosen at run time.
//
// The kernels (conv2d, pool2d, the LSTM's gates and cell, the activations, Adam) are
// written once on Highway (Debian libhwy-dev) and compiled for every level below; each
// call runs the best level the CPU has, up to a cap. The cap comes from the environment
// variable KNIT_SIMD, read when the program starts:
//
//   KNIT_SIMD=avx512|avx2|neon|scalar   at most this level (a level the CPU lacks means
//                                       the best one below it)
//   unset or empty                      the best the CPU has
//
// Any other value is refused at start-up: knit prints what it expected and the program
// exits with status 2. Tests and benchmarks move the cap with set_simd_cap() to run one
// kernel at every level the CPU has (tests/support/simd_levels.hpp).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace knit::nn {

// Ordered: a higher level is a superset of the ones below it on its architecture.
enum class simd_level {
    scalar,  // Highway's one-lane scalar target (HWY_SCALAR): any CPU
    neon,    // Arm NEON (128-bit)
    avx2,    // x86-64 AVX2 + FMA (256-bit)
    avx512,  // x86-64 AVX-512F (512-bit)
};

const char* simd_level_name(simd_level level);
// "avx512", "avx2", "neon" or "scalar" (case-sensitive); nullopt otherwise
std::optional<simd_level> parse_simd_level(std::string_view name);

// The levels this CPU can run, best first; scalar is always last.
std::vector<simd_level> simd_levels_available();
// The level the kernels run on now: the best available level at or below the cap.
simd_level simd_level_in_use();

// The cap (KNIT_SIMD's level at start-up, else avx512: no cap). Not thread-safe to move
// while kernels run on other threads.
simd_level simd_cap();
void set_simd_cap(simd_level cap);

}  // namespace knit::nn
