#include "knit/core/parallel.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cfenv>
#include <exception>
#include <thread>
#include <vector>

#include "knit/core/blas.hpp"
#include "knit/core/error.hpp"

namespace knit {
namespace {

thread_local bool running_task = false;

// Marks the current thread as running tasks for its lifetime (nested loops run serially).
class task_scope {
public:
    task_scope() : saved_(running_task) { running_task = true; }
    ~task_scope() { running_task = saved_; }
    task_scope(const task_scope&) = delete;
    task_scope& operator=(const task_scope&) = delete;

private:
    bool saved_;
};

// OpenBLAS at one thread for its lifetime; its previous count comes back on destruction.
class single_threaded_blas {
public:
    single_threaded_blas() : saved_(blas_threads()) { set_blas_threads(1); }
    ~single_threaded_blas() { set_blas_threads(saved_); }
    single_threaded_blas(const single_threaded_blas&) = delete;
    single_threaded_blas& operator=(const single_threaded_blas&) = delete;

private:
    int saved_;
};

}  // namespace

bool in_parallel_task() { return running_task; }

std::size_t hardware_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
}

namespace {

// The tasks on a team of min(threads, count) threads; count >= 2, threads >= 2.
void run_team(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& body) {
    const int team = static_cast<int>(std::min<std::size_t>({threads, count, 1024}));
    // One slot per task: which task failed is known without a lock, and the lowest index
    // wins whatever the order the threads finished in.
    std::vector<std::exception_ptr> failures(count);
    std::atomic<bool> failed{false};
    std::atomic<std::size_t> next{0};
    // The floating-point environment (rounding, and on x86 MXCSR's flush-to-zero and
    // denormals-are-zero bits) is per thread: every task runs with the caller's, as it
    // would in a serial loop, whatever the pool's threads held before.
    std::fenv_t caller_env;
    std::fegetenv(&caller_env);
    // Each thread pulls the next index from a shared counter rather than relying on an
    // OpenMP schedule, so indices start in increasing order: when task i throws, every
    // task below i has already started and runs to its end.
#pragma omp parallel num_threads(team)
    {
        const task_scope scope;
        std::fenv_t own_env;
        std::fegetenv(&own_env);
        std::fesetenv(&caller_env);
        for (;;) {
            if (failed.load(std::memory_order_relaxed)) break;
            const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
            if (i >= count) break;
            try {
                body(i);
            } catch (...) {
                failures[i] = std::current_exception();
                failed.store(true, std::memory_order_relaxed);
            }
        }
        std::fesetenv(&own_env);
    }
    for (const auto& e : failures)
        if (e) std::rethrow_exception(e);
}

}  // namespace

void parallel_for(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& body) {
    KNIT_CHECK_AS(value_error, threads >= 1, "parallel_for: got " << threads << " threads, expected at least 1");
    if (running_task || count == 0) {
        for (std::size_t i = 0; i < count; ++i) body(i);
        return;
    }
    // On one thread too: multi-threaded OpenBLAS splits a product's work differently, which
    // can move the last bits of its results, and the tasks' results must not depend on
    // `threads`.
    const single_threaded_blas blas;
    if (threads == 1 || count == 1) {
        for (std::size_t i = 0; i < count; ++i) body(i);
        return;
    }
    run_team(count, threads, body);
}

void parallel_for_without_blas(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& body) {
    KNIT_CHECK_AS(value_error, threads >= 1,
                  "parallel_for_without_blas: got " << threads << " threads, expected at least 1");
    if (running_task || count <= 1 || threads == 1) {
        for (std::size_t i = 0; i < count; ++i) body(i);
        return;
    }
    run_team(count, threads, body);
}

}  // namespace knit
