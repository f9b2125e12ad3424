// knit/grn.hpp alone brings every public knit::grn header (umbrella/uses_grn.hpp).
#include <knit/grn.hpp>

#include <doctest/doctest.h>

#include "umbrella/uses_grn.hpp"

TEST_CASE("umbrella knit/grn.hpp: one use of each of its 23 headers") { CHECK(knit::test::umbrella::use_grn() == 23); }
