// How the feature-row classes (dynamics_feature_rows, evidence_feature_rows) read one
// column's value for the ordered pair (regulator r, target t) from what they keep: a
// (G, G) row-major matrix at (r, t) or at (t, r), or a per-gene vector at r or at t.
// base[r * along_regulator + t * along_target] covers all four; the rows read it in their
// inner loop, where the tensors' own indexing would cost more than the value.
#pragma once

#include <cstddef>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/core/tensor.hpp"

namespace knit::grn::detail {

struct pair_view {
    const double* base = nullptr;
    std::size_t along_regulator = 0, along_target = 0;

    double at(std::size_t r, std::size_t t) const { return base[r * along_regulator + t * along_target]; }

    // m(r, t), or m(t, r) when transposed; m is (G, G).
    static pair_view of_matrix(const tensor<double>& m, bool transposed = false) {
        KNIT_ASSERT(m.dimension() == 2 && m.shape(0) == m.shape(1));
        const std::size_t g = m.shape(0);
        return transposed ? pair_view{m.data(), 1, g} : pair_view{m.data(), g, 1};
    }
    // v[r] (the regulator's value) or v[t] (the target's).
    static pair_view of_regulator(const std::vector<double>& v) { return {v.data(), 1, 0}; }
    static pair_view of_target(const std::vector<double>& v) { return {v.data(), 0, 1}; }
};

// Where a feature column comes from: matrix `index` at (r, t) or at (t, r), or per-gene
// vector `index` at the regulator or at the target.
enum class pair_source { pair, reverse_pair, regulator, target };

inline pair_view view_of(const std::vector<tensor<double>>& matrices, const std::vector<std::vector<double>>& vectors,
                         pair_source where, std::size_t index) {
    switch (where) {
        case pair_source::pair: return pair_view::of_matrix(matrices[index]);
        case pair_source::reverse_pair: return pair_view::of_matrix(matrices[index], true);
        case pair_source::regulator: return pair_view::of_regulator(vectors[index]);
        case pair_source::target: return pair_view::of_target(vectors[index]);
    }
    throw state_error("feature rows: a column source of unknown kind");
}

}  // namespace knit::grn::detail
