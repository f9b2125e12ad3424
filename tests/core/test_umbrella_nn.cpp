// knit/nn.hpp alone brings every knit::nn header: one use of each (umbrella/uses_nn.hpp).
#include <knit/nn.hpp>

#include <doctest/doctest.h>

#include "umbrella/uses_nn.hpp"

TEST_CASE("umbrella knit/nn.hpp: one use of each of its 27 headers") { CHECK(knit::test::umbrella::use_nn() == 27); }
