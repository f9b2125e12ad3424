// Ranking metrics on a 1,000,000-edge list (G = 1001 genes, T = 1,001,000 ordered pairs,
// about 2% positives): DREAM AUROC/AUPR by gene name and by index, the prediction-list
// parser, rank_edges, and scikit-learn-style AP / ROC AUC on 10^6 scores.
// Before timing, each benchmark checks its result against a reference:
//   * the full-length DREAM list (no tail) gives the same AUROC as roc_auc on the same
//     order (no ties), and the name and index front ends agree bit for bit;
//   * parse(write) returns the list that was written;
//   * rank_edges equals a std::stable_sort of all (r, t), r != t, by decreasing score,
//     edge for edge (names and score exactly);
//   * the radix order of order_by_decreasing_score equals its std::sort reference;
//   * average_precision equals the direct sum over the positives, in score order, of the
//     precision at each one's rank, divided by the number of positives.
// A benchmark whose own check fails is skipped with what differed.
// Run: OPENBLAS_NUM_THREADS=1 ./bench_metrics --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "knit/core/random.hpp"
#include "knit/core/score_order.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/grn/prediction.hpp"
#include "verify.hpp"

namespace {

constexpr std::size_t genes_count = 1001;
constexpr std::size_t list_length = 1000000;

struct problem {
    std::vector<std::string> genes;
    knit::grn::gold_standard gs{std::vector<std::string>{}};
    std::vector<std::pair<std::size_t, std::size_t>> ranked_pairs;  // full T, best first
    std::vector<knit::grn::scored_edge> ranking;                    // the first 10^6
    std::vector<double> scores;                                     // per ranked pair
    std::vector<int> labels;
};

void fail(const char* what) {
    std::fprintf(stderr, "bench_metrics: reference check failed: %s\n", what);
    std::exit(1);
}

const problem& get_problem() {
    static const problem p = [] {
        problem out;
        knit::rng g(42);
        for (std::size_t i = 0; i < genes_count; ++i) out.genes.push_back("G" + std::to_string(i + 1));
        out.gs = knit::grn::gold_standard(out.genes);
        for (std::size_t r = 0; r < genes_count; ++r)
            for (std::size_t t = 0; t < genes_count; ++t)
                if (r != t) {
                    out.ranked_pairs.emplace_back(r, t);
                    if (g.uniform() < 0.02) out.gs.add_edge(r, t);
                }
        // A ranking better than random: positives get a head start, distinct scores.
        std::vector<std::pair<double, std::size_t>> keyed;
        for (std::size_t k = 0; k < out.ranked_pairs.size(); ++k) {
            const auto [r, t] = out.ranked_pairs[k];
            keyed.emplace_back(g.normal() + (out.gs.is_edge(r, t) ? 1.0 : 0.0), k);
        }
        std::sort(keyed.begin(), keyed.end(), std::greater<>());
        std::vector<std::pair<std::size_t, std::size_t>> sorted;
        for (const auto& [score, k] : keyed) {
            sorted.push_back(out.ranked_pairs[k]);
            out.scores.push_back(score);
            out.labels.push_back(out.gs.is_edge(out.ranked_pairs[k].first, out.ranked_pairs[k].second));
        }
        out.ranked_pairs = std::move(sorted);
        for (std::size_t k = 0; k < list_length; ++k) {
            const auto [r, t] = out.ranked_pairs[k];
            out.ranking.push_back({out.genes[r], out.genes[t], out.scores[k]});
        }
        // Reference checks.
        const auto full = knit::grn::score_dream(out.ranked_pairs, out.gs);
        const double auc = knit::grn::roc_auc(out.scores, out.labels);
        if (std::abs(full.auroc - auc) > 1e-9) fail("full-list DREAM AUROC != roc_auc");
        std::vector<std::pair<std::size_t, std::size_t>> head(out.ranked_pairs.begin(),
                                                              out.ranked_pairs.begin() + list_length);
        const auto by_index = knit::grn::score_dream(head, out.gs);
        const auto by_name = knit::grn::score_dream(out.ranking, out.gs);
        if (by_index.auroc != by_name.auroc || by_index.aupr != by_name.aupr)
            fail("name and index front ends differ");
        std::fprintf(stderr, "DREAM on %zu edges: AUROC %.6f AUPR %.6f (full list AUROC %.6f)\n",
                     list_length, by_name.auroc, by_name.aupr, full.auroc);
        return out;
    }();
    return p;
}

void BM_score_dream_names(benchmark::State& state) {
    const problem& p = get_problem();
    for (auto _ : state) benchmark::DoNotOptimize(knit::grn::score_dream(p.ranking, p.gs));
    state.SetItemsProcessed(state.iterations() * static_cast<long>(list_length));
}
BENCHMARK(BM_score_dream_names)->Unit(benchmark::kMillisecond);

void BM_score_dream_indices(benchmark::State& state) {
    const problem& p = get_problem();
    const std::vector<std::pair<std::size_t, std::size_t>> head(p.ranked_pairs.begin(),
                                                                p.ranked_pairs.begin() + list_length);
    for (auto _ : state) benchmark::DoNotOptimize(knit::grn::score_dream(head, p.gs));
    state.SetItemsProcessed(state.iterations() * static_cast<long>(list_length));
}
BENCHMARK(BM_score_dream_indices)->Unit(benchmark::kMillisecond);

void BM_parse_prediction(benchmark::State& state) {
    const problem& p = get_problem();
    const std::string path = "/tmp/knit_bench_metrics_prediction.txt";
    knit::grn::write_prediction(path, p.ranking);
    std::FILE* f = std::fopen(path.c_str(), "rb");
    std::string text;
    char buffer[1 << 16];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) text.append(buffer, n);
    std::fclose(f);
    std::remove(path.c_str());
    const auto back = knit::grn::parse_prediction(text, path);
    if (back.size() != p.ranking.size() || !(back.back() == p.ranking.back()))
        fail("prediction round trip");
    for (auto _ : state) benchmark::DoNotOptimize(knit::grn::parse_prediction(text, path));
    state.SetItemsProcessed(state.iterations() * static_cast<long>(list_length));
}
BENCHMARK(BM_parse_prediction)->Unit(benchmark::kMillisecond);

