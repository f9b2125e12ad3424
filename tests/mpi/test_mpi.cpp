// The sharded paths on two MPI ranks against this process alone (ctest runs this binary
// under mpirun -np 2): knit::mpi_communicator's collectives, dynamics_feature_rows,
// evidence_feature_rows,
// score_all_pairs of both shipped models, a record model's score, rank_pair_indices and write_ranked_pairs, bit
// for bit and byte for byte; and ranks given different inputs are refused, not left
// waiting.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/mpi/communicator.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/dynamics_features.hpp"
#include "knit/grn/streamed_dynamics_features.hpp"
#include "knit/grn/evidence_features.hpp"
#include "knit/grn/infer.hpp"
#include "knit/core/random.hpp"
#include "knit/grn/models/pair_model.hpp"
#include "knit/grn/models/rnn.hpp"
#include "knit/grn/prediction.hpp"
#include "support/simulated.hpp"
#include "support/tensors.hpp"

using namespace knit;
using namespace knit::grn;
using knit::test::differing;

namespace {

mpi_communicator& world() {
    static mpi_communicator ranks(MPI_COMM_WORLD);
    return ranks;
}

// The world's ranks, counting the collectives each call makes: equal results on 1 and 2
// ranks would also come from code that ignored the ranks and did all the work on each.
class counting_ranks final : public communicator {
public:
    std::size_t rank() const override { return world().rank(); }
    std::size_t size() const override { return world().size(); }
    void broadcast(void* bytes, std::size_t count, std::size_t root) override {
        broadcast_bytes += count;
        world().broadcast(bytes, count, root);
    }
    void sum(double* values, std::size_t count) override {
        summed += count;
        world().sum(values, count);
    }
    std::vector<char> gather(const void* bytes, std::size_t count, std::size_t root) override {
        gathered += count;
        return world().gather(bytes, count, root);
    }
    std::size_t broadcast_bytes = 0, summed = 0, gathered = 0;
};

// A folder both ranks name alike (rank 0 makes it; the others wait for it).
std::string shared_folder(const std::string& name) {
    const std::string path = (std::filesystem::temp_directory_path() / ("knit-test-mpi-" + name)).string();
    if (world().rank() == 0) {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    return path;
}

// 40 genes with DREAM4's design (more samples than genes) and 60 genes with two time
// series (fewer samples than genes: the dual ridge form).
std::vector<experiment_set> networks() {
    experiment_options few;
    few.time_series = 2;
    return {test::simulate_network_data(901, 40).data, test::simulate_network_data(902, 60, few).data};
}

}  // namespace

TEST_CASE("mpi_communicator: two ranks, broadcast, exact sums and gathers of uneven sizes in rank order") {
    communicator& ranks = world();
    REQUIRE(ranks.size() == 2);
    const std::size_t me = ranks.rank();
    std::vector<double> values{1.5 + double(me), -2.0};
    ranks.broadcast(values.data(), values.size() * sizeof(double), 1);
    CHECK(values == std::vector<double>{2.5, -2.0});
    std::vector<double> own(5, 0.0);
    own[me] = 0.1 * double(me + 1);  // nonzero on one rank per entry
    ranks.sum(own.data(), own.size());
    CHECK(own == std::vector<double>{0.1, 0.2, 0.0, 0.0, 0.0});
    // rank 0 sends 3 bytes, rank 1 none; then rank 0 none and rank 1 four.
    const std::string mine = me == 0 ? "abc" : "";
    const std::vector<char> got = ranks.gather(mine.data(), mine.size(), 0);
    CHECK(std::string(got.begin(), got.end()) == (me == 0 ? "abc" : ""));
    const std::string second = me == 0 ? "" : "wxyz";
    const std::vector<char> at_one = ranks.gather(second.data(), second.size(), 1);
    CHECK(std::string(at_one.begin(), at_one.end()) == (me == 1 ? "wxyz" : ""));
    std::vector<int> list = me == 0 ? std::vector<int>{4, 5, 6} : std::vector<int>{};
    broadcast_vector(ranks, list, 0);
    CHECK(list == std::vector<int>{4, 5, 6});
    // Different values are refused on every rank: the one that differs names both.
    if (me == 1) CHECK_THROWS_WITH_AS(check_same_on_every_rank(ranks, 7 + me, "genes"),
                                      doctest::Contains("rank 1 has 8, rank 0 has 7"), value_error);
    else CHECK_THROWS_WITH_AS(check_same_on_every_rank(ranks, 7 + me, "genes"),
                              doctest::Contains("genes: failed on 1 other rank"), state_error);
    CHECK_NOTHROW(check_same_on_every_rank(ranks, 7, "genes"));
    // A failure on one rank is raised on both.
    std::exception_ptr failure;
    if (me == 1) failure = std::make_exception_ptr(io_error("disk full"));
    if (me == 1) CHECK_THROWS_AS(rethrow_on_every_rank(ranks, failure, "writing"), io_error);
    else CHECK_THROWS_WITH_AS(rethrow_on_every_rank(ranks, failure, "writing"),
                              doctest::Contains("failed on 1 other rank"), state_error);
    CHECK_NOTHROW(rethrow_on_every_rank(ranks, nullptr, "writing"));
}

TEST_CASE("dynamics_feature_rows on two ranks: the rows of one process, bit for bit") {
    for (const experiment_set& data : networks()) {
        const std::size_t genes = data.gene_count(), features = dynamics_feature_names().size();
        CAPTURE(genes);
        const dynamics_feature_rows alone(data.time_series, {}, 1);
        counting_ranks counted;
        const dynamics_feature_rows shared(data.time_series, {}, 2, &counted);
        // The ten score matrices went from their owners to the other rank.
        CHECK(counted.broadcast_bytes >= 10 * genes * genes * sizeof(double));
        tensor<double> a = tensor<double>::from_shape({genes * genes, features}), b = a;
        alone.fill(0, genes * genes, a.data());
        shared.fill(0, genes * genes, b.data());
        CHECK(differing(a, b) == 0);
        CHECK(xt::amax(xt::abs(a))() > 0.5);  // standardised features, not zeros
    }
}

TEST_CASE("streamed_dynamics_features on two ranks: the statistics and rows of one process, bit for bit") {
    for (const experiment_set& data : networks()) {
        const std::size_t genes = data.gene_count(), features = dynamics_feature_names().size();
        CAPTURE(genes);
        const streamed_dynamics_features alone(data.time_series, {}, 1, nullptr, 6);
        counting_ranks counted;
        const streamed_dynamics_features shared(data.time_series, {}, 2, &counted, 6);
        // The passes' statistics were summed, not the score matrices sent.
        CHECK(counted.summed > 0);
        CHECK(counted.broadcast_bytes < genes * genes * sizeof(double));
        CHECK(alone.means() == shared.means());
        CHECK(alone.deviations() == shared.deviations());
        const std::vector<std::size_t> regulators{3, 0, genes - 1};
        tensor<double> a = tensor<double>::from_shape({3 * genes, features}), b = a;
        alone.fill_rows(regulators, 0, 3 * genes, a.data());
        shared.fill_rows(regulators, 0, 3 * genes, b.data());
        CHECK(differing(a, b) == 0);
        CHECK(xt::amax(xt::abs(a))() > 0.5);
    }
}

TEST_CASE("streamed infer on two ranks: the scores and the order of one process, bit for bit") {
    for (const experiment_set& data : networks()) {
        CAPTURE(data.gene_count());
        infer_options o;
        o.method = "context-mlp";
        o.streamed = infer_options::streaming::always;
        o.regulators = {data.genes[9], data.genes[1], data.genes[30]};
        o.top_k = 50;
        const pair_inference alone = infer_pairs(data, o);
        o.ranks = &world();
        o.threads = 2;
        const pair_inference shared = infer_pairs(data, o);
        CHECK(shared.score_rows == alone.score_rows);
        CHECK(shared.order == alone.order);
        CHECK(differing(shared.scores, alone.scores) == 0);
        CHECK(alone.order.size() == 50);
        // Scores that rank: the head above the tail, not all zeros.
        CHECK(alone.scores.data()[alone.order.front()] > alone.scores.data()[alone.order.back()] + 0.01);
    }
}

TEST_CASE("evidence_feature_rows on two ranks: the rows of one process, bit for bit, with every kind or some") {
    for (const experiment_set& all : networks()) {
        for (const experiment_kinds kinds : {experiment_kinds::all(), experiment_kinds{experiment_kind::knockdowns},
                                             experiment_kinds{experiment_kind::time_series}}) {
            const experiment_set data = all.restricted_to(kinds);
            const std::size_t genes = data.gene_count();
            CAPTURE(genes);
            CAPTURE(kinds.to_string());
            const evidence_feature_rows alone(data, {}, 1);
            counting_ranks counted;
            const evidence_feature_rows shared(data, {}, 2, &counted);
            // The steady-state families' matrices went from their owners to the other rank
            // (a knockdown family alone: 7 matrices).
            if (kinds.contains(experiment_kinds{experiment_kind::knockdowns}))
                CHECK(counted.broadcast_bytes >= 7 * genes * genes * sizeof(double));
            CHECK(shared.layout().present == alone.layout().present);
            const std::size_t width = alone.column_count();
            tensor<double> a = tensor<double>::from_shape({genes * genes, width}), b = a;
            alone.fill(0, genes * genes, a.data());
            shared.fill(0, genes * genes, b.data());
            CHECK(differing(a, b) == 0);
            CHECK(xt::amax(xt::abs(a))() > 0.5);  // standardised features, not zeros
        }
    }
    // A family that fails on its owner's rank fails on both.
    const experiment_set data = networks()[0];
    evidence_options options;
    if (world().rank() == 1) options.deconvolution_radius = 2.0;  // refused by the knockdown family's owner
    const auto build = [&] { return evidence_feature_rows(data, options, 1, &world()); };
    CHECK_THROWS(build());
    // Ranks that select other families are refused before any matrix is exchanged.
    evidence_options one_family;
    one_family.families = {world().rank() == 0 ? "knockout" : "knockdown"};
    CHECK_THROWS(evidence_feature_rows(data, one_family, 1, &world()));
}

TEST_CASE("an error on one rank only is thrown on both, and neither waits for the other") {
    const experiment_set data = networks()[0];
    dynamics_feature_options options;
    // Rank 1's ridge strength is refused inside a task only that rank's owner runs.
    if (world().rank() == 1) options.ridge_small = 0.0;
    if (world().rank() == 1) CHECK_THROWS_AS(dynamics_feature_rows(data.time_series, options, 1, &world()), value_error);
    else CHECK_THROWS_AS(dynamics_feature_rows(data.time_series, options, 1, &world()), state_error);
    // Different gene counts are refused before any matrix is exchanged.
    const experiment_set other = world().rank() == 0 ? networks()[0] : networks()[1];
    CHECK_THROWS(dynamics_feature_rows(other.time_series, {}, 1, &world()));
    CHECK_NOTHROW(dynamics_feature_rows(data.time_series, {}, 1, &world()));
}

TEST_CASE("score_all_pairs of the shipped models on two ranks: one process's scores, bit for bit") {
    for (const char* name : {"context-mlp", "evidence-mlp"}) {
        auto model = load_pair_model(std::string(KNIT_SOURCE_DIR) + "/models/" + name + ".knit");
        for (const experiment_set& data : networks()) {
            INFO(name << ", " << data.gene_count() << " genes");
            for (const std::size_t block : {std::size_t(97), pair_scoring_options{}.block_rows}) {
                pair_scoring_options alone;
                alone.block_rows = block;
                pair_scoring_options shared = alone;
                shared.ranks = &world();
                shared.threads = 2;
                counting_ranks counted;
                shared.ranks = &counted;
                const tensor<double> one = model->score_all_pairs(data, alone);
                const tensor<double> two = model->score_all_pairs(data, shared);
                CHECK(differing(one, two) == 0);
                // The (G, G) scores were summed over the ranks: each scored its share.
                CHECK(counted.summed >= data.gene_count() * data.gene_count());
                CHECK(xt::amax(one)() - xt::amin(one + xt::eye<double>(data.gene_count()))() > 0.1);
            }
        }
    }
}

TEST_CASE("a record model (rnn) scores its records on two ranks: one process's scores, bit for bit") {
    // 40 genes, 10 series: 15,600 records, four chunks of the rnn's 4,096.
    const test::simulated network = test::simulate_network_data(901, 40);
    pair_records records(network.data, network.gold);
    rng g(3);
    const auto some = balance_records(records, records.all_indices(), g, 1.0);
    rnn_settings settings;
    settings.epochs = 1;
    rnn_model model(settings);
    model.fit(records, some, {2});  // the same model on both ranks: same data, same seed
    const auto all = records.all_indices();
    const std::vector<double> one = model.score(records, all);
    for (std::size_t threads : {1u, 2u}) {
        INFO("threads " << threads);
        counting_ranks counted;
        pair_scoring_options shared;
        shared.threads = threads;
        shared.ranks = &counted;
        CHECK(model.score(records, all, shared) == one);
        // Each rank scored its chunks and the ranks summed the scores (and a few checks).
        CHECK(counted.summed >= all.size());
        CHECK(counted.summed < all.size() + 16);
        // score_all_pairs: the mean per pair of the same record scores.
        const tensor<double> pairs = model.score_all_pairs(network.data, shared);
        CHECK(differing(pairs, model.score_all_pairs(network.data)) == 0);
    }
    CHECK(*std::max_element(one.begin(), one.end()) - *std::min_element(one.begin(), one.end()) > 0.01);
}

TEST_CASE("rank_pair_indices and write_ranked_pairs on two ranks: one process's order and file") {
    communicator& ranks = world();
    const experiment_set data = networks()[1];
    auto model = load_pair_model(std::string(KNIT_SOURCE_DIR) + "/models/context-mlp.knit");
    tensor<double> scores = model->score_all_pairs(data);
    // Ties, so that the index tie-break decides across the two ranks' slices.
    for (std::size_t t = 1; t < 30; ++t) scores(0, t) = 0.5;
    const std::vector<std::string>& genes = data.genes;
    for (const std::size_t top_k : {std::size_t(0), std::size_t(1), std::size_t(100)}) {
        CAPTURE(top_k);
        const auto alone = rank_pair_indices(scores, genes, top_k, 1);
        counting_ranks counted;
        CHECK(rank_pair_indices(scores, genes, top_k, 2, &counted) == alone);
        CHECK(counted.gathered > 0);  // the slices went to rank 0
        CHECK(alone.size() == (top_k ? top_k : genes.size() * (genes.size() - 1)));
    }
    // Among chosen pairs only: regulators G1..G5.
    std::vector<std::size_t> chosen;
    for (std::size_t r = 0; r < 5; ++r)
        for (std::size_t t = 0; t < genes.size(); ++t)
            if (r != t) chosen.push_back(r * genes.size() + t);
    CHECK(rank_pair_indices(scores, genes, chosen, 7, 1, &ranks) == rank_pair_indices(scores, genes, chosen, 7, 1));
    // A top_k that differs between the ranks is refused on both.
    CHECK_THROWS(rank_pair_indices(scores, genes, 5 + ranks.rank(), 1, &ranks));

    const std::string folder = shared_folder("write");
    const auto order = rank_pair_indices(scores, genes, 0, 1, &ranks);
    for (const edge_format format : {edge_format::dream, edge_format::beeline}) {
        const std::string one = folder + "/one.txt", two = folder + "/two.txt";
        if (ranks.rank() == 0) write_ranked_pairs(one, scores, genes, order, format, 1);
        write_ranked_pairs(two, scores, genes, order, format, 2, &ranks);
        MPI_Barrier(MPI_COMM_WORLD);
        CHECK(grn::detail::read_file(two) == grn::detail::read_file(one));
        const std::string text = grn::detail::read_file(one);
        CHECK(std::count(text.begin(), text.end(), '\n') == 3540 + (format == edge_format::beeline));
        // A list of one edge: one rank has no row.
        const std::vector<std::size_t> single{order.front()};
        write_ranked_pairs(two, scores, genes, single, format, 1, &ranks);
        if (ranks.rank() == 0) write_ranked_pairs(one, scores, genes, single, format, 1);
        MPI_Barrier(MPI_COMM_WORLD);
        CHECK(grn::detail::read_file(two) == grn::detail::read_file(one));
    }
    // A bad score in rank 1's slice: refused on both ranks, and no file.
    tensor<double> bad = scores;
    bad.flat(order.back()) = std::numeric_limits<double>::infinity();
    const std::string none = folder + "/none.txt";
    if (ranks.rank() == 1) CHECK_THROWS_WITH_AS(write_ranked_pairs(none, bad, genes, order, edge_format::dream, 1, &ranks),
                                                doctest::Contains("at edge 3539"), value_error);
    else CHECK_THROWS_AS(write_ranked_pairs(none, bad, genes, order, edge_format::dream, 1, &ranks), state_error);
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK_FALSE(std::filesystem::exists(none));
    MPI_Barrier(MPI_COMM_WORLD);
    if (ranks.rank() == 0) std::filesystem::remove_all(folder);
}
