// The order of a ranked list: indices sorted by decreasing score, ties by increasing index.
//
//   order_by_decreasing_score(values, indices)
//     requires  indices strictly increasing; values[i] not NaN for every i in indices
//     ensures   indices holds the same entries, values[a] > values[b] before b, or equal
//               values (-0 == +0) and a < b: one total order, so every correct sort of it
//               gives the same bytes
//
// Two ways to the same result:
//   * the reference: std::sort with that comparison (O(n log n) comparisons, each two
//     scattered reads of values[]);
//   * the fast path: a stable least-significant-digit radix sort of (key, index) pairs,
//     six passes of 11 bits over a 64-bit key made from the score's bits so that unsigned
//     order is decreasing score order. Stable passes keep equal keys in input order,
//     which is increasing index order: the tie rule comes free. Extra memory: 32 bytes a
//     pair (two arrays of (key, index)), while the reference sorts in place.
// order_by_decreasing_score takes the fast path for lists of radix_threshold entries or
// more. tests/core/test_score_order.cpp checks the two against each other.
#pragma once

#include <cstddef>
#include <vector>

namespace knit {

inline constexpr std::size_t radix_threshold = 4096;

void order_by_decreasing_score(const double* values, std::vector<std::size_t>& indices);

// The two paths, for tests and benchmarks.
void order_by_decreasing_score_reference(const double* values, std::vector<std::size_t>& indices);
void order_by_decreasing_score_radix(const double* values, std::vector<std::size_t>& indices);

}  // namespace knit
