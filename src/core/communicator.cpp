#include "knit/core/communicator.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "knit/core/error.hpp"

namespace knit {
namespace {

class single_process final : public communicator {
public:
    std::size_t rank() const override { return 0; }
    std::size_t size() const override { return 1; }
    void broadcast(void*, std::size_t, std::size_t root) override { check_root(root); }
    void sum(double*, std::size_t) override {}
    std::vector<char> gather(const void* bytes, std::size_t count, std::size_t root) override {
        check_root(root);
        std::vector<char> out(count);
        if (count > 0) std::memcpy(out.data(), bytes, count);
        return out;
    }

private:
    static void check_root(std::size_t root) {
        KNIT_CHECK_AS(value_error, root == 0, "communicator: got root " << root << ", expected 0 (one process)");
    }
};

}  // namespace

communicator& this_process() {
    static single_process alone;
    return alone;
}

std::vector<std::size_t> by_decreasing_cost(const std::vector<double>& cost) {
    std::vector<std::size_t> order(cost.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cost[a] > cost[b]; });
    return order;
}

std::vector<std::size_t> deal_by_cost(const std::vector<double>& cost, std::size_t ranks) {
    KNIT_CHECK_AS(value_error, ranks >= 1, "deal_by_cost: got 0 ranks, expected at least 1");
    std::vector<double> load(ranks, 0.0);
    std::vector<std::size_t> owner(cost.size(), 0);
    for (std::size_t task : by_decreasing_cost(cost)) {
        const std::size_t least = std::size_t(std::min_element(load.begin(), load.end()) - load.begin());
        owner[task] = least;
        load[least] += cost[task];
    }
    return owner;
}

void check_same_on_every_rank(communicator& ranks, std::uint64_t value, const std::string& what) {
    std::uint64_t first = value;
    ranks.broadcast(&first, sizeof first, 0);
    std::exception_ptr failure;
    if (first != value) {
        std::ostringstream message;
        message << what << ": rank " << ranks.rank() << " has " << value << ", rank 0 has " << first
                << ", expected the same on every rank (give every rank the same inputs)";
        failure = std::make_exception_ptr(value_error(message.str()));
    }
    rethrow_on_every_rank(ranks, failure, what);
}

void use_rank_zero_values(communicator& ranks, double* values, std::size_t count, const std::string& what) {
    if (ranks.size() == 1) return;
    check_same_on_every_rank(ranks, count, what);
    ranks.broadcast(values, count * sizeof(double), 0);
}

void rethrow_on_every_rank(communicator& ranks, const std::exception_ptr& failure, const std::string& what) {
    double failed = failure ? 1.0 : 0.0;
    ranks.sum(&failed, 1);
    if (failure) std::rethrow_exception(failure);
    KNIT_CHECK_AS(state_error, failed == 0.0,
                  what << ": failed on " << failed << " other rank(s) (see their messages), so rank " << ranks.rank()
                       << " stops too");
}

}  // namespace knit
