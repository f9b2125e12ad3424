// knit/nn/simd.hpp: level names, the levels a CPU has, and the cap that KNIT_SIMD and
// set_simd_cap() put on them.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "knit/nn/simd.hpp"
#include "support/simd_levels.hpp"

using namespace knit;
using nn::simd_level;

TEST_CASE("simd levels: every name parses back to its level, anything else is refused") {
    for (simd_level level : {simd_level::scalar, simd_level::neon, simd_level::avx2, simd_level::avx512})
        CHECK(nn::parse_simd_level(nn::simd_level_name(level)) == level);
    for (const char* bad : {"", "AVX2", "avx", "sse4", "avx512f", "scalar "}) {
        CAPTURE(bad);
        CHECK_FALSE(nn::parse_simd_level(bad).has_value());
    }
}

TEST_CASE("simd levels: the CPU's levels, best first, end at scalar; the cap picks the best one under it") {
    const std::vector<simd_level> levels = nn::simd_levels_available();
    REQUIRE(!levels.empty());
    // one line in every run, so a log says which kernels were tested (scripts/test-aarch64.sh)
    std::string names;
    for (simd_level level : levels) names += std::string(names.empty() ? "" : " ") + nn::simd_level_name(level);
    MESSAGE("simd levels available: ", names);
    CHECK(levels.back() == simd_level::scalar);
    CHECK(std::is_sorted(levels.rbegin(), levels.rend()));
#if defined(__x86_64__)
    // every x86-64 CPU this project supports in CI has AVX2 (the 2-core machine is an AMD EPYC)
    CHECK(std::find(levels.begin(), levels.end(), simd_level::avx2) != levels.end());
#endif
    const simd_level before = nn::simd_cap();
    nn::set_simd_cap(simd_level::scalar);
    CHECK(nn::simd_level_in_use() == simd_level::scalar);
    nn::set_simd_cap(simd_level::avx512);  // no cap: the best the CPU has
    CHECK(nn::simd_level_in_use() == levels.front());
    nn::set_simd_cap(before);
}

TEST_CASE("simd levels: for_each_simd_level visits each level once and restores the cap") {
    const simd_level before = nn::simd_cap();
    std::vector<simd_level> seen;
    test::for_each_simd_level([&] { seen.push_back(nn::simd_level_in_use()); });
    CHECK(seen == nn::simd_levels_available());
    CHECK(nn::simd_cap() == before);
}
