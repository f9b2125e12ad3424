// Indices by decreasing score (see include/knit/core/score_order.hpp).
#include "knit/core/score_order.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace knit {
namespace {

// The unsigned key whose increasing order is the decreasing order of the scores. For
// doubles, flipping the sign bit of non-negatives and every bit of negatives makes unsigned
// order increasing-value order; the complement of that reverses it. -0 is read as +0, as
// the comparison `a > b` treats them alike.
std::uint64_t decreasing_key(double value) {
    if (value == 0.0) value = 0.0;
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    const std::uint64_t increasing = (bits >> 63) ? ~bits : bits | (std::uint64_t(1) << 63);
    return ~increasing;
}

struct keyed {
    std::uint64_t key;
    std::size_t index;
};

constexpr unsigned digit_bits = 11;
constexpr std::size_t buckets = std::size_t(1) << digit_bits;
constexpr unsigned passes = (64 + digit_bits - 1) / digit_bits;  // 6

}  // namespace

void order_by_decreasing_score_reference(const double* values, std::vector<std::size_t>& indices) {
    std::sort(indices.begin(), indices.end(), [values](std::size_t a, std::size_t b) {
        return values[a] > values[b] || (values[a] == values[b] && a < b);
    });
}

void order_by_decreasing_score_radix(const double* values, std::vector<std::size_t>& indices) {
    const std::size_t n = indices.size();
    std::vector<keyed> from(n), to(n);
    // Every pass's histogram in one read of the keys.
    std::vector<std::array<std::size_t, buckets>> counts(passes);
    for (auto& c : counts) c.fill(0);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t key = decreasing_key(values[indices[i]]);
        from[i] = {key, indices[i]};
        for (unsigned p = 0; p < passes; ++p) ++counts[p][(key >> (p * digit_bits)) & (buckets - 1)];
    }
    for (unsigned p = 0; p < passes; ++p) {
        std::array<std::size_t, buckets>& count = counts[p];
        // A digit that every key shares moves nothing: skip its pass.
        if (std::any_of(count.begin(), count.end(), [n](std::size_t c) { return c == n; })) continue;
        std::size_t start = 0;  // the counts become each bucket's first slot
        for (std::size_t& c : count) {
            const std::size_t here = c;
            c = start;
            start += here;
        }
        const unsigned shift = p * digit_bits;
        for (const keyed& k : from) to[count[(k.key >> shift) & (buckets - 1)]++] = k;
        std::swap(from, to);
    }
    for (std::size_t i = 0; i < n; ++i) indices[i] = from[i].index;
}

void order_by_decreasing_score(const double* values, std::vector<std::size_t>& indices) {
    if (indices.size() >= radix_threshold) order_by_decreasing_score_radix(values, indices);
    else order_by_decreasing_score_reference(values, indices);
}

}  // namespace knit
