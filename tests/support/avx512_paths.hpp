// Runs a test body on both kernel paths: the hand-written AVX-512 kernels (conv2d, pool2d,
// Adam, lstm<float>) where the CPU has them, then the portable loops, through the test
// switch nn::detail::avx512_switched_off() (include/knit/nn/detail/cpu.hpp). So the
// portable loops are tested in every run, not only in a -DKNIT_NO_AVX512 build.
#pragma once

#include <doctest/doctest.h>

#include "knit/nn/detail/cpu.hpp"

namespace knit::test {

// body() runs twice; a failure names the pass (portable = false: AVX-512 where the CPU
// has it; true: the portable loops). The switch is off again afterwards, also when a
// REQUIRE in body throws. Not for use while layers run on other threads.
template <class Body>
void for_both_kernel_paths(Body&& body) {
    struct restore {
        ~restore() { nn::detail::avx512_switched_off() = false; }
    } guard;
    // Else a switch left on would make the "AVX-512" pass quietly test the portable path twice.
    if (nn::detail::cpu_has_avx512()) REQUIRE(nn::detail::use_avx512());
    for (bool portable : {false, true}) {
        CAPTURE(portable);
        nn::detail::avx512_switched_off() = portable;
        body();
    }
}

}  // namespace knit::test
