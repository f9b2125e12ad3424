// Explicit, seeded randomness. Every stochastic function in knit takes a knit::rng (or a
// seed that builds one); nothing reads a global engine.
//
// The distributions are written here rather than taken from <random> because the
// standard leaves std::uniform_real_distribution and std::normal_distribution
// implementation-defined: knit's draws are the same on every standard library.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "knit/core/error.hpp"

namespace knit {

class rng {
public:
    using engine_type = std::mt19937_64;
    explicit rng(std::uint64_t seed) : engine_(seed) {}

    // 64 uniformly random bits.
    std::uint64_t bits() { return engine_(); }

    // Uniform in [0, 1), 53 random mantissa bits.
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

    // Uniform in [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

    // Standard normal by the Box-Muller transform; the second value of each pair is kept.
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u1 = 0;
        while (u1 <= 0) u1 = uniform();
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        const double theta = 6.283185307179586476925 * u2;
        spare_ = r * std::sin(theta);
        has_spare_ = true;
        return r * std::cos(theta);
    }
    double normal(double mean, double stddev) { return mean + stddev * normal(); }

    // Normal truncated to within two standard deviations (Keras' truncated_normal).
    double truncated_normal(double mean, double stddev) {
        double z;
        do { z = normal(); } while (std::abs(z) > 2.0);
        return mean + stddev * z;
    }

    // Uniform integer in [0, n), without modulo bias.
    std::uint64_t below(std::uint64_t n) {
        KNIT_CHECK(n > 0, "rng::below: got n = 0, expected n > 0");
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        std::uint64_t v;
        do { v = engine_(); } while (v >= limit);
        return v % n;
    }

    // Fisher-Yates shuffle with this engine.
    template <class It>
    void shuffle(It first, It last) {
        const auto n = static_cast<std::uint64_t>(last - first);
        for (std::uint64_t i = n; i > 1; --i) std::swap(first[i - 1], first[below(i)]);
    }

    // A fresh, independent seed for a child engine (e.g. one per layer).
    std::uint64_t split() { return engine_() ^ 0x9E3779B97F4A7C15ull; }

    engine_type& engine() { return engine_; }

    // The whole state as text (the engine's standard stream form and the Box-Muller
    // spare), so that a checkpoint can continue the same stream of draws.
    std::string state() const;
    // Restores a state() text; refuses anything else with knit::value_error.
    void set_state(const std::string& text);

private:
    engine_type engine_;
    double spare_ = 0;
    bool has_spare_ = false;
};

// 0, 1, ..., n-1 in a seeded random order.
inline std::vector<std::size_t> permutation(std::size_t n, rng& g) {
    std::vector<std::size_t> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = i;
    g.shuffle(p.begin(), p.end());
    return p;
}

}  // namespace knit
