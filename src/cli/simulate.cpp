// knit-grn simulate: synthetic networks with known truth, written in the DREAM4 layout.
// knit-grn demo: the whole pipeline on simulated data, with no downloads.
#include <fcntl.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include "common.hpp"
#include "knit/core/atomic_file.hpp"
#include "knit/grn/simulate.hpp"

namespace knit::cli {
namespace {

// Simulates `count` networks into `root` (DREAM4 layout, size label = genes), each with
// the experiment design `design` (its seed is replaced per network).
void simulate_into(const std::string& root, std::size_t genes, std::size_t count, std::uint64_t seed,
                   const grn::experiment_options& design, bool verbose) {
    for (std::size_t k = 1; k <= count; ++k) {
        grn::network_options no;
        no.genes = genes;
        no.seed = seed * 1000 + k;
        const grn::network net = grn::generate_network(no);
        grn::experiment_options eo = design;
        eo.seed = seed * 1000 + k;
        const grn::simulated_dataset data = grn::simulate_dream4_like(net, eo);
        grn::write_dataset(data, root, int(genes), int(k));
        if (verbose)
            std::cout << "network " << k << ": " << genes << " genes, " << net.edge_count() << " edges, "
                      << data.time_series.experiment_count() << " time series\n";
    }
}

// Puts `from` at `to`: a plain rename when nothing is there, else an atomic exchange (the
// old entry lands at `from`, inside the staging folder, which is removed afterwards).
void move_into_place(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::symlink_status(to, ec))) {
        std::filesystem::rename(from, to, ec);
        KNIT_CHECK_AS(io_error, !ec, "cannot move the new " << from.filename().string() << " into '" << to.string()
                                                            << "': " << ec.message());
        return;
    }
#ifdef RENAME_EXCHANGE
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_EXCHANGE) == 0) return;
#endif
    // No exchange on this file system: move the old entry aside into the staging folder
    // first (a kill between the two renames leaves it there, whole).
    const std::filesystem::path aside = from.string() + ".old";
    std::filesystem::rename(to, aside, ec);
    if (!ec) std::filesystem::rename(from, to, ec);
    KNIT_CHECK_AS(io_error, !ec, "cannot replace '" << to.string() << "': " << ec.message());
}

// Simulates into `target` without ever showing a partial data set there: the networks are
// written into a hidden folder beside it, which is then renamed onto it. A folder holding
// anything is refused unless `force`; with it, each top-level folder of the new set
// (size<G>/, ...) replaces the one of the same name, and the rest of `target` stays.
void write_simulated_set(const std::string& target, const char* option, std::size_t genes, std::size_t count,
                         std::uint64_t seed, const grn::experiment_options& design, bool force, bool verbose) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool exists = fs::exists(target, ec);
    KNIT_CHECK_AS(value_error, !exists || fs::is_directory(target, ec),
                  option << " '" << target << "': got a file, expected a folder for the data set");
    std::vector<std::string> entries;
    if (exists)
        for (const auto& entry : fs::directory_iterator(target)) entries.push_back(entry.path().filename().string());
    std::sort(entries.begin(), entries.end());
    if (!entries.empty() && !force) {
        std::string listed;
        for (std::size_t i = 0; i < entries.size() && i < 3; ++i) listed += (i ? ", " : "") + entries[i];
        if (entries.size() > 3) listed += ", ...";
        KNIT_CHECK_AS(value_error, false,
                      option << " '" << target << "': got a folder that is not empty (" << listed
                             << "), expected a new or empty folder (--force replaces the data set in it)");
    }
    const fs::path parent = fs::absolute(target).lexically_normal().parent_path();
    fs::create_directories(parent, ec);
    KNIT_CHECK_AS(io_error, !ec, option << " '" << target << "': cannot create the folder '" << parent.string()
                                        << "': " << ec.message());
    temporary_directory staging(target);
    simulate_into(staging.path(), genes, count, seed, design, verbose);
    if (entries.empty()) {
        staging.commit();
        return;
    }
    std::vector<fs::path> made;
    for (const auto& entry : fs::directory_iterator(staging.path())) made.push_back(entry.path());
    for (const auto& from : made) move_into_place(from, fs::path(target) / from.filename());
}  // the staging folder, now holding what was replaced, is removed here

