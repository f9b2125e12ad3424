// The parallel paths give the serial results bit for bit: simulate_dream4_like's solves,
// leave-one-network-out's folds and the baselines, on 1, 2 and 3 threads.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/grn/evaluation.hpp"
#include "knit/grn/models/pair_model.hpp"
#include "knit/grn/pairs.hpp"
#include "knit/grn/simulate.hpp"
#include "support/simulated.hpp"

using namespace knit;
using namespace knit::grn;

namespace {

// Every value of two tensors, compared with == (NaN nowhere in simulated data).
void check_identical(const tensor<double>& a, const tensor<double>& b, const std::string& what) {
    INFO(what);
    REQUIRE(a.shape() == b.shape());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < a.size(); ++i) differing += a.flat(i) != b.flat(i);
    CHECK(differing == 0);
}

void check_identical(const simulated_dataset& a, const simulated_dataset& b) {
    CHECK(a.scale == b.scale);
    CHECK(a.unconverged == b.unconverged);
    check_identical(a.wildtype.values, b.wildtype.values, "wild type");
    check_identical(a.knockouts.values, b.knockouts.values, "knockouts");
    check_identical(a.knockdowns.values, b.knockdowns.values, "knockdowns");
    check_identical(a.multifactorial.values, b.multifactorial.values, "multifactorial");
    REQUIRE(a.time_series.experiment_count() == b.time_series.experiment_count());
    for (std::size_t s = 0; s < a.time_series.experiment_count(); ++s) {
        CHECK(a.time_series.experiments[s].times == b.time_series.experiments[s].times);
        check_identical(a.time_series.experiments[s].values, b.time_series.experiments[s].values,
                        "time series " + std::to_string(s));
    }
}

void check_identical(const std::vector<ranking_result>& a, const std::vector<ranking_result>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO(a[i].method << " on " << a[i].network);
        CHECK(a[i].network == b[i].network);
        CHECK(a[i].method == b[i].method);
        CHECK(a[i].score.auroc == b[i].score.auroc);
        CHECK(a[i].score.aupr == b[i].score.aupr);
        CHECK(a[i].score.early_precision == b[i].score.early_precision);
        CHECK(a[i].ranking == b[i].ranking);  // every regulator, target and score, in order
    }
}

std::vector<network_data> three_networks() {
    std::vector<network_data> networks;
    for (std::uint64_t seed : {501u, 502u, 503u}) {
        test::simulated s = test::simulate_network_data(seed, 12);
        networks.push_back({"sim_" + std::to_string(seed), std::move(s.data), std::move(s.gold), std::nullopt});
    }
    return networks;
}

}  // namespace

TEST_CASE("simulate_dream4_like: bit-identical data on 1, 2 and 3 threads (30 genes, both solvers)") {
    network_options no;
    no.genes = 30;
    no.seed = 11;
    const network net = generate_network(no);
    for (steady_state_solver solver : {steady_state_solver::integrate, steady_state_solver::newton}) {
        INFO("solver " << (solver == steady_state_solver::newton ? "newton" : "integrate"));
        experiment_options o;
        o.seed = 12;
        o.steady_states = solver;
        o.threads = 1;
        const simulated_dataset serial = simulate_dream4_like(net, o);
        CHECK(serial.knockouts.experiment_count() == 30);
        CHECK(serial.multifactorial.experiment_count() == 30);
        CHECK(serial.time_series.experiment_count() == 10);
        for (std::size_t threads : {2u, 3u}) {
            INFO("threads " << threads);
            o.threads = threads;
            check_identical(serial, simulate_dream4_like(net, o));
        }
    }
}

TEST_CASE("leave-one-network-out and the baselines: bit-identical results on 1, 2 and 3 threads") {
    const std::vector<network_data> networks = three_networks();
    const auto serial = run_leave_one_network_out(networks, model_spec{"context-mlp"}, schedule::quick, 3, {}, 1);
    REQUIRE(serial.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) CHECK(serial[k].network == networks[k].name);  // in fold order
    const auto baselines = run_baselines(networks, {}, 1);
    CHECK(baselines.size() == baseline_names().size() * 3);
    for (std::size_t threads : {2u, 3u}) {
        INFO("threads " << threads);
        check_identical(serial, run_leave_one_network_out(networks, model_spec{"context-mlp"}, schedule::quick, 3, {},
                                                          threads));
        check_identical(baselines, run_baselines(networks, {}, threads));
    }
}