void BM_rank_edges(benchmark::State& state) {
    const problem& p = get_problem();
    knit::rng g(3);
    knit::tensor<double> scores = knit::tensor<double>::from_shape({genes_count, genes_count});
    for (auto& v : scores) v = g.uniform();
    {
        const auto got = knit::grn::rank_edges(scores, p.genes);
        struct pair_score {
            double score;
            std::size_t r, t;
        };
        std::vector<pair_score> want;
        for (std::size_t r = 0; r < genes_count; ++r)
            for (std::size_t t = 0; t < genes_count; ++t)
                if (r != t) want.push_back({scores(r, t), r, t});
        std::stable_sort(want.begin(), want.end(), [](const pair_score& a, const pair_score& b) { return a.score > b.score; });
        std::string error;
        if (got.size() != want.size())
            error = "rank_edges: " + std::to_string(got.size()) + " edges, expected " + std::to_string(want.size());
        for (std::size_t k = 0; k < want.size() && error.empty(); ++k)
            if (got[k].regulator != p.genes[want[k].r] || got[k].target != p.genes[want[k].t] ||
                got[k].score != want[k].score)
                error = "rank_edges: rank " + std::to_string(k) + " is " + got[k].regulator + " -> " + got[k].target +
                        ", the sorted pairs have " + p.genes[want[k].r] + " -> " + p.genes[want[k].t];
        if (knit::bench::skip_on_error(state, error)) return;
    }
    for (auto _ : state) benchmark::DoNotOptimize(knit::grn::rank_edges(scores, p.genes));
}
BENCHMARK(BM_rank_edges)->Unit(benchmark::kMillisecond);

// The order under rank_edges and predict's list: 1,001,000 flat pair indices by decreasing
// score, by the std::sort reference (arg 0) and by the radix passes (arg 1). Scores with
// ties (a thousandth of the values repeat) so the tie rule is exercised; before timing, the
// radix order must equal the reference's, entry for entry.
void BM_order_by_decreasing_score(benchmark::State& state) {
    knit::rng g(5);
    std::vector<double> scores(genes_count * genes_count);
    for (auto& v : scores) v = g.uniform() < 0.001 ? 0.5 : g.uniform();
    std::vector<std::size_t> pairs;
    for (std::size_t r = 0; r < genes_count; ++r)
        for (std::size_t t = 0; t < genes_count; ++t)
            if (r != t) pairs.push_back(r * genes_count + t);
    const bool radix = state.range(0) == 1;
    const auto sort = [&](std::vector<std::size_t>& order) {
        if (radix) knit::order_by_decreasing_score_radix(scores.data(), order);
        else knit::order_by_decreasing_score_reference(scores.data(), order);
    };
    {
        std::vector<std::size_t> got = pairs, want = pairs;
        sort(got);
        knit::order_by_decreasing_score_reference(scores.data(), want);
        std::string error;
        for (std::size_t k = 0; k < want.size() && error.empty(); ++k)
            if (got[k] != want[k]) error = "order: rank " + std::to_string(k) + " differs from the reference's";
        if (knit::bench::skip_on_error(state, error)) return;
    }
    state.SetLabel(radix ? "radix" : "std::sort");
    for (auto _ : state) {
        state.PauseTiming();
        std::vector<std::size_t> order = pairs;
        state.ResumeTiming();
        sort(order);
        benchmark::DoNotOptimize(order.data());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<long>(pairs.size()));
}
BENCHMARK(BM_order_by_decreasing_score)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_average_precision(benchmark::State& state) {
    const problem& p = get_problem();
    const std::vector<double> scores(p.scores.begin(), p.scores.begin() + list_length);
    const std::vector<int> labels(p.labels.begin(), p.labels.begin() + list_length);
    {
        // The scores are strictly decreasing (checked), so no ties: AP is the mean over the
        // positives of the precision at each one's rank.
        if (!std::is_sorted(scores.begin(), scores.end(), std::greater_equal<>())) {
            state.SkipWithError("average precision: the scores are not strictly decreasing, the direct sum needs that");
            return;
        }
        double sum = 0;
        std::size_t positives = 0;
        for (std::size_t k = 0; k < scores.size(); ++k)
            if (labels[k] == 1) sum += double(++positives) / double(k + 1);
        const double want = sum / double(positives), got = knit::grn::average_precision(scores, labels);
        if (knit::bench::skip_on_error(state, knit::bench::mismatch("average precision", &got, &want, 1, 1e-9))) return;
    }
    for (auto _ : state) benchmark::DoNotOptimize(knit::grn::average_precision(scores, labels));
}
BENCHMARK(BM_average_precision)->Unit(benchmark::kMillisecond);

