// The network simulator at DREAM4 scale and beyond: G genes, 10 SDE time series x 21
// points (DREAM4's time-series protocol), and the full DREAM4 set (plus wild type,
// knockouts, knockdowns, G multifactorial steady states) with each steady-state solver:
// integrate at G = 100 and 200, newton at G = 100, 200 and 1,000.
//
// Before timing, each case checks its result against the model's invariants (the
// simulator has no external reference): every value in [0, 1] with the maximum at 1, the
// wild-type steady state steady, and every knocked-out gene at 0. The newton runs up to
// G = 200 must also give the integrated data to 1e-7.
//
//   OPENBLAS_NUM_THREADS=1 ./bench_simulate --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "knit/grn/simulate.hpp"

using namespace knit;
using namespace knit::grn;

namespace {

void check_or_die(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "bench_simulate: check failed: %s\n", what);
        std::exit(1);
    }
}

void check_dataset(const network& net, const simulated_dataset& d) {
    double maximum = 0;
    for (const auto& ex : d.time_series.experiments)
        for (double v : ex.values) {
            check_or_die(v >= 0 && v <= 1, "time-series value in [0, 1]");
            maximum = std::max(maximum, v);
        }
    for (std::size_t g = 0; g < d.knockouts.experiment_count(); ++g)
        check_or_die(d.knockouts.values(g, g) <= 0.01, "knocked-out gene at (measurement noise around) 0");
    check_or_die(maximum > 0, "non-zero data");
    const auto wild = steady_state(net, {});
    check_or_die(wild.converged, "wild type converges");
    for (double r : derivative(net, {}, wild.state)) check_or_die(std::abs(r) <= 1e-10, "wild type steady");
}

network make_network(std::size_t genes) {
    network_options o;
    o.genes = genes;
    o.seed = 1;
    return generate_network(o);
}

void BM_time_series(benchmark::State& state) {
    const network net = make_network(static_cast<std::size_t>(state.range(0)));
    experiment_options o;
    o.time_series = 10;
    o.knockouts = o.knockdowns = o.wildtype = false;
    o.multifactorial = 0;
    check_dataset(net, simulate_dream4_like(net, o));
    for (auto _ : state) benchmark::DoNotOptimize(simulate_dream4_like(net, o));
    state.counters["edges"] = static_cast<double>(net.edge_count());
}
BENCHMARK(BM_time_series)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)->Iterations(1);

double largest_difference(const steady_state_data& a, const steady_state_data& b) {
    check_or_die(a.values.shape() == b.values.shape(), "the solvers' data sets have one shape");
    double largest = 0;
    for (std::size_t k = 0; k < a.values.size(); ++k)
        largest = std::max(largest, std::abs(a.values.data()[k] - b.values.data()[k]));
    return largest;
}

// Args: {G, solver}, solver 0 = integrate, 1 = newton.
void BM_full_dream4_set(benchmark::State& state) {
    const auto genes = static_cast<std::size_t>(state.range(0));
    const network net = make_network(genes);
    experiment_options o;  // 10 series, wild type, G knockouts, G knockdowns, G multifactorial
    o.steady_states = state.range(1) ? steady_state_solver::newton : steady_state_solver::integrate;
    const simulated_dataset d = simulate_dream4_like(net, o);
    check_dataset(net, d);
    if (o.steady_states == steady_state_solver::newton && genes <= 200) {
        experiment_options fine = o;
        fine.steady_states = steady_state_solver::integrate;
        const simulated_dataset reference = simulate_dream4_like(net, fine);
        for (steady_state_data simulated_dataset::*part :
             {&simulated_dataset::knockouts, &simulated_dataset::knockdowns,
                                 &simulated_dataset::multifactorial, &simulated_dataset::wildtype})
            check_or_die(largest_difference(d.*part, reference.*part) <= 1e-7, "newton's data within 1e-7 of integrate's");
    }
    for (auto _ : state) benchmark::DoNotOptimize(simulate_dream4_like(net, o));
    // steady states that reached max_time without settling (oscillations)
    state.counters["unconverged"] = static_cast<double>(d.unconverged);
}
BENCHMARK(BM_full_dream4_set)
    ->Args({100, 0})->Args({100, 1})->Args({200, 0})->Args({200, 1})->Args({1000, 1})
    ->ArgNames({"genes", "newton"})->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_generate_network(benchmark::State& state) {
    const auto genes = static_cast<std::size_t>(state.range(0));
    check_or_die(make_network(genes).size() == genes, "network size");
    for (auto _ : state) benchmark::DoNotOptimize(make_network(genes));
}
BENCHMARK(BM_generate_network)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
