// Protocols: the seed protocol (and its leak), the pair-disjoint split and
// leave-one-network-out; all seeded and deterministic.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "knit/core/error.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/protocol.hpp"
#include "support/dream4.hpp"
#include "support/series.hpp"

using namespace knit;
using namespace knit::grn;

namespace {

time_series_data ramp_series(std::size_t genes, std::size_t experiments, std::size_t steps) {
    return test::make_series(genes, experiments, steps,
                             [](std::size_t e, std::size_t k, std::size_t g) { return 0.01 * double(e + k + g); });
}

// 12 genes, a chain G1 -> G2 -> ... -> G12 plus G12 -> G1 (12 edges), 10 experiments.
gold_standard ring(std::size_t genes) {
    std::vector<std::string> names;
    for (std::size_t g = 0; g < genes; ++g) names.push_back("G" + std::to_string(g + 1));
    gold_standard gs(names);
    for (std::size_t g = 0; g < genes; ++g) gs.add_edge(g, (g + 1) % genes);
    return gs;
}

std::tuple<std::size_t, std::size_t, std::size_t> pair_of(const pair_records& r, std::size_t i) {
    const pair_record rec = r.record(i);
    return {rec.network, rec.regulator, rec.target};
}

std::size_t count_positive(const pair_records& r, const std::vector<std::size_t>& v) {
    std::size_t n = 0;
    for (auto i : v) n += r.label(i);
    return n;
}

}  // namespace

TEST_CASE("seed protocol: balanced 80/20 record split, deterministic, and leaky") {
    const pair_records records(ramp_series(12, 10, 5), ring(12));
    const record_split a = seed_protocol_split(records, 0, 42);
    const record_split b = seed_protocol_split(records, 0, 42);
    const record_split c = seed_protocol_split(records, 0, 43);
    CHECK(a.train == b.train);
    CHECK(a.test == b.test);
    CHECK(a.test != c.test);
    // 12 edges x 10 experiments = 120 positives, 120 negatives; 20 % of 240 = 48 test.
    CHECK(a.test.size() == 48);
    CHECK(a.train.size() == 192);
    std::vector<std::size_t> all = a.train;
    all.insert(all.end(), a.test.begin(), a.test.end());
    std::sort(all.begin(), all.end());
    CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());  // disjoint
    CHECK(count_positive(records, all) == 120);
    // The leak (REFERENCE §4): most test records' pairs also have records in training.
    std::set<std::tuple<std::size_t, std::size_t, std::size_t>> train_pairs;
    for (auto i : a.train) train_pairs.insert(pair_of(records, i));
    std::size_t shared = 0;
    for (auto i : a.test) shared += train_pairs.count(pair_of(records, i));
    CHECK(shared > a.test.size() / 2);
    CHECK_THROWS_AS(seed_protocol_split(records, 0, 1, 1.5), value_error);
}

TEST_CASE("pair-disjoint split: no pair on both sides, stratified, optionally balanced") {
    const pair_records records(ramp_series(12, 10, 5), ring(12));
    const auto all = records.all_indices();
    pair_split_options options;  // 20 % test, balanced train, full test
    const record_split s = pair_disjoint_split(records, all, 9, options);
    const record_split s2 = pair_disjoint_split(records, all, 9, options);
    CHECK(s.train == s2.train);
    CHECK(s.test == s2.test);
    std::set<std::tuple<std::size_t, std::size_t, std::size_t>> train_pairs, test_pairs;
    for (auto i : s.train) train_pairs.insert(pair_of(records, i));
    for (auto i : s.test) test_pairs.insert(pair_of(records, i));
    for (const auto& p : test_pairs) CHECK(train_pairs.count(p) == 0);
    // 12 positive pairs -> 2 (round(2.4)) test; 120 negative pairs -> 24 test.
    CHECK(test_pairs.size() == 26);
    CHECK(s.test.size() == 260);  // every record of each test pair
    CHECK(count_positive(records, s.test) == 20);
    // Train: 10 positive pairs and as many negative pairs, whole pairs only.
    CHECK(train_pairs.size() == 20);
    CHECK(count_positive(records, s.train) == 100);
    CHECK(s.train.size() == 200);
    CHECK(std::is_sorted(s.test.begin(), s.test.end()));

    options.balance_test = true;
    options.balance_train = false;
    const record_split u = pair_disjoint_split(records, all, 9, options);
    CHECK(u.test.size() == 40);
    CHECK(u.train.size() == (132 - 26) * 10);
}

TEST_CASE("leave-one-network-out: train on the others, test on every record of one") {
    pair_records records;
    for (std::size_t g : {6, 8, 7}) records.add_network(ramp_series(g, 3, 4), ring(g));
    const auto folds = leave_one_network_out(records, 5);
    REQUIRE(folds.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        const network_fold& f = folds[k];
        CHECK(f.held_out == k);
        CHECK(f.test == records.network_indices(k));
        CHECK(f.train_networks.size() == 2);
        CHECK(std::find(f.train_networks.begin(), f.train_networks.end(), k) == f.train_networks.end());
        std::size_t expected_train = 0;
        for (auto other : f.train_networks) {
            const std::size_t genes = records.network_data(other).gene_count();
            expected_train += 2 * genes * 3;  // genes edges x 3 experiments, balanced
        }
        CHECK(f.train.size() == expected_train);
        CHECK(count_positive(records, f.train) == expected_train / 2);
        for (auto i : f.train) CHECK(records.record(i).network != k);
    }
    const auto again = leave_one_network_out(records, 5);
    CHECK(again[1].train == folds[1].train);
    CHECK(leave_one_network_out(records, 6)[1].train != folds[1].train);
    const network_fold unbalanced = leave_one_network_out(records, 0, 5, false);
    CHECK(unbalanced.train.size() == records.size() - records.network_indices(0).size());
    pair_records single(ramp_series(4, 1, 2), ring(4));
    CHECK_THROWS_AS(leave_one_network_out(single, 1), value_error);
}

KNIT_DREAM4_TEST_CASE("seed protocol on DREAM4 size 100 gives the paper's test-set sizes") {
    const std::string root = knit::test::dream4_dir().value();
    const std::size_t test_sizes[] = {704, 996, 780, 844, 772};  // REFERENCE §4
    for (int n = 1; n <= 5; ++n) {
        const time_series_data d = read_time_series(dream4_path(root, 100, n, dream4_file::time_series));
        const gold_standard gs = read_gold_standard(dream4_path(root, 100, n, dream4_file::gold_standard), d.genes);
        const pair_records records(d, gs);
        const record_split s = seed_protocol_split(records, 0, 2019);
        CHECK(s.test.size() == test_sizes[n - 1]);
        CHECK(s.train.size() == 4 * test_sizes[n - 1]);
        CHECK(count_positive(records, s.train) + count_positive(records, s.test) == gs.positives() * 10);
    }
}
