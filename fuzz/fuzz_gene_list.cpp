// libFuzzer target: the gene-list parser (score --genes, one gene per line). Only
// knit::error may come out; an accepted list holds unique names that every knit output can
// hold (no space, TAB, comma, quote, line break or control character).
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>

#include "knit/core/error.hpp"
#include "knit/grn/gold_standard.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto genes = knit::grn::parse_gene_list(text, "fuzz.txt");
        if (genes.empty()) __builtin_trap();
        std::unordered_set<std::string> seen;
        for (const auto& g : genes) {
            if (g.empty() || !seen.insert(g).second) __builtin_trap();
            for (char c : g) {
                const auto u = static_cast<unsigned char>(c);
                if (u < 0x20 || u == 0x7f || c == ' ' || c == ',' || c == '"') __builtin_trap();
            }
        }
    } catch (const knit::error&) {
    }
    return 0;
}
