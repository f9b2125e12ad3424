#include "knit/core/blas.hpp"

#include <cblas.h>

#include <cstdlib>

namespace knit {
namespace {
CBLAS_TRANSPOSE to_cblas(transpose t) { return t == transpose::yes ? CblasTrans : CblasNoTrans; }

// BLAS takes int extents; refuse anything that would not fit rather than wrap around.
int to_blas_int(std::size_t v, const char* what) {
    KNIT_CHECK(v <= 2147483647u, "gemm " << what << ": got " << v << ", expected at most 2^31-1");
    return static_cast<int>(v);
}
}  // namespace

void gemm(transpose trans_a, transpose trans_b, std::size_t m, std::size_t n,
                 std::size_t k, float alpha, const float* a, std::size_t lda, const float* b,
                 std::size_t ldb, float beta, float* c, std::size_t ldc) {
    if (m == 0 || n == 0) return;
    cblas_sgemm(CblasRowMajor, to_cblas(trans_a), to_cblas(trans_b), to_blas_int(m, "m"),
                to_blas_int(n, "n"), to_blas_int(k, "k"), alpha, a,
                to_blas_int(lda ? lda : 1, "lda"), b, to_blas_int(ldb ? ldb : 1, "ldb"), beta, c,
                to_blas_int(ldc, "ldc"));
}

void gemm(transpose trans_a, transpose trans_b, std::size_t m, std::size_t n,
                  std::size_t k, double alpha, const double* a, std::size_t lda, const double* b,
                  std::size_t ldb, double beta, double* c, std::size_t ldc) {
    if (m == 0 || n == 0) return;
    cblas_dgemm(CblasRowMajor, to_cblas(trans_a), to_cblas(trans_b), to_blas_int(m, "m"),
                to_blas_int(n, "n"), to_blas_int(k, "k"), alpha, a,
                to_blas_int(lda ? lda : 1, "lda"), b, to_blas_int(ldb ? ldb : 1, "ldb"), beta, c,
                to_blas_int(ldc, "ldc"));
}

std::string blas_core_name() {
    const char* name = openblas_get_corename();
    return name ? name : "";
}

std::string blas_core_override() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return "";
    const std::string core = blas_core_name();
    if (core != "Prescott" && core != "Core2" && core != "Nehalem") return "";
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return "";
}

void set_blas_threads(int threads) {
    KNIT_CHECK(threads >= 0, "BLAS threads: got " << threads << ", expected >= 0");
    if (threads > 0) openblas_set_num_threads(threads);
}

int blas_threads() { return openblas_get_num_threads(); }

}  // namespace knit
