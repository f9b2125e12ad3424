// The whole of knit: #include <knit/knit.hpp> and link knit::knit.
#pragma once

#include "knit/core.hpp"
#include "knit/grn.hpp"
#include "knit/nn.hpp"
