// The processes of one run and the few collective steps knit's sharded work needs: an MPI
// communicator (knit/mpi/communicator.hpp, for programs built with MPI) or this
// process alone (this_process()). knit itself never includes <mpi.h>: the library takes
// this interface, and only a program that runs under mpirun makes an MPI one.
//
// The contract, as in MPI: every rank makes the same collective calls in the same order
// with the same counts (check_same_on_every_rank checks a count before it is relied on).
//
//   broadcast(bytes, n, root)  root's n bytes copied into every other rank's bytes
//   sum(values, n)             element-wise sum over the ranks, left on every rank. knit
//                              sums values that are nonzero on one rank and 0.0 on the
//                              others, so the result is exact, whatever order MPI adds in
//   gather(bytes, n, root)     every rank's bytes (n may differ per rank) concatenated in
//                              rank order, on root; empty on the others
//
// Counts are bytes or doubles as std::size_t: the MPI one splits them into pieces below
// MPI's int limit, so a (20,000, 20,000) matrix is one call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

namespace knit {

class communicator {
public:
    virtual ~communicator() = default;
    virtual std::size_t rank() const = 0;
    virtual std::size_t size() const = 0;
    virtual void broadcast(void* bytes, std::size_t count, std::size_t root) = 0;
    virtual void sum(double* values, std::size_t count) = 0;
    virtual std::vector<char> gather(const void* bytes, std::size_t count, std::size_t root) = 0;
};

// This process alone: rank 0 of 1; broadcast and sum change nothing, gather copies.
communicator& this_process();

// Which rank owns task `index` of a list dealt round-robin over the ranks.
inline std::size_t owner_of(std::size_t index, const communicator& ranks) { return index % ranks.size(); }

// Tasks dealt over `ranks` ranks by their cost: longest first (equal costs in index
// order), each to the rank with the least cost so far (the lowest on a tie). The owner of
// every task, the same on every rank.
std::vector<std::size_t> deal_by_cost(const std::vector<double>& cost, std::size_t ranks);
// Task indices by decreasing cost, equal costs in index order (deal_by_cost's order, and
// the order a rank runs its tasks in, so the long ones start first).
std::vector<std::size_t> by_decreasing_cost(const std::vector<double>& cost);

// This rank's contiguous slice [begin, end) of `count` items shared out in rank order.
struct slice {
    std::size_t begin, end;
};
inline slice slice_of(std::size_t count, const communicator& ranks) {
    return {count * ranks.rank() / ranks.size(), count * (ranks.rank() + 1) / ranks.size()};
}

// Collective: when some rank's `value` differs from rank 0's, every rank throws (the
// differing ones a knit::value_error naming `what` and both values, the others
// rethrow_on_every_rank's state_error). Ranks given different inputs would otherwise
// exchange buffers of different sizes.
void check_same_on_every_rank(communicator& ranks, std::uint64_t value, const std::string& what);

// Collective: when any rank's `failure` is set, every rank throws: its own exception, or a
// knit::state_error saying `what` failed on another rank. Lets every rank leave a
// collective step together instead of waiting for one that threw. knit's sharded
// functions call it after each step a rank runs alone, so an exception there reaches
// every rank; anything else that throws on one rank only (your own code between knit's
// calls) must end the job itself (MPI_Abort), as in any MPI program.
void rethrow_on_every_rank(communicator& ranks, const std::exception_ptr& failure, const std::string& what);

// Collective: rank 0's `count` values on every rank, for results that every rank computed
// alone (machines whose CPUs round differently would otherwise rank different numbers);
// the counts are checked first, naming `what`.
void use_rank_zero_values(communicator& ranks, double* values, std::size_t count, const std::string& what);

// Sizes first, then the elements: `values` of root, on every rank.
template <class T>
void broadcast_vector(communicator& ranks, std::vector<T>& values, std::size_t root) {
    std::uint64_t count = values.size();
    ranks.broadcast(&count, sizeof count, root);
    values.resize(std::size_t(count));
    ranks.broadcast(values.data(), values.size() * sizeof(T), root);
}

}  // namespace knit