struct simulate_options : common_options {
    std::size_t genes = 100;
    std::size_t count = 5;
    // The experiment design; unset values keep simulate_dream4_like's DREAM4-like defaults.
    std::optional<std::size_t> time_series, time_points, multifactorial;
    std::optional<double> duration, release, noise;
    std::string kinds = "all";
    std::string steady_states = "integrate";
};

// The design the options ask for. --release defaults to half of --duration, so a changed
// duration keeps a release inside the series.
grn::experiment_options design_of(const simulate_options& o) {
    grn::experiment_options d;
    const grn::experiment_kinds kinds = grn::experiment_kinds::parse(o.kinds);
    if (o.time_series) d.time_series = *o.time_series;
    if (!kinds.has(grn::experiment_kind::time_series)) d.time_series = 0;
    if (o.time_points) d.time_points = *o.time_points;
    if (o.duration) d.duration = *o.duration;
    d.release_time = o.release.value_or(d.duration / 2);
    KNIT_CHECK_AS(value_error, d.release_time <= d.duration,
                  "simulate: got --release " << d.release_time << " after the end of the series (--duration "
                                             << d.duration << "), expected 0 <= release <= duration");
    if (o.noise) d.noise = *o.noise;
    d.wildtype = kinds.has(grn::experiment_kind::wildtype);
    d.knockouts = kinds.has(grn::experiment_kind::knockouts);
    d.knockdowns = kinds.has(grn::experiment_kind::knockdowns);
    if (o.multifactorial) d.multifactorial = *o.multifactorial;
    if (!kinds.has(grn::experiment_kind::multifactorial)) d.multifactorial = 0;
    d.steady_states = o.steady_states == "newton" ? grn::steady_state_solver::newton : grn::steady_state_solver::integrate;
    d.threads = std::size_t(o.threads);
    return d;
}

void run_simulate(simulate_options& o) {
    KNIT_CHECK_AS(value_error, !o.out.empty(), "simulate: got no --out, expected the folder to write");
    const stopwatch clock;
    write_simulated_set(o.out, "--out", o.genes, o.count, o.seed, design_of(o), o.force, !o.json);
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
    int genes = 100;    // per simulated network
    int count = 5;      // networks, each held out once
};

