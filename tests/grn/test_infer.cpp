// knit::grn::infer: ranked networks from unlabelled data with the shipped models and the
// baselines; pair choice (regulators, targets), top-k, tie order, and the refusals.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "knit/core/error.hpp"
#include "knit/grn/evaluation.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/infer.hpp"
#include "knit/grn/metrics.hpp"
#include "support/simulated.hpp"

using namespace knit;
using namespace knit::grn;

namespace {

// Network seeds far from the shipped models' training seeds (301..310, and the
// experiments' 1301..1310) and from their validation networks (401..405).
const test::simulated& network_a() {
    static const test::simulated s = test::simulate_network_data(7001, 60);
    return s;
}

std::map<std::pair<std::string, std::string>, double> by_pair(const std::vector<scored_edge>& edges) {
    std::map<std::pair<std::string, std::string>, double> out;
    for (const auto& e : edges) out[{e.regulator, e.target}] = e.score;
    return out;
}

template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const knit::error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("infer's default is the shipped evidence-mlp with steady states, context-mlp with time series alone") {
    CHECK(default_method(experiment_kinds::all()) == "evidence-mlp");
    CHECK(default_method({experiment_kind::time_series, experiment_kind::knockouts}) == "evidence-mlp");
    CHECK(default_method({experiment_kind::knockdowns}) == "evidence-mlp");
    CHECK(default_method({experiment_kind::time_series}) == "context-mlp");
    for (const auto& name : shipped_model_names()) CHECK(load_shipped_model(name)->name() == name);
    CHECK(error_of([] { shipped_model_path("rnn"); }).find("expected one of evidence-mlp, context-mlp") != std::string::npos);
}

TEST_CASE("the shipped evidence-mlp ranks an unseen simulated network far above knockout-z and random") {
    const auto& s = network_a();
    const inference r = infer(s.data);
    CHECK(r.method == "evidence-mlp (shipped)");
    CHECK(r.used == experiment_kinds::all());
    for (const auto& w : r.warnings) CHECK(w.find("not used") == std::string::npos);
    const auto ko_only = infer(s.data, {.method = "knockout-z"});
    REQUIRE(!ko_only.warnings.empty());
    CHECK(ko_only.warnings.front() == "the data's timeseries,knockdowns,multifactorial are not used: knockout-z reads wildtype,knockouts only (pick another --method to use them)");
    REQUIRE(r.edges.size() == 60 * 59);
    CHECK(r.pairs_scored == 60 * 59);
    const dream_score mine = score_dream(r.edges, s.gold);
    const dream_score ko = score_dream(infer(s.data, {.method = "knockout-z"}).edges, s.gold);
    const double density = double(s.gold.positives()) / (60.0 * 59.0);
    INFO("evidence-mlp " << mine.auroc << " / " << mine.aupr << ", knockout-z " << ko.auroc << " / " << ko.aupr
                         << ", density " << density);
    CHECK(mine.auroc > 0.85);
    CHECK(mine.aupr > ko.aupr + 0.10);
    CHECK(mine.aupr > 10 * density);
}

TEST_CASE("with time series alone infer uses context-mlp, which beats abs-lag1-correlation") {
    const auto& s = network_a();
    const inference r = infer(s.data, {.inputs = {experiment_kind::time_series}});
    CHECK(r.method == "context-mlp (shipped)");
    CHECK(r.used == experiment_kinds{experiment_kind::time_series});
    const dream_score mine = score_dream(r.edges, s.gold);
    const dream_score lag = score_dream(infer(s.data, {.method = "abs-lag1-correlation"}).edges, s.gold);
    INFO("context-mlp " << mine.auroc << " / " << mine.aupr << ", abs-lag1 " << lag.auroc << " / " << lag.aupr);
    CHECK(mine.aupr > lag.aupr + 0.10);
    CHECK(mine.auroc > 0.75);
}

TEST_CASE("regulators and targets limit the pairs scored without changing their scores") {
    const auto& s = network_a();
    const auto& g = s.data.genes;
    infer_options o;
    // Out of order and with a repeat: the choice is a set, ties follow the data's order.
    o.regulators = {g[7], g[2], g[30], g[2]};
    o.targets = {g[2], g[3], g[4], g[5], g[40]};
    const inference some = infer(s.data, o);
    CHECK(some.edges.size() == 3 * 5 - 1);  // g2 -> g2 is not a pair
    const auto all = by_pair(infer(s.data).edges);
    for (const auto& e : some.edges) {
        CHECK(e.regulator != e.target);
        CHECK((e.regulator == g[2] || e.regulator == g[7] || e.regulator == g[30]));
        CHECK(all.at({e.regulator, e.target}) == e.score);  // bit for bit
    }
    CHECK(std::is_sorted(some.edges.begin(), some.edges.end(),
                         [](const scored_edge& a, const scored_edge& b) { return a.score > b.score; }));
}

TEST_CASE("top_k keeps the head of the full list; a model file gives what the shipped name gives") {
    const auto& s = network_a();
    const auto full = infer(s.data, {.method = "context-mlp"});
    const auto head = infer(s.data, {.method = "context-mlp", .top_k = 25});
    REQUIRE(head.edges.size() == 25);
    CHECK(head.pairs_scored == full.edges.size());
    CHECK(std::equal(head.edges.begin(), head.edges.end(), full.edges.begin()));
    const auto from_file = infer(s.data, {.model_file = shipped_model_path("context-mlp")});
    CHECK(from_file.edges == full.edges);
    CHECK(from_file.method.find("context-mlp (") == 0);
}

TEST_CASE("infer_pairs is infer without names: the same order and scores, and write_ranked_pairs writes the same file") {
    const auto& s = network_a();
    const auto& g = s.data.genes;
    infer_options o;
    o.regulators = {g[1], g[9], g[20]};
    o.top_k = 40;
    for (const std::string method : {"", "abs-pearson"}) {
        CAPTURE(method);
        o.method = method;
        const inference named = infer(s.data, o);
        const pair_inference flat = infer_pairs(s.data, o);
        REQUIRE(flat.order.size() == named.edges.size());
        CHECK(named.edges.size() == 40);
        for (std::size_t i = 0; i < flat.order.size(); ++i) {
            const std::size_t k = flat.order[i];
            CHECK(g[k / g.size()] == named.edges[i].regulator);
            CHECK(g[k % g.size()] == named.edges[i].target);
            CHECK(flat.scores.data()[k] == named.edges[i].score);
        }
        CHECK(flat.method == named.method);
        CHECK(flat.pairs_scored == named.pairs_scored);
        CHECK(flat.warnings == named.warnings);
        const std::string folder = (std::filesystem::temp_directory_path() / "knit-test-infer-pairs").string();
        std::filesystem::create_directories(folder);
        for (const edge_format format : {edge_format::dream, edge_format::arboreto, edge_format::beeline}) {
            write_ranked_pairs(folder + "/flat.txt", flat.scores, g, flat.order, format, 2);
            write_edges(folder + "/named.txt", named.edges, format);
            CHECK(grn::detail::read_file(folder + "/flat.txt") == grn::detail::read_file(folder + "/named.txt"));
        }
        std::filesystem::remove_all(folder);
    }
}

TEST_CASE("streamed context-mlp: the whole-network list to rounding, (R, G) scores, the same file, refusals") {
    // 60 genes: small enough for the whole-network path, to compare the two pair by pair.
    const auto& s = network_a();
    const auto& g = s.data.genes;
    infer_options o;
    o.method = "context-mlp";
    o.regulators = {g[33], g[4], g[17], g[58], g[4]};
    o.targets = {g[0], g[4], g[10], g[17], g[20], g[30], g[40], g[50], g[59]};
    o.streamed = infer_options::streaming::never;
    const inference whole = infer(s.data, o);
    o.streamed = infer_options::streaming::always;
    const pair_inference flat = infer_pairs(s.data, o);
    const inference streamed = infer(s.data, o);
    // (R, G): one row per chosen regulator, in gene order.
    CHECK(flat.score_rows == std::vector<std::size_t>{4, 17, 33, 58});
    REQUIRE(flat.scores.shape(0) == 4);
    REQUIRE(flat.scores.shape(1) == g.size());
    CHECK(streamed.pairs_scored == whole.pairs_scored);
    CHECK(streamed.pairs_scored == 4 * 9 - 2);  // g4 -> g4 and g17 -> g17 are not pairs
    REQUIRE(streamed.edges.size() == whole.edges.size());
    const auto expected = by_pair(whole.edges);
    double worst = 0;
    for (const auto& e : streamed.edges) worst = std::max(worst, std::abs(e.score - expected.at({e.regulator, e.target})));
    CHECK(worst < 1e-6);
    // The scores differ by far more than that from pair to pair, so the order is the same.
    for (std::size_t i = 0; i < whole.edges.size(); ++i) {
        CHECK(streamed.edges[i].regulator == whole.edges[i].regulator);
        CHECK(streamed.edges[i].target == whole.edges[i].target);
    }
    // infer_pairs' indices name the same edges, and write_ranked_pairs with the row names
    // writes the file write_edges writes.
    REQUIRE(flat.order.size() == streamed.edges.size());
    std::vector<std::string> row_genes;
    for (std::size_t r : flat.score_rows) row_genes.push_back(g[r]);
    for (std::size_t i = 0; i < flat.order.size(); ++i) {
        CHECK(g[flat.regulator_of(flat.order[i])] == streamed.edges[i].regulator);
        CHECK(g[flat.target_of(flat.order[i])] == streamed.edges[i].target);
    }
    const std::string folder = (std::filesystem::temp_directory_path() / "knit-test-infer-streamed").string();
    std::filesystem::create_directories(folder);
    write_ranked_pairs(folder + "/flat.txt", flat.scores, row_genes, g, flat.order, edge_format::arboreto, 2);
    write_edges(folder + "/named.txt", streamed.edges, edge_format::arboreto);
    CHECK(grn::detail::read_file(folder + "/flat.txt") == grn::detail::read_file(folder + "/named.txt"));
    std::filesystem::remove_all(folder);
    // Top-k and threads: the head of the list, the same bits.
    o.top_k = 7;
    o.threads = 2;
    const inference head = infer(s.data, o);
    REQUIRE(head.edges.size() == 7);
    CHECK(std::equal(head.edges.begin(), head.edges.end(), streamed.edges.begin()));

    // When it streams: context-mlp only; automatic from 4,940 genes.
    CHECK(!streams("context-mlp", 4939, infer_options::streaming::automatic));
    CHECK(streams("context-mlp", 4940, infer_options::streaming::automatic));
    CHECK(streams("context-mlp", 10, infer_options::streaming::always));
    CHECK(!streams("context-mlp", 20000, infer_options::streaming::never));
    CHECK(!streams("evidence-mlp", 20000, infer_options::streaming::automatic));
    infer_options other;
    other.streamed = infer_options::streaming::always;
    other.method = "evidence-mlp";
    CHECK(error_of([&] { infer(s.data, other); }).find("streamed scoring is context-mlp's") != std::string::npos);
    other.method = "abs-pearson";
    CHECK(error_of([&] { infer(s.data, other); }).find("got method 'abs-pearson'") != std::string::npos);
}

TEST_CASE("tied scores come out in the data's (regulator, target) order") {
    // Genes B and C are the same series, so |Pearson| ties A->B with A->C, B->A with C->A.
    time_series_data ts;
    ts.genes = {"A", "B", "C", "D"};
    time_series_experiment e;
    e.times = {0, 1, 2, 3, 4};
    e.values = tensor<double>::from_shape({5, 4});
    const double a[] = {1, 3, 2, 5, 4}, b[] = {2, 2, 4, 3, 6}, d[] = {0, 1, 0, 2, 0};
    for (std::size_t t = 0; t < 5; ++t) {
        e.values(t, 0) = a[t];
        e.values(t, 1) = b[t];
        e.values(t, 2) = b[t];
        e.values(t, 3) = d[t];
    }
    ts.experiments.push_back(e);
    const auto edges = infer(experiments_from_time_series(ts), {.method = "abs-pearson"}).edges;
    REQUIRE(edges.size() == 12);
    const auto at = [&](const std::string& r, const std::string& t) {
        return std::find_if(edges.begin(), edges.end(), [&](const scored_edge& x) { return x.regulator == r && x.target == t; }) -
               edges.begin();
    };
    CHECK(at("A", "B") + 1 == at("A", "C"));
    CHECK(at("B", "A") < at("C", "A"));
    CHECK(at("B", "C") < at("C", "B"));  // |r| = 1: the top two
    CHECK(at("B", "C") == 0);
    CHECK(at("C", "B") == 1);
}

TEST_CASE("infer refuses unknown genes and methods, missing kinds, and two methods at once") {
    const auto& s = network_a();
    const std::string genes = error_of([&] { infer(s.data, {.regulators = {"G1", "NOPE", "ALSO_NOT"}}); });
    CHECK(genes.find("2 of the 3 regulators are not genes of the data ('NOPE', 'ALSO_NOT')") != std::string::npos);
    CHECK(error_of([&] { infer(s.data, {.targets = {"X"}}); }).find("targets") != std::string::npos);
    const auto& g = s.data.genes;
    CHECK(error_of([&] { infer(s.data, {.regulators = {g[4]}, .targets = {g[4]}}); }).find("leave no pair to rank") !=
          std::string::npos);
    const std::string method = error_of([&] { infer(s.data, {.method = "rnn"}); });
    CHECK(method.find("expected one of evidence-mlp, context-mlp, abs-pearson") != std::string::npos);
    CHECK(method.find("knit-grn train") != std::string::npos);
    const std::string kinds =
        error_of([&] { infer(s.data, {.method = "knockout-z", .inputs = {experiment_kind::time_series}}); });
    CHECK(kinds.find("knockouts") != std::string::npos);
    CHECK(error_of([&] { infer(s.data, {.method = "abs-pearson", .model_file = "x.knit"}); }).find("both") !=
          std::string::npos);
}
