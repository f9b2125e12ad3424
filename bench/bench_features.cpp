// All-pairs classic scores at 1,000 genes (10 experiments x 21 time points, the DREAM4
// design with 10x the genes): Pearson, lag-1 correlation and binned mutual information,
// plus materialising a batch of pair records. Each benchmark first checks a sample of
// pairs against a naive per-pair computation.
//   OPENBLAS_NUM_THREADS=1 ./bench_features --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "knit/core/random.hpp"
#include "knit/grn/features.hpp"
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/pairs.hpp"

namespace {

using namespace knit;
using namespace knit::grn;

// Random walks per gene, so genes are autocorrelated like real series.
time_series_data make_data(std::size_t genes, std::size_t experiments, std::size_t steps) {
    rng g(2024);
    time_series_data d;
    for (std::size_t i = 0; i < genes; ++i) d.genes.push_back("G" + std::to_string(i + 1));
    for (std::size_t e = 0; e < experiments; ++e) {
        time_series_experiment ex;
        ex.values = tensor<double>::from_shape({steps, genes});
        for (std::size_t k = 0; k < steps; ++k) {
            ex.times.push_back(50.0 * k);
            for (std::size_t i = 0; i < genes; ++i)
                ex.values(k, i) = (k ? ex.values(k - 1, i) : g.uniform()) + 0.1 * g.normal();
        }
        d.experiments.push_back(ex);
    }
    return d;
}

const time_series_data& data_1000() {
    static const time_series_data d = make_data(1000, 10, 21);
    return d;
}

double naive_corr(const std::vector<double>& a, const std::vector<double>& b) {
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
    ma /= a.size();
    mb /= b.size();
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ab += (a[i] - ma) * (b[i] - mb);
        aa += (a[i] - ma) * (a[i] - ma);
        bb += (b[i] - mb) * (b[i] - mb);
    }
    return ab / std::sqrt(aa * bb);
}

void verify_lag(const tensor<double>& scores, const time_series_data& d, std::size_t lag) {
    for (std::size_t r : {0, 17, 999})
        for (std::size_t t : {1, 500, 998}) {
            std::vector<double> a, b;
            for (const auto& ex : d.experiments)
                for (std::size_t k = 0; k + lag < ex.time_points(); ++k) {
                    a.push_back(ex.values(k, r));
                    b.push_back(ex.values(k + lag, t));
                }
            if (std::abs(scores(r, t) - naive_corr(a, b)) > 1e-10)
                throw std::runtime_error("lag correlation differs from the naive reference");
        }
}

void verify_mi(const tensor<double>& scores, const time_series_data& d) {
    const tensor<double> x = d.stacked();
    const std::size_t n = x.shape(0), bins = default_mutual_information_bins(n);
    auto codes = [&](std::size_t g) {
        double lo = x(0, g), hi = x(0, g);
        for (std::size_t s = 0; s < n; ++s) lo = std::min(lo, x(s, g)), hi = std::max(hi, x(s, g));
        std::vector<int> c;
        for (std::size_t s = 0; s < n; ++s)
            c.push_back(std::min<int>(int(std::floor((x(s, g) - lo) / (hi - lo) * bins)), int(bins) - 1));
        return c;
    };
    for (std::size_t r : {0, 250})
        for (std::size_t t : {3, 999}) {
            const auto a = codes(r), b = codes(t);
            std::map<int, double> pa, pb;
            std::map<std::pair<int, int>, double> pab;
            for (std::size_t s = 0; s < n; ++s) pa[a[s]] += 1.0 / n, pb[b[s]] += 1.0 / n, pab[{a[s], b[s]}] += 1.0 / n;
            double mi = 0;
            for (const auto& [k, p] : pab) mi += p * std::log(p / (pa[k.first] * pb[k.second]));
            if (std::abs(scores(r, t) - mi) > 1e-10)
                throw std::runtime_error("mutual information differs from the naive reference");
        }
}

void BM_lag_correlation_1000_genes(benchmark::State& s) {
    const auto& d = data_1000();
    verify_lag(lag_correlation_scores(d, 1), d, 1);
    for (auto _ : s) {
        tensor<double> scores = lag_correlation_scores(d, 1);
        benchmark::DoNotOptimize(scores.data());
    }
}

void BM_pearson_1000_genes(benchmark::State& s) {
    const auto& d = data_1000();
    verify_lag(pearson_scores(d), d, 0);  // lag 0 = pooled Pearson
    for (auto _ : s) {
        tensor<double> scores = pearson_scores(d);
        benchmark::DoNotOptimize(scores.data());
    }
}

void BM_mutual_information_1000_genes(benchmark::State& s) {
    const auto& d = data_1000();
    verify_mi(mutual_information_scores(d), d);
    for (auto _ : s) {
        tensor<double> scores = mutual_information_scores(d);
        benchmark::DoNotOptimize(scores.data());
    }
}

// One RNN batch (32, 21, 2) in float from the 99,000 records of 100 genes (100 x 99 x 10).
void BM_gather_rnn_batch(benchmark::State& s) {
    static const time_series_data d = make_data(100, 10, 21);
    gold_standard gs(d.genes);
    gs.add_edge(0, 1);
    const pair_records records(d, gs);
    rng g(1);
    std::vector<std::size_t> indices(32);
    for (auto& i : indices) i = g.below(records.size());
    tensor<float> batch;
    records.gather(indices, 0, 32, record_layout::time_by_series, batch);
    const pair_record r = records.record(indices[5]);
    if (batch(5, 20, 1) != float(d.experiments[r.experiment].values(20, r.target)))
        throw std::runtime_error("gathered record differs from the data");
    for (auto _ : s) {
        records.gather(indices, 0, 32, record_layout::time_by_series, batch);
        benchmark::DoNotOptimize(batch.data());
    }
}

}  // namespace

BENCHMARK(BM_lag_correlation_1000_genes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_pearson_1000_genes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_mutual_information_1000_genes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_gather_rnn_batch)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
