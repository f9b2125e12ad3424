// Shared by knit-grn's subcommands: the common options, loading networks, writing results
// (aligned tables on stdout; TSV, JSON and SVG into --out), progress lines on a terminal.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "knit/grn/evaluation.hpp"
#include "knit/grn/report.hpp"

namespace knit::cli {

struct common_options {
    std::string data;                    // a DREAM4-layout folder; default $KNIT_DREAM4_DIR
    int size = 100;                      // network size label (DREAM4: 10 or 100)
    std::vector<int> networks;           // empty: every network present in --data
    std::uint64_t seed = 1;
    int threads = 1;                     // OpenBLAS threads
    std::string out;                     // folder for TSV / JSON / SVG; none when empty
    bool json = false;                   // print JSON on stdout instead of tables
    std::string schedule = "standard";   // exact, standard or quick (see grn/evaluation.hpp)
    std::string inputs = "all";          // experiment kinds a model may use (--inputs)
    std::vector<std::string> model_settings;  // --model-option key=value
};

// Adds --seed, --threads, --out, --json (all subcommands) and, with `data`, --data,
// --size, --networks.
void add_common(CLI::App& app, common_options& o, bool data = true);
// Adds --schedule (subcommands that train).
void add_schedule(CLI::App& app, common_options& o);
// Adds --inputs (the experiment kinds a model may use).
void add_inputs(CLI::App& app, common_options& o);
// Adds --model-option key=value (repeatable; the model's settings).
void add_model_settings(CLI::App& app, common_options& o);
grn::experiment_kinds inputs_of(const common_options& o);
grn::model_spec model_spec_of(const common_options& o, const std::string& name);
// Applies --threads; resolves --data from $KNIT_DREAM4_DIR; refuses what cannot work.
void prepare(common_options& o, bool needs_data = true);
// The networks of --networks, or every network present when none is named (fills it in).
std::vector<grn::network_data> load_networks(common_options& o);
grn::schedule schedule_of(const common_options& o);

// Writes name into --out (atomically), when --out is set; returns the path or "".
std::string write_output(const common_options& o, const std::string& name, const std::string& content);
// Prints a table (or nothing in --json mode) and writes it as <name>.tsv into --out.
void emit_table(const common_options& o, const std::string& title, const grn::table& t, const std::string& name);
// Prints the JSON document in --json mode and writes it as <name>.json into --out.
void emit_json(const common_options& o, const nlohmann::json& doc, const std::string& name);

// Progress lines on stderr when it is a terminal (quiet in pipes and CI logs).
grn::progress_fn progress_printer();

// ROC and PR SVGs of one network's rankings (one curve per method).
void write_curve_plots(const common_options& o, const std::vector<const grn::ranking_result*>& rankings,
                       const grn::network_data& network, const std::string& protocol);

// The DREAM-metric table of ranking results: one row per method and network, and a row
// per method with the means and the overall score (when p-values exist).
grn::table dream_table(const std::vector<grn::ranking_result>& results);
nlohmann::json dream_json(const std::vector<grn::ranking_result>& results);

class stopwatch {
public:
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }
private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Registration of the subcommands (each in its own file).
void add_reproduce(CLI::App& app);
void add_evaluate(CLI::App& app);
void add_baselines(CLI::App& app);
void add_train(CLI::App& app);
void add_predict(CLI::App& app);
void add_score(CLI::App& app);
void add_simulate(CLI::App& app);
void add_demo(CLI::App& app);

}  // namespace knit::cli
