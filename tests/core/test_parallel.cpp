// parallel_for's contract (include/knit/core/parallel.hpp), and parallel_for_without_blas's: every index once, the caller
// gets the exception a serial loop would have met first, BLAS at one thread inside.
#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "knit/core/blas.hpp"
#include "knit/core/parallel.hpp"

TEST_CASE("parallel_for runs every index exactly once, for any thread count") {
    for (std::size_t threads : {1u, 2u, 3u, 8u}) {
        for (std::size_t count : {0u, 1u, 2u, 7u, 100u}) {
            std::vector<std::atomic<int>> runs(count);
            knit::parallel_for(count, threads, [&](std::size_t i) { runs[i].fetch_add(1); });
            for (std::size_t i = 0; i < count; ++i) {
                INFO("threads " << threads << ", count " << count << ", index " << i);
                CHECK(runs[i].load() == 1);
            }
        }
    }
}

TEST_CASE("parallel_for: an exception in a task reaches the caller, the lowest index's first") {
    for (std::size_t threads : {1u, 2u, 4u}) {
        INFO("threads " << threads);
        std::atomic<int> ran{0};
        try {
            knit::parallel_for(50, threads, [&](std::size_t i) {
                ran.fetch_add(1);
                if (i == 7 || i == 9) throw std::runtime_error("task " + std::to_string(i));
            });
            FAIL("no exception reached the caller");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "task 7");
        }
        // Every task below the one that threw ran; some after it may have been skipped.
        CHECK(ran.load() >= 8);
        CHECK(ran.load() <= 50);
    }
}

TEST_CASE("parallel_for: BLAS at one thread inside the tasks, restored after; nested loops serial") {
    knit::set_blas_threads(2);
    const int outside = knit::blas_threads();
    std::vector<int> inside(4, -1);
    std::vector<int> nested_in_task(4, 0);
    knit::parallel_for(4, 2, [&](std::size_t i) {
        inside[i] = knit::blas_threads();
        // A nested loop runs on this task's thread, in order.
        std::vector<std::size_t> order;
        knit::parallel_for(3, 2, [&](std::size_t j) { order.push_back(j); });
        nested_in_task[i] = order == std::vector<std::size_t>{0, 1, 2} && knit::in_parallel_task();
    });
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(inside[i] == 1);
        CHECK(nested_in_task[i] == 1);
    }
    CHECK(knit::blas_threads() == outside);
    CHECK_FALSE(knit::in_parallel_task());
    knit::set_blas_threads(1);
}

TEST_CASE("parallel_for refuses 0 threads") {
    CHECK_THROWS_AS(knit::parallel_for(3, 0, [](std::size_t) {}), knit::value_error);
}

TEST_CASE("parallel_for_without_blas: every index once, exceptions as parallel_for's, BLAS left alone") {
    knit::set_blas_threads(2);
    const int outside = knit::blas_threads();
    for (std::size_t threads : {1u, 2u, 3u}) {
        INFO("threads " << threads);
        std::vector<std::atomic<int>> runs(37);
        std::vector<int> seen(37, -1);
        knit::parallel_for_without_blas(37, threads, [&](std::size_t i) {
            runs[i].fetch_add(1);
            seen[i] = knit::blas_threads();
        });
        for (std::size_t i = 0; i < 37; ++i) {
            CHECK(runs[i].load() == 1);
            CHECK(seen[i] == outside);  // not set to 1 around the tasks
        }
        try {
            knit::parallel_for_without_blas(20, threads, [&](std::size_t i) {
                if (i == 4 || i == 11) throw std::runtime_error("task " + std::to_string(i));
            });
            FAIL("no exception reached the caller");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "task 4");
        }
    }
    CHECK(knit::blas_threads() == outside);
    CHECK_THROWS_AS(knit::parallel_for_without_blas(3, 0, [](std::size_t) {}), knit::value_error);
    knit::set_blas_threads(1);
}
