// libFuzzer target: the BEELINE pair reader (include/knit/grn/expression_table.hpp). The
// input is split at its first NUL byte: ExpressionData before, PseudoTime after (no NUL:
// an empty PseudoTime); each part is inflated first when it starts with the gzip magic
// bytes (capped at 1 MiB). Only knit::error may come out, and what the reader returns must
// validate() (times strictly increasing after tied pseudotimes are averaged).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "knit/core/error.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/expression_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace grn = knit::grn;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t split = input.find('\0');
    std::string expression(input.substr(0, split));
    std::string pseudotime(split == std::string_view::npos ? std::string_view() : input.substr(split + 1));
    grn::time_series_data parsed;
    try {
        if (grn::detail::is_gzip(expression))
            expression = grn::detail::inflate_gzip(expression, "ExpressionData.csv.gz", 1 << 20);
        if (grn::detail::is_gzip(pseudotime))
            pseudotime = grn::detail::inflate_gzip(pseudotime, "PseudoTime.csv.gz", 1 << 20);
        parsed = grn::parse_beeline(expression, pseudotime, "ExpressionData.csv", "PseudoTime.csv");
    } catch (const knit::error&) {
        return 0;
    }
    try {
        parsed.validate();
    } catch (const knit::error&) {
        std::abort();
    }
    return 0;
}