void BM_roc_auc(benchmark::State& state) {
    const problem& p = get_problem();
    const std::vector<double> scores(p.scores.begin(), p.scores.begin() + list_length);
    const std::vector<int> labels(p.labels.begin(), p.labels.begin() + list_length);
    for (auto _ : state) benchmark::DoNotOptimize(knit::grn::roc_auc(scores, labels));
}
BENCHMARK(BM_roc_auc)->Unit(benchmark::kMillisecond);

// The fair comparison with scikit-learn: bench/compare/metrics.py writes one file of
// unsorted scores and labels, times sklearn on it, and runs this binary with
// KNIT_METRICS_FILE set. Both sides time the metric on arrays in memory, sort included.
// The file's first line holds sklearn's two results, which knit must reproduce first.
//   # sklearn average_precision=<value> roc_auc=<value>
//   <score> <label 0|1>        (one line per score)
struct scored_file {
    std::vector<double> scores;
    std::vector<int> labels;
    double sklearn_ap = 0, sklearn_auc = 0;
};

const scored_file& read_scored_file(const char* path) {
    static const scored_file f = [path] {
        scored_file out;
        std::FILE* in = std::fopen(path, "r");
        if (!in) {
            std::fprintf(stderr, "bench_metrics: %s: cannot open (KNIT_METRICS_FILE)\n", path);
            std::exit(2);
        }
        if (std::fscanf(in, "# sklearn average_precision=%lf roc_auc=%lf\n", &out.sklearn_ap, &out.sklearn_auc) != 2) {
            std::fprintf(stderr, "bench_metrics: %s:1: expected '# sklearn average_precision=<x> roc_auc=<y>'\n", path);
            std::exit(2);
        }
        double score;
        int label;
        std::size_t line = 1;
        int got;
        while ((got = std::fscanf(in, "%lf %d", &score, &label)) == 2) {
            ++line;
            if (label != 0 && label != 1) {
                std::fprintf(stderr, "bench_metrics: %s:%zu: label %d, expected 0 or 1\n", path, line, label);
                std::exit(2);
            }
            out.scores.push_back(score);
            out.labels.push_back(label);
        }
        if (got != EOF || out.scores.empty()) {
            std::fprintf(stderr, "bench_metrics: %s:%zu: expected '<score> <label>' lines to the end\n", path, line + 1);
            std::exit(2);
        }
        std::fclose(in);
        return out;
    }();
    return f;
}

void BM_file_metric(benchmark::State& state, const char* path, bool ap) {
    const scored_file& f = read_scored_file(path);
    const auto metric = [&] {
        return ap ? knit::grn::average_precision(f.scores, f.labels) : knit::grn::roc_auc(f.scores, f.labels);
    };
    const double got = metric(), want = ap ? f.sklearn_ap : f.sklearn_auc;
    if (knit::bench::skip_on_error(state, knit::bench::mismatch(ap ? "AP vs sklearn" : "ROC AUC vs sklearn", &got, &want, 1, 1e-10)))
        return;
    // Each call gets the same unsorted input; any sort is the metric's own.
    for (auto _ : state) benchmark::DoNotOptimize(metric());
    state.counters["n"] = double(f.scores.size());
}

}  // namespace

int main(int argc, char** argv) {
    if (const char* path = std::getenv("KNIT_METRICS_FILE")) {
        benchmark::RegisterBenchmark("BM_file_average_precision", BM_file_metric, path, true)->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark("BM_file_roc_auc", BM_file_metric, path, false)->Unit(benchmark::kMillisecond);
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
