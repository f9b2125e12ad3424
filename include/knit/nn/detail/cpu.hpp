// Whether the running CPU has AVX-512F, asked once. The hand-written AVX-512 kernels
// (conv2d, pool2d, Adam, lstm<float>) are compiled into the library on x86-64 and chosen
// at run time, so one binary also runs, on the portable loops, where AVX-512 is missing.
#pragma once

namespace knit::nn::detail {

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
inline bool cpu_has_avx512() {
    static const bool has = __builtin_cpu_supports("avx512f");
    return has;
}
#else
inline bool cpu_has_avx512() { return false; }
#endif

// Tests set this to run the portable kernels on an AVX-512 machine too (through
// tests/support/avx512_paths.hpp). The kernels that honour it, by asking use_avx512()
// instead of cpu_has_avx512(): conv2d (grid, plane, relu backward), pool2d (1x2 pairs),
// Adam (float) and lstm<float>. Not thread-safe to flip while layers run.
inline bool& avx512_switched_off() {
    static bool off = false;
    return off;
}
inline bool use_avx512() { return cpu_has_avx512() && !avx512_switched_off(); }

}  // namespace knit::nn::detail
