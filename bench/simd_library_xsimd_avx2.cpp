// xsimd's AVX2 kernels for bench_simd_library: this file alone is compiled with -mavx2
// -mfma (bench/CMakeLists.txt), as xsimd 8.1 has no AVX2 types without them.
#include "simd_library_xsimd.hpp"

namespace knit::bench::xs {

template void plane_correlate<xsimd::fma3<xsimd::avx2>>(xsimd::fma3<xsimd::avx2>, const plane_problem&);
template void plane_correlate<xsimd::avx2>(xsimd::avx2, const plane_problem&);
template void adam<xsimd::fma3<xsimd::avx2>>(xsimd::fma3<xsimd::avx2>, const adam_problem&);
template void adam<xsimd::avx2>(xsimd::avx2, const adam_problem&);

}  // namespace knit::bench::xs
