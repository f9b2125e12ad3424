// Whether the running CPU has AVX-512F, asked once. The hand-written AVX-512 kernels
// (conv2d, pool2d, Adam) are compiled into the library on x86-64 and chosen at run time,
// so one binary also runs, on the portable loops, where AVX-512 is missing.
#pragma once

namespace knit::nn::detail {

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
inline bool cpu_has_avx512() {
    static const bool has = __builtin_cpu_supports("avx512f");
    return has;
}
#endif

}  // namespace knit::nn::detail
