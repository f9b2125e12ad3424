// Evaluation protocols (see include/knit/grn/protocol.hpp).
#include "knit/grn/protocol.hpp"

#include <algorithm>
#include <cmath>

#include "knit/core/error.hpp"

namespace knit::grn {

namespace {

void check_fraction(double f, const char* what) {
    KNIT_CHECK_AS(value_error, std::isfinite(f) && f >= 0 && f <= 1,
                  what << ": got test_fraction = " << f << ", expected a value in [0, 1]");
}

std::size_t rounded_share(double fraction, std::size_t n) {
    return static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
}

// A per-network engine: the seed mixed with the network number, so folds and networks
// draw independently of each other and of evaluation order.
rng network_engine(std::uint64_t seed, std::size_t network) {
    rng mixer(seed);
    for (std::size_t k = 0; k < network; ++k) mixer.split();
    return rng(mixer.split());
}

}  // namespace

record_split seed_protocol_split(const pair_records& records,
                                 const std::vector<std::size_t>& candidates, std::uint64_t seed,
                                 double test_fraction) {
    check_fraction(test_fraction, "seed_protocol_split");
    rng engine(seed);
    std::vector<std::size_t> balanced = balance_records(records, candidates, engine);
    engine.shuffle(balanced.begin(), balanced.end());
    const std::size_t test = rounded_share(test_fraction, balanced.size());
    record_split out;
    out.test.assign(balanced.begin(), balanced.begin() + static_cast<std::ptrdiff_t>(test));
    out.train.assign(balanced.begin() + static_cast<std::ptrdiff_t>(test), balanced.end());
    return out;
}

record_split seed_protocol_split(const pair_records& records, std::size_t network,
                                 std::uint64_t seed, double test_fraction) {
    return seed_protocol_split(records, records.network_indices(network), seed, test_fraction);
}

record_split pair_disjoint_split(const pair_records& records,
                                 const std::vector<std::size_t>& candidates, std::uint64_t seed,
                                 const pair_split_options& options) {
    check_fraction(options.test_fraction, "pair_disjoint_split");
    // Group the candidates by pair: key = index of the pair's experiment-0 record.
    struct entry {
        std::size_t pair;
        std::size_t index;
    };
    std::vector<entry> entries;
    entries.reserve(candidates.size());
    for (std::size_t index : candidates) {
        pair_record rec = records.record(index);
        rec.experiment = 0;
        entries.push_back({records.index_of(rec), index});
    }
    std::sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) {
        return a.pair != b.pair ? a.pair < b.pair : a.index < b.index;
    });
    std::vector<std::size_t> positive_pairs, negative_pairs;  // positions of a group's start
    std::vector<std::size_t> group_end;
    for (std::size_t i = 0; i < entries.size();) {
        std::size_t j = i;
        while (j < entries.size() && entries[j].pair == entries[i].pair) ++j;
        (records.label(entries[i].pair) ? positive_pairs : negative_pairs).push_back(i);
        group_end.push_back(j);
        i = j;
    }
    // group_end is indexed by group number; map a group's start back to its end.
    std::vector<std::size_t> end_of(entries.size() + 1, 0);
    {
        std::size_t start = 0;
        for (std::size_t end : group_end) {
            end_of[start] = end;
            start = end;
        }
    }

    rng engine(seed);
    engine.shuffle(positive_pairs.begin(), positive_pairs.end());
    engine.shuffle(negative_pairs.begin(), negative_pairs.end());
    const std::size_t test_pos = rounded_share(options.test_fraction, positive_pairs.size());
    const std::size_t test_neg = rounded_share(options.test_fraction, negative_pairs.size());

    // Balancing keeps a random subset of the (already shuffled) negative pairs: the first
    // as many as there are positive pairs on that side.
    auto side = [&](std::size_t pos_begin, std::size_t pos_end, std::size_t neg_begin,
                    std::size_t neg_end, bool balance) {
        if (balance) neg_end = std::min(neg_end, neg_begin + (pos_end - pos_begin));
        std::vector<std::size_t> out;
        auto take = [&](std::size_t start) {
            for (std::size_t k = start; k < end_of[start]; ++k) out.push_back(entries[k].index);
        };
        for (std::size_t g = pos_begin; g < pos_end; ++g) take(positive_pairs[g]);
        for (std::size_t g = neg_begin; g < neg_end; ++g) take(negative_pairs[g]);
        std::sort(out.begin(), out.end());
        return out;
    };
    record_split out;
    out.test = side(0, test_pos, 0, test_neg, options.balance_test);
    out.train = side(test_pos, positive_pairs.size(), test_neg, negative_pairs.size(),
                     options.balance_train);
    return out;
}

network_fold leave_one_network_out(const pair_records& records, std::size_t held_out,
                                   std::uint64_t seed, bool balance_train) {
    KNIT_CHECK_AS(value_error, records.network_count() >= 2,
                  "leave_one_network_out: got " << records.network_count()
                                                << " networks, expected at least 2");
    KNIT_CHECK_AS(value_error, held_out < records.network_count(),
                  "leave_one_network_out: got held-out network " << held_out << ", expected < "
                                                                 << records.network_count());
    network_fold fold;
    fold.held_out = held_out;
    fold.test = records.network_indices(held_out);
    for (std::size_t k = 0; k < records.network_count(); ++k) {
        if (k == held_out) continue;
        fold.train_networks.push_back(k);
        std::vector<std::size_t> indices = records.network_indices(k);
        if (balance_train) {
            rng engine = network_engine(seed, k);
            indices = balance_records(records, indices, engine);
        }
        fold.train.insert(fold.train.end(), indices.begin(), indices.end());
    }
    return fold;
}

std::vector<network_fold> leave_one_network_out(const pair_records& records, std::uint64_t seed,
                                                bool balance_train) {
    std::vector<network_fold> folds;
    for (std::size_t k = 0; k < records.network_count(); ++k)
        folds.push_back(leave_one_network_out(records, k, seed, balance_train));
    return folds;
}

}  // namespace knit::grn
