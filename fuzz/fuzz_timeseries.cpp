// libFuzzer target: the time-series reader. Only knit::error may come out of it, and
// whatever it accepts must survive write -> read unchanged, bit for bit.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "knit/core/error.hpp"
#include "knit/grn/dream4.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    knit::grn::time_series_data parsed;
    try {
        parsed = knit::grn::parse_time_series(text, "fuzz.tsv");
    } catch (const knit::error&) {
        return 0;
    }
    const auto again = knit::grn::parse_time_series(knit::grn::format_time_series(parsed), "again.tsv");
    if (again.genes != parsed.genes || again.experiments.size() != parsed.experiments.size())
        std::abort();
    for (std::size_t e = 0; e < parsed.experiments.size(); ++e) {
        const auto& a = parsed.experiments[e];
        const auto& b = again.experiments[e];
        if (a.times != b.times || a.values.size() != b.values.size() ||
            std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)) != 0)
            std::abort();
    }
    return 0;
}
