// knit-grn simulate: synthetic networks with known truth, written in the DREAM4 layout.
// knit-grn demo: the whole pipeline on simulated data, with no downloads.
#include <filesystem>
#include <iostream>
#include <sstream>

#include "common.hpp"
#include "knit/grn/simulate.hpp"

namespace knit::cli {
namespace {

struct simulate_options : common_options {
    std::size_t genes = 100;
    std::size_t count = 5;
};

// Simulates `count` networks into `root` (DREAM4 layout, size label = genes).
void simulate_into(const std::string& root, std::size_t genes, std::size_t count, std::uint64_t seed, bool verbose) {
    for (std::size_t k = 1; k <= count; ++k) {
        grn::network_options no;
        no.genes = genes;
        no.seed = seed * 1000 + k;
        const grn::network net = grn::generate_network(no);
        grn::experiment_options eo;
        eo.seed = seed * 1000 + k;
        const grn::simulated_dataset data = grn::simulate_dream4_like(net, eo);
        grn::write_dataset(data, root, int(genes), int(k));
        if (verbose)
            std::cout << "network " << k << ": " << genes << " genes, " << net.edge_count() << " edges, "
                      << data.time_series.experiment_count() << " time series\n";
    }
}

void run_simulate(simulate_options& o) {
    KNIT_CHECK_AS(value_error, !o.out.empty(), "simulate: got no --out, expected the folder to write");
    prepare(o, false);
    const stopwatch clock;
    simulate_into(o.out, o.genes, o.count, o.seed, !o.json);
    if (o.json)
        std::cout << nlohmann::json{{"folder", o.out}, {"genes", o.genes}, {"networks", o.count}, {"seed", o.seed},
                                    {"seconds", clock.seconds()}}.dump(2)
                  << std::endl;
    else
        std::cout << "wrote " << o.count << " networks to " << o.out << " in " << grn::fixed(clock.seconds(), 1)
                  << " s (DREAM4 layout; evaluate with: knit-grn evaluate --data " << o.out << " --size " << o.genes
                  << ")\n";
}

struct demo_options : common_options {
    bool full = false;
};

void run_demo(demo_options& o) {
    if (o.out.empty()) o.out = "knit-grn-demo";
    prepare(o, false);
    const stopwatch clock;
    o.data = (std::filesystem::path(o.out) / "data").string();
    o.size = 100;
    o.networks = {1, 2, 3, 4, 5};
    o.schedule = o.full ? "standard" : "quick";
    std::cout << "knit-grn demo: five simulated 100-gene networks (no downloads), the classic baselines, the "
                 "paper's three models and knit's context-mlp under leave-one-network-out, scored with the "
                 "DREAM metric.\n\n";
    simulate_into(o.data, 100, 5, o.seed, true);
    const auto networks = load_networks(o);

    std::vector<grn::ranking_result> results;
    for (auto& r : grn::run_baselines(networks)) results.push_back(std::move(r));
    for (const auto& m : grn::pair_model_names()) {
        std::cout << "training " << m << " (" << o.schedule << " schedule), 5 folds..." << std::endl;
        for (auto& r : grn::run_leave_one_network_out(networks, m, schedule_of(o), o.seed, progress_printer()))
            results.push_back(std::move(r));
    }
    for (const auto& n : networks) {
        std::vector<const grn::ranking_result*> mine;
        for (const auto& r : results)
            if (r.network == n.name) mine.push_back(&r);
        write_curve_plots(o, mine, n, "leave-one-network-out");
    }
    const grn::table t = dream_table(results);
    emit_table(o, "Leave-one-network-out on simulated networks, DREAM metric over all 9,900 ordered pairs", t, "demo");
    emit_json(o, {{"protocol", "leave-one-network-out"}, {"data", "simulated"}, {"seed", o.seed},
                  {"schedule", o.schedule}, {"results", dream_json(results)}},
              "demo");

    std::ostringstream report;
    report << "# knit-grn demo\n\nFive simulated 100-gene networks (seed " << o.seed << ", `data/`), scored with "
           << "the DREAM metric (AUROC, AUPR over all 9,900 ordered pairs; no p-values: the official null "
           << "densities exist only for the DREAM4 networks). Models trained with the "
           << o.schedule << " schedule under leave-one-network-out.\n\n```\n"
           << t.to_text() << "```\n\nPlots: `roc_size100_<k>.svg`, `pr_size100_<k>.svg`. Wall time "
           << grn::fixed(clock.seconds(), 1) << " s.\n\nThe same on the DREAM4 data:\n\n"
           << "    knit-grn evaluate --protocol lono --model all --data /path/to/dream4 --out results\n"
           << "    knit-grn reproduce --data /path/to/dream4\n";
    write_output(o, "report.md", report.str());
    std::cout << "\nwrote tables (TSV, JSON), ROC/PR plots (SVG) and report.md to " << o.out << "/\n"
              << "wall time: " << grn::fixed(clock.seconds(), 1) << " s\n\n"
              << "Next: the same on the DREAM4 files (not shipped with knit):\n"
              << "  knit-grn evaluate --protocol lono --model all --data /path/to/dream4 --out results\n"
              << "  knit-grn reproduce --data /path/to/dream4     (the paper's own protocol and numbers)\n";
}

}  // namespace

void add_simulate(CLI::App& app) {
    auto o = std::make_shared<simulate_options>();
    auto* sub = app.add_subcommand("simulate", "simulate networks with known truth, in the DREAM4 file layout");
    add_common(*sub, *o, false);
    sub->add_option("--genes", o->genes, "genes per network")->capture_default_str()->check(CLI::Range(2, 100000));
    sub->add_option("--networks", o->count, "how many networks")->capture_default_str()->check(CLI::Range(1, 1000));
    sub->callback([o] { run_simulate(*o); });
}

void add_demo(CLI::App& app) {
    auto o = std::make_shared<demo_options>();
    auto* sub = app.add_subcommand("demo", "simulate five networks and evaluate everything on them (no downloads)");
    add_common(*sub, *o, false);
    sub->add_flag("--full", o->full, "train with the standard schedule instead of the quick one (slow)");
    sub->callback([o] { run_demo(*o); });
}

}  // namespace knit::cli
