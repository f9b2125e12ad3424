// Evaluation protocols over pair records (REFERENCE §4 and §5). Each returns index sets
// into a grn::pair_records; all are seeded and deterministic (same seed, same sets).
//
//   seed_protocol_split      the paper's protocol: balance the records (all positives +
//                            an equal random draw of negatives), shuffle, cut test_fraction
//                            off for testing. It LEAKS: a pair's perturbations land on both
//                            sides, and raw series identify genes, so a model can score test
//                            records by recognising the pair. Its numbers sit on a 0.5 AUPR
//                            baseline; use it only to check the paper.
//   pair_disjoint_split      every record of a pair lands on one side (stratified by label).
//   leave_one_network_out    per held-out network: train on the (balanced) records of the
//                            other networks, test on all n(n-1) E records of the held-out
//                            one, to rank all its pairs (aggregate_pair_scores) with the
//                            DREAM metric.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "knit/grn/pairs.hpp"

namespace knit::grn {

struct record_split {
    std::vector<std::size_t> train;
    std::vector<std::size_t> test;
};

// The seed protocol over `candidates` (usually one network's records). The test side
// holds round(test_fraction * balanced size) records; both sides are in shuffled order.
// For DREAM4 size 100 network 1 (176 edges x 10 experiments) that is 3,520 balanced
// records and 704 test records, as in the paper.
record_split seed_protocol_split(const pair_records& records,
                                 const std::vector<std::size_t>& candidates, std::uint64_t seed,
                                 double test_fraction = 0.2);
record_split seed_protocol_split(const pair_records& records, std::size_t network,
                                 std::uint64_t seed, double test_fraction = 0.2);

struct pair_split_options {
    double test_fraction = 0.2;  // of the positive pairs and of the negative pairs
    bool balance_train = true;   // undersample negative pairs to as many as positive pairs
    bool balance_test = false;   // the same on the test side (off: rank every test pair)
};

// Pairs (network, regulator, target) among the candidates' records go to test with
// probability-free stratification: round(test_fraction * positive pairs) positive pairs
// and round(test_fraction * negative pairs) negative pairs, drawn at random; all records of
// a pair follow it. Balancing draws whole pairs, so no pair is split by it either.
// Returns ascending indices.
record_split pair_disjoint_split(const pair_records& records,
                                 const std::vector<std::size_t>& candidates, std::uint64_t seed,
                                 const pair_split_options& options = {});

struct network_fold {
    std::size_t held_out = 0;                  // the network tested
    std::vector<std::size_t> train_networks;   // the others, ascending
    std::vector<std::size_t> train;            // balanced per training network, ascending
    std::vector<std::size_t> test;             // every record of the held-out network
};

// One fold per network (needs at least 2 networks). Training records are balanced within
// each training network with its own seeded draw, so a fold does not depend on the order
// the networks were added beyond their numbers.
std::vector<network_fold> leave_one_network_out(const pair_records& records, std::uint64_t seed,
                                                bool balance_train = true);
network_fold leave_one_network_out(const pair_records& records, std::size_t held_out,
                                   std::uint64_t seed, bool balance_train = true);

}  // namespace knit::grn
