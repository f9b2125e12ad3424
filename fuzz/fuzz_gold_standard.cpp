// libFuzzer target: the gold-standard parsers (unsigned and signed, genes inferred or
// given). Any input must give a gold standard or a knit::error; anything else escaping
// (another exception, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/grn/gold_standard.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte picks the parser and whether the genes are given.
    const std::uint8_t mode = data[0];
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    static const std::vector<std::string> genes{"G1", "G2", "G3", "G4", "G5", "G10"};
    const std::vector<std::string>* given = (mode & 2) ? &genes : nullptr;
    try {
        const knit::grn::gold_standard gs =
            (mode & 1) ? knit::grn::parse_signed_gold_standard(text, "fuzz.tsv", given)
                       : knit::grn::parse_gold_standard(text, "fuzz.tsv", given);
        // Invariants of whatever was accepted.
        const auto edges = gs.edges();
        if (edges.size() != gs.positives() || gs.positives() > gs.pairs()) __builtin_trap();
        for (const auto& [r, t] : edges)
            if (r == t || !gs.is_edge(r, t) || ((mode & 1) && gs.sign(r, t) == 0)) __builtin_trap();
        for (std::size_t i = 0; i < gs.size(); ++i)
            if (gs.index(gs.genes()[i]) != i) __builtin_trap();
    } catch (const knit::error&) {
    }
    return 0;
}