void run_demo(demo_options& o) {
    if (o.out.empty()) o.out = "knit-grn-demo";
    prepare(o, false);
    const stopwatch clock;
    o.data = (std::filesystem::path(o.out) / "data").string();
    o.size = o.genes;
    o.networks.clear();
    for (int k = 1; k <= o.count; ++k) o.networks.push_back(k);
    o.schedule = o.full ? "standard" : "quick";
    const std::string design = std::to_string(o.count) + " simulated " + std::to_string(o.genes) + "-gene networks";
    const std::string pairs = std::to_string(std::size_t(o.genes) * std::size_t(o.genes - 1)) + " ordered pairs";
    std::cout << "knit-grn demo: " << design << " (no downloads), the classic baselines, the "
                 "paper's three models and knit's context-mlp under leave-one-network-out, scored with the "
                 "DREAM metric.\n\n";
    grn::experiment_options experiments;
    experiments.threads = std::size_t(o.threads);
    write_simulated_set(o.data, "demo data folder", o.genes, o.count, o.seed, experiments, o.force, true);
    const auto networks = load_networks(o);

    std::vector<grn::ranking_result> results;
    for (auto& r : grn::run_baselines(networks, {}, std::size_t(o.threads))) results.push_back(std::move(r));
    for (const auto& m : grn::pair_model_names()) {
        std::cout << "training " << m << " (" << o.schedule << " schedule), " << o.count << " folds..." << std::endl;
        for (auto& r : grn::run_leave_one_network_out(networks, m, schedule_of(o), o.seed, progress_printer(),
                                                      std::size_t(o.threads)))
            results.push_back(std::move(r));
    }
    for (const auto& n : networks) {
        std::vector<const grn::ranking_result*> mine;
        for (const auto& r : results)
            if (r.network == n.name) mine.push_back(&r);
        write_curve_plots(o, mine, n, "leave-one-network-out");
    }
    const grn::table t = dream_table(results);
    emit_table(o, "Leave-one-network-out on simulated networks, DREAM metric over all " + pairs, t, "demo");
    emit_json(o, {{"protocol", "leave-one-network-out"}, {"data", "simulated"}, {"genes", o.genes}, {"networks", o.count}, {"seed", o.seed},
                  {"schedule", o.schedule}, {"results", dream_json(results)}},
              "demo");

    std::ostringstream report;
    report << "# knit-grn demo\n\n" << design << " (seed " << o.seed << ", `data/`), scored with "
           << "the DREAM metric (AUROC, AUPR over all " << pairs << "; no p-values: the official null "
           << "densities exist only for the DREAM4 networks). Models trained with the "
           << o.schedule << " schedule under leave-one-network-out.\n\n```\n"
           << t.to_text() << "```\n\nPlots: `roc_size" << o.genes << "_<k>.svg`, `pr_size" << o.genes
           << "_<k>.svg`. Wall time "
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
    add_shared_options(*sub, *o);
    sub->add_option("--out", o->out, "folder for the data set (new or empty; see --force)")->required();
    sub->add_option("--genes", o->genes, "genes per network")->capture_default_str()->check(CLI::Range(2, 100000));
    sub->add_option("--networks", o->count, "how many networks")->capture_default_str()->check(CLI::Range(1, 1000));
    sub->add_option("--kinds", o->kinds,
                    "experiment kinds to write: all, or a list of timeseries, wildtype, knockouts, knockdowns, "
                    "multifactorial separated by commas")
        ->capture_default_str()
        ->check(kinds_validator());
    sub->add_option("--time-series", o->time_series, "time-series experiments per network (default 5 up to 10 genes, else 10)")
        ->check(CLI::Range(1, 10000));
    sub->add_option("--time-points", o->time_points, "points per time series, evenly spaced from t = 0 (default 21)")
        ->check(CLI::Range(2, 100000));
    sub->add_option("--duration", o->duration, "time of the last point (default 1000)")->check(CLI::PositiveNumber);
    sub->add_option("--release", o->release, "time the series' perturbations are removed (default: half the duration)")
        ->check(CLI::NonNegativeNumber);
    sub->add_option("--noise", o->noise, "intrinsic noise of the time series, the Langevin c (default 0.05)")
        ->check(CLI::NonNegativeNumber);
    sub->add_option("--multifactorial", o->multifactorial, "multifactorial experiments (default: one per gene)")
        ->check(CLI::Range(1, 1000000));
    sub->add_option("--steady-states", o->steady_states,
                    "integrate: RK4 to the rate tolerance (the reference); newton: RK4 with coarse steps, then "
                    "Newton's method with the sparse Jacobian (much faster for large networks, states within "
                    "about 1e-7)")
        ->capture_default_str()
        ->check(CLI::IsMember({"integrate", "newton"}));
    sub->callback([o] { run_simulate(*o); });
}

void add_demo(CLI::App& app) {
    auto o = std::make_shared<demo_options>();
    auto* sub = app.add_subcommand("demo", "simulate five networks and evaluate everything on them (no downloads)");
    add_shared_options(*sub, *o);
    sub->add_option("--genes", o->genes, "genes per simulated network")->capture_default_str()->check(CLI::Range(3, 2000));
    sub->add_option("--networks", o->count, "simulated networks, each held out once")
        ->capture_default_str()
        ->check(CLI::Range(2, 50));
    sub->add_flag("--full", o->full, "train with the standard schedule instead of the quick one (slow)");
    sub->callback([o] { run_demo(*o); });
}

}  // namespace knit::cli
