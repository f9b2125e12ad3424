// knit::nn's SIMD levels (knit/nn/simd.hpp) on top of Highway's run-time dispatch: a cap
// is a set of Highway targets, handed to hwy::SetSupportedTargetsForTest, which is how
// Highway itself runs one kernel on every target. HWY_DYNAMIC_DISPATCH then picks the
// best target left.
#include "knit/nn/simd.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <hwy/targets.h>

#include "nn/simd_dispatch.hpp"

namespace knit::nn {
namespace {

// The Highway targets at or below a level (on every architecture: the bits of another
// architecture's targets are never supported, so they do no harm).
std::int64_t hwy_targets_up_to(simd_level level) {
    std::int64_t targets = HWY_SCALAR | HWY_EMU128;
    if (level >= simd_level::neon) targets |= HWY_NEON;
    if (level >= simd_level::avx2) targets |= HWY_AVX2;
    if (level >= simd_level::avx512) targets |= HWY_AVX3;
    return targets;
}

// What the CPU supports, asked before any cap replaces Highway's answer.
std::int64_t cpu_targets() {
    static const std::int64_t targets = hwy::SupportedTargets();
    return targets;
}

simd_level& cap_storage() {
    static simd_level cap = simd_level::avx512;
    return cap;
}

// KNIT_SIMD, once. An unknown value ends the program: a test or benchmark run on the
// wrong level would report numbers for a level it never ran.
bool read_environment() {
    const char* value = std::getenv("KNIT_SIMD");
    if (value == nullptr || *value == '\0') return true;
    const std::optional<simd_level> level = parse_simd_level(value);
    if (!level) {
        std::fprintf(stderr, "knit: KNIT_SIMD=%s is not a SIMD level: expected avx512, avx2, neon or scalar\n",
                     value);
        std::exit(2);
    }
    set_simd_cap(*level);
    return true;
}

// At start-up, wherever this file is linked (every kernel's dispatch links it).
const bool environment_read_at_start = detail::simd_environment_applied();

}  // namespace

namespace detail {
bool simd_environment_applied() {
    static const bool applied = read_environment();
    return applied;
}
}  // namespace detail

const char* simd_level_name(simd_level level) {
    switch (level) {
        case simd_level::scalar: return "scalar";
        case simd_level::neon: return "neon";
        case simd_level::avx2: return "avx2";
        case simd_level::avx512: return "avx512";
    }
    return "?";
}

std::optional<simd_level> parse_simd_level(std::string_view name) {
    for (simd_level level : {simd_level::scalar, simd_level::neon, simd_level::avx2, simd_level::avx512})
        if (name == simd_level_name(level)) return level;
    return std::nullopt;
}

std::vector<simd_level> simd_levels_available() {
    std::vector<simd_level> levels;
    const std::int64_t cpu = cpu_targets();
    if (cpu & HWY_AVX3) levels.push_back(simd_level::avx512);
    if (cpu & HWY_AVX2) levels.push_back(simd_level::avx2);
    if (cpu & HWY_NEON) levels.push_back(simd_level::neon);
    levels.push_back(simd_level::scalar);
    return levels;
}

simd_level simd_level_in_use() {
    detail::simd_environment_applied();
    for (simd_level level : simd_levels_available())
        if (level <= cap_storage()) return level;
    return simd_level::scalar;
}

simd_level simd_cap() {
    detail::simd_environment_applied();
    return cap_storage();
}

void set_simd_cap(simd_level cap) {
    const std::int64_t cpu = cpu_targets();  // before the first cap hides it
    cap_storage() = cap;
    // 0 lifts Highway's mock: with no cap, dispatch sees the CPU as it is.
    hwy::SetSupportedTargetsForTest(cap == simd_level::avx512 ? 0 : (cpu & hwy_targets_up_to(cap)));
}

}  // namespace knit::nn