TEST_CASE("leave-one-network-out over several models in one loop: each model's own results, in order") {
    const std::vector<network_data> networks = three_networks();
    const std::vector<model_spec> models = {model_spec{"context-mlp"}, model_spec{"evidence-mlp"}};
    std::vector<ranking_result> one_by_one;
    for (const auto& m : models)
        for (auto& r : run_leave_one_network_out(networks, m, schedule::quick, 3, {}, 1)) one_by_one.push_back(std::move(r));
    REQUIRE(one_by_one.size() == 6);
    for (std::size_t threads : {1u, 2u}) {
        INFO("threads " << threads);
        check_identical(one_by_one, run_leave_one_network_out(networks, models, schedule::quick, 3, {}, threads));
    }
}

TEST_CASE("leave-one-network-out: a fold's exception reaches the caller; progress comes once per fold") {
    const std::vector<network_data> networks = three_networks();
    model_spec bad("context-mlp");
    bad.add_setting("hidden=many");  // refused by configure(), inside every fold's task
    CHECK_THROWS_AS(run_leave_one_network_out(networks, bad, schedule::quick, 3, {}, 2), value_error);

    std::vector<std::string> lines;  // the callback is called one at a time: no lock here
    run_baselines(networks, [&](const std::string& line) { lines.push_back(line); }, 2);
    CHECK(lines.size() == baseline_names().size() * 3);
}

TEST_CASE("context-mlp and evidence-mlp fit: the same model on 1 and 2 threads (networks, folds, members)") {
    const std::vector<network_data> networks = three_networks();
    pair_records records;
    for (const auto& n : networks) records.add_network(n.experiments, n.gold);
    const auto all = records.all_indices();
    test::simulated other = test::simulate_network_data(504, 12);
    for (const char* name : {"context-mlp", "evidence-mlp"}) {
        INFO(name);
        tensor<double> serial;
        for (std::size_t threads : {1u, 2u}) {
            auto model = make_pair_model(name);
            model->configure("ensemble", "3");
            model->configure("epochs", "1,2");  // two candidates: the folds choose
            model->configure("hidden", "4");
            model->fit(records, all, {9, false, threads});
            const tensor<double> scores = model->score_all_pairs(other.data);
            if (threads == 1) serial = scores;
            else check_identical(serial, scores, "scores of the model fitted on 2 threads");
        }
        // Members differ (their seeds do), so a mix-up of members or folds would show.
        CHECK(xt::amax(serial)() > xt::amin(serial + xt::eye<double>(12))());
    }
}

TEST_CASE("the seed protocol: the same results on 1 and 2 threads, in network-then-model order") {
    const std::vector<network_data> networks = three_networks();
    const std::vector<std::string> models = {"rnn", "context-mlp"};
    const auto serial = run_seed_protocol(networks, models, schedule::quick, 4, {}, 1);
    REQUIRE(serial.size() == 6);
    for (std::size_t i = 0; i < serial.size(); ++i) {
        CHECK(serial[i].network == networks[i / 2].name);
        CHECK(serial[i].model == models[i % 2]);
    }
    const auto parallel = run_seed_protocol(networks, models, schedule::quick, 4, {}, 2);
    REQUIRE(parallel.size() == serial.size());
    for (std::size_t i = 0; i < serial.size(); ++i) {
        INFO(serial[i].model << " on " << serial[i].network);
        CHECK(parallel[i].network == serial[i].network);
        CHECK(parallel[i].model == serial[i].model);
        CHECK(parallel[i].train_records == serial[i].train_records);
        CHECK(parallel[i].test_records == serial[i].test_records);
        CHECK(parallel[i].average_precision == serial[i].average_precision);
        CHECK(parallel[i].roc_auc == serial[i].roc_auc);
        CHECK(parallel[i].seed_metrics.aupr == serial[i].seed_metrics.aupr);
        CHECK(parallel[i].seed_metrics.auroc == serial[i].seed_metrics.auroc);
    }
}

TEST_CASE("pair-disjoint: the same results on 1 and 3 threads, in network order") {
    const std::vector<network_data> networks = three_networks();
    const auto serial = run_pair_disjoint(networks, model_spec{"context-mlp"}, schedule::quick, 6, {}, 1);
    const auto parallel = run_pair_disjoint(networks, model_spec{"context-mlp"}, schedule::quick, 6, {}, 3);
    REQUIRE(serial.size() == 3);
    REQUIRE(parallel.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        INFO(networks[k].name);
        CHECK(serial[k].network == networks[k].name);
        CHECK(parallel[k].network == serial[k].network);
        CHECK(parallel[k].test_pairs == serial[k].test_pairs);
        CHECK(parallel[k].average_precision == serial[k].average_precision);
        CHECK(parallel[k].roc_auc == serial[k].roc_auc);
        CHECK(parallel[k].baselines == serial[k].baselines);
    }
}
