# Sourced by the scripts: on CPUs with AVX-512 (or AVX2), ask OpenBLAS for matching
# kernels unless the caller already chose. Debian's OpenBLAS 0.3.21 falls back to its
# generic SSE3 kernels on virtual machines that hide the CPU model, which makes every
# matrix product 4-5x slower (docs/performance.md). knit-grn does the same by itself.
if [ -z "${OPENBLAS_CORETYPE+x}" ] && [ -r /proc/cpuinfo ]; then
  flags=$(grep -m1 '^flags' /proc/cpuinfo)
  if [[ " $flags " == *" avx512f "* && " $flags " == *" avx512bw "* && " $flags " == *" avx512vl "* && " $flags " == *" avx512dq "* ]]; then
    export OPENBLAS_CORETYPE=SkylakeX
  elif [[ " $flags " == *" avx2 "* && " $flags " == *" fma "* ]]; then
    export OPENBLAS_CORETYPE=Haswell
  fi
fi
