// libFuzzer target: the steady-state reader (wildtype, knockouts, knockdowns,
// multifactorial). The first byte picks the kind. Only knit::error may come out, and what
// the reader accepts must survive write -> read unchanged.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "knit/core/error.hpp"
#include "knit/grn/dream4.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    using knit::grn::steady_state_kind;
    const steady_state_kind kinds[] = {steady_state_kind::wildtype, steady_state_kind::knockouts,
                                       steady_state_kind::knockdowns,
                                       steady_state_kind::multifactorial, steady_state_kind::other};
    const steady_state_kind kind = kinds[data[0] % 5];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    knit::grn::steady_state_data parsed;
    try {
        parsed = knit::grn::parse_steady_state(text, kind, "fuzz.tsv");
    } catch (const knit::error&) {
        return 0;
    }
    const auto again = knit::grn::parse_steady_state(knit::grn::format_steady_state(parsed), kind, "again.tsv");
    if (again.genes != parsed.genes || again.values.shape() != parsed.values.shape() ||
        std::memcmp(again.values.data(), parsed.values.data(), parsed.values.size() * sizeof(double)) != 0)
        std::abort();
    return 0;
}
