// Runs a test body at every SIMD level the CPU has (knit/nn/simd.hpp), best first, down
// to scalar, so each kernel path is checked against its naive reference in every run.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "knit/nn/simd.hpp"

namespace knit::test {

// A failure names the level. The cap is put back afterwards, also when a REQUIRE in body
// throws. Not for use while layers run on other threads.
template <class Body>
void for_each_simd_level(Body&& body) {
    struct restore {
        nn::simd_level cap;
        ~restore() { nn::set_simd_cap(cap); }
    } guard{nn::simd_cap()};
    for (nn::simd_level level : nn::simd_levels_available()) {
        const std::string simd = nn::simd_level_name(level);
        CAPTURE(simd);
        nn::set_simd_cap(level);
        REQUIRE(nn::simd_level_in_use() == level);
        body();
    }
}

}  // namespace knit::test
