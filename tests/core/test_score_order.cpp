// order_by_decreasing_score: the radix path against the std::sort reference, entry for
// entry, on lists built to break it (ties, -0 and +0, negatives, infinities, subnormals,
// scores one bit apart, indices with gaps), and the order's defining property checked
// directly, so a reference and a radix sort wrong in the same way would still fail.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "knit/core/random.hpp"
#include "knit/core/score_order.hpp"

namespace {

// values[a] > values[b], or equal (with -0 == +0) and a < b, for every neighbour pair.
bool in_order(const std::vector<double>& values, const std::vector<std::size_t>& order) {
    for (std::size_t i = 1; i < order.size(); ++i) {
        const double a = values[order[i - 1]], b = values[order[i]];
        if (!(a > b || (a == b && order[i - 1] < order[i]))) return false;
    }
    return true;
}

// Every third index of the values, from `from`: increasing, with gaps.
std::vector<std::size_t> every_third(std::size_t count, std::size_t from) {
    std::vector<std::size_t> out;
    for (std::size_t i = from; i < count; i += 3) out.push_back(i);
    return out;
}

void check_both_paths(const std::vector<double>& values, const std::vector<std::size_t>& indices) {
    std::vector<std::size_t> reference = indices, radix = indices, chosen = indices;
    knit::order_by_decreasing_score_reference(values.data(), reference);
    knit::order_by_decreasing_score_radix(values.data(), radix);
    knit::order_by_decreasing_score(values.data(), chosen);
    CHECK(in_order(values, reference));
    CHECK(radix == reference);
    CHECK(chosen == reference);
}

}  // namespace

TEST_CASE("order_by_decreasing_score: the radix path is the reference's order on hostile lists") {
    const double inf = std::numeric_limits<double>::infinity();
    const double tiny = std::numeric_limits<double>::denorm_min();
    const std::vector<double> specials = {0.0,   -0.0, 1.0,  -1.0, inf,  -inf, tiny, -tiny,
                                          1e-310, 0.5, 0.25, std::numeric_limits<double>::max(),
                                          std::numeric_limits<double>::lowest()};
    knit::rng g(17);
    for (std::size_t count : {std::size_t(0), std::size_t(1), std::size_t(2), std::size_t(4095), std::size_t(4096),
                              std::size_t(60000)}) {
        CAPTURE(count);
        // Few distinct values (long runs of ties), special values, and values one bit apart.
        std::vector<double> ties(count), special(count), close(count), spread(count);
        for (std::size_t i = 0; i < count; ++i) {
            ties[i] = double(g.below(7)) / 4.0 - 0.5;
            special[i] = specials[g.below(specials.size())];
            double near = 0.75;  // 0 to 15 steps of one bit above 0.75, either sign
            for (std::uint64_t step = g.below(16); step > 0; --step) near = std::nextafter(near, 1.0);
            close[i] = g.uniform() < 0.5 ? near : -near;
            spread[i] = g.normal() * std::pow(10.0, double(g.below(41)) - 20);
        }
        for (const auto* values : {&ties, &special, &close, &spread}) {
            std::vector<std::size_t> all(count);
            for (std::size_t i = 0; i < count; ++i) all[i] = i;
            check_both_paths(*values, all);
            check_both_paths(*values, every_third(count, 1));
        }
    }
}

TEST_CASE("order_by_decreasing_score: -0 and +0 tie, equal scores keep index order, and the order is exact") {
    // Alternating signed zeros: one tie, so the order is the indices' (radix keys of -0
    // and +0 differ unless -0 is read as +0).
    std::vector<double> zeros(5000);
    for (std::size_t i = 0; i < zeros.size(); ++i) zeros[i] = i % 2 ? -0.0 : 0.0;
    std::vector<std::size_t> order(zeros.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    const std::vector<std::size_t> identity = order;
    knit::order_by_decreasing_score_radix(zeros.data(), order);
    CHECK(order == identity);
    // Rising scores come out reversed; a known small answer.
    std::vector<double> rising(8000);
    for (std::size_t i = 0; i < rising.size(); ++i) rising[i] = double(i) - 4000.5;
    std::vector<std::size_t> all(rising.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    knit::order_by_decreasing_score_radix(rising.data(), all);
    CHECK(all.front() == 7999);
    CHECK(all.back() == 0);
    CHECK(in_order(rising, all));
    const std::vector<double> few = {0.5, -1.0, 0.5, 2.0, -0.0, 0.0};
    std::vector<std::size_t> small = {0, 1, 2, 3, 4, 5};
    knit::order_by_decreasing_score(few.data(), small);
    CHECK(small == std::vector<std::size_t>{3, 0, 2, 4, 5, 1});
}
