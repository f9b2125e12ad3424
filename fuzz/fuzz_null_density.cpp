// libFuzzer target: the null-density parser (pdf_<name>_N.tsv) and the p-value on what it
// accepted. Only knit::error may come out.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "knit/core/error.hpp"
#include "knit/grn/metrics.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto d = knit::grn::parse_null_density(text, "fuzz.tsv");
        if (d.auroc_x.size() < 2 || d.auroc_x.size() != d.aupr_y.size()) __builtin_trap();
        for (double score : {0.0, 0.5, 1.0}) {
            const double p = knit::grn::null_p_value(d.auroc_x, d.auroc_y, score);
            if (std::isnan(p)) __builtin_trap();
            (void)knit::grn::null_p_value(d.aupr_x, d.aupr_y, score);
        }
    } catch (const knit::error&) {
    }
    return 0;
}
