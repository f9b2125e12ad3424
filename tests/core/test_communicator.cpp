// knit::communicator of this process alone (the one every sharded path uses without MPI;
// tests/mpi/test_mpi.cpp runs the MPI one on two ranks): rank 0 of 1, collectives that
// change nothing, and the helpers built on them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "knit/core/communicator.hpp"
#include "knit/core/error.hpp"

using namespace knit;

TEST_CASE("this_process: rank 0 of 1; broadcast and sum keep the values, gather copies them") {
    communicator& ranks = this_process();
    CHECK(ranks.rank() == 0);
    CHECK(ranks.size() == 1);
    std::vector<double> values{0.25, -3.0};
    ranks.broadcast(values.data(), values.size() * sizeof(double), 0);
    ranks.sum(values.data(), values.size());
    CHECK(values == std::vector<double>{0.25, -3.0});
    const std::string text = "ranked";
    const std::vector<char> got = ranks.gather(text.data(), text.size(), 0);
    CHECK(std::string(got.begin(), got.end()) == "ranked");
    CHECK(ranks.gather(nullptr, 0, 0).empty());
    CHECK_THROWS_AS(ranks.broadcast(values.data(), 8, 1), value_error);  // no rank 1
    CHECK_THROWS_AS(ranks.gather(text.data(), 1, 2), value_error);
    std::vector<int> list{3, 1, 2};
    broadcast_vector(ranks, list, 0);
    CHECK(list == std::vector<int>{3, 1, 2});
    CHECK(owner_of(0, ranks) == 0);
    CHECK(owner_of(7, ranks) == 0);
    CHECK_NOTHROW(check_same_on_every_rank(ranks, 42, "genes"));
}

TEST_CASE("rethrow_on_every_rank rethrows this rank's own failure and passes when there is none") {
    communicator& ranks = this_process();
    CHECK_NOTHROW(rethrow_on_every_rank(ranks, nullptr, "writing"));
    const std::exception_ptr failure = std::make_exception_ptr(io_error("disk full"));
    CHECK_THROWS_WITH_AS(rethrow_on_every_rank(ranks, failure, "writing"), "disk full", io_error);
}

TEST_CASE("deal_by_cost: longest first, each to the least-loaded rank, ties to the lowest") {
    // dynamics_feature_rows' task costs over 2 ranks, by hand: task 3 (4) -> 0, 0 (3) -> 1,
    // 1 (3) -> 1, 5 (3) -> 0, 7 (3) -> 1, 6 (2) -> 0, 2 (1) -> 0 (a tie), 4 (1) -> 1.
    const std::vector<double> cost{3, 3, 1, 4, 1, 3, 2, 3};
    CHECK(knit::by_decreasing_cost(cost) == std::vector<std::size_t>{3, 0, 1, 5, 7, 6, 2, 4});
    const auto owner = knit::deal_by_cost(cost, 2);
    std::vector<double> load(2, 0.0);
    for (std::size_t t = 0; t < cost.size(); ++t) load[owner[t]] += cost[t];
    CHECK(load == std::vector<double>{10, 10});
    CHECK(owner == std::vector<std::size_t>{1, 1, 0, 0, 1, 0, 0, 1});
    CHECK(knit::deal_by_cost(cost, 1) == std::vector<std::size_t>(8, 0));
    CHECK(knit::deal_by_cost({}, 3).empty());
    CHECK_THROWS_AS(knit::deal_by_cost(cost, 0), knit::value_error);
}
