# Sourced by the scripts that train models whose bytes are compared or whose checksums
# the docs quote (train-shipped-models.sh, simulated-only.sh). A model's bits depend on
# the kernels OpenBLAS runs: its Haswell and SkylakeX sgemm kernels sum in different
# orders, and it picks one from the CPU model. On an x86-64 CPU with AVX2 and FMA this
# pins OpenBLAS's Haswell kernels and knit's avx2 level, whatever the caller exported, so
# that every such CPU trains the same bytes (models/README.md). Sets knit_kernels_pinned
# to 1 when it pinned them, 0 on other CPUs (which train other bytes).
if grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo 2>/dev/null; then
  export OPENBLAS_CORETYPE=Haswell KNIT_SIMD=avx2
  knit_kernels_pinned=1
else
  knit_kernels_pinned=0
fi
