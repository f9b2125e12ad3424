// libFuzzer target: the prediction-list parser (DREAM, arboreto and BEELINE forms), the
// writers in every form on what it accepted, then the DREAM scorer and the early precision
// (against a gold standard made from the names it read). Only knit::error may come out.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/grn/prediction.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto edges = knit::grn::parse_prediction(text, "fuzz.txt");
        if (edges.empty()) __builtin_trap();  // the parser refuses empty lists
        // What was read writes back in every format and reads back bit for bit.
        for (auto f : {knit::grn::edge_format::dream, knit::grn::edge_format::arboreto,
                       knit::grn::edge_format::beeline}) {
            knit::grn::edge_format detected = knit::grn::edge_format::dream;
            if (knit::grn::parse_prediction(knit::grn::format_edges(edges, f), "back", detected) != edges ||
                detected != f)
                __builtin_trap();
        }
        // Every accepted name can be written back (no space, TAB, comma, quote, control byte).
        for (const auto& e : edges)
            for (const std::string* name : {&e.regulator, &e.target})
                for (char c : *name) {
                    const auto u = static_cast<unsigned char>(c);
                    if (u < 0x20 || u == 0x7f || c == ' ' || c == ',' || c == '"') __builtin_trap();
                }
        // Genes: the first 64 distinct names; edges naming others count as unknown.
        std::vector<std::string> genes;
        std::unordered_map<std::string, bool> seen;
        for (const auto& e : edges)
            for (const std::string* name : {&e.regulator, &e.target})
                if (genes.size() < 64 && seen.emplace(*name, true).second) genes.push_back(*name);
        if (genes.size() < 2) return 0;
        knit::grn::gold_standard gs(genes);
        // Every third listed pair (by position) is a true edge; ensure one positive.
        for (std::size_t k = 0; k < edges.size(); k += 3) {
            const auto r = gs.index(edges[k].regulator), t = gs.index(edges[k].target);
            if (r && t && *r != *t && !gs.is_edge(*r, *t)) gs.add_edge(*r, *t);
        }
        if (gs.positives() == 0) gs.add_edge(0, 1);
        if (gs.negatives() == 0) return 0;
        const auto s = knit::grn::score_dream(edges, gs);
        if (!(s.auroc >= -1e-9 && s.auroc <= 1 + 1e-9 && s.aupr >= -1e-9 && s.aupr <= 1 + 1e-9))
            __builtin_trap();
        if (s.ranked + s.dropped_self_loops + s.dropped_unknown_genes + s.dropped_repeats !=
            edges.size())
            __builtin_trap();
        if (!(s.early_precision >= 0 && s.early_precision <= 1) || s.early_true_positives > s.early_called ||
            s.early_true_positives > gs.positives())
            __builtin_trap();
    } catch (const knit::error&) {
    }
    return 0;
}
