// Shared by knit-grn's subcommands: the shared options, loading networks, guarding inputs
// against being overwritten, writing results (aligned tables on stdout; TSV, JSON and SVG
// into --out), progress lines on a terminal.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "knit/core/parallel.hpp"
#include "knit/core/stopwatch.hpp"
#include "knit/grn/evaluation.hpp"
#include "knit/grn/report.hpp"
#include "ranks.hpp"

namespace knit::cli {

struct common_options {
    std::string data;                    // a DREAM4-layout folder; default $KNIT_DREAM4_DIR
    int size = 100;                      // network size label (DREAM4: 10 or 100)
    std::vector<int> networks;           // empty: every network present in --data
    std::uint64_t seed = 1;
    // knit's task threads (parallel_for); BLAS always runs on one (prepare). Default: the
    // cores, or under MPI the cores shared out among this machine's ranks
    int threads = static_cast<int>(default_threads());
    std::string out;                     // folder for TSV / JSON / SVG; none when empty
    std::string edges;                   // folder for every ranked list scored; none when empty
    std::string edges_format = "dream";  // their format: dream, arboreto or beeline
    bool json = false;                   // print JSON (only JSON) on stdout instead of tables
    std::string schedule = "standard";   // exact, standard or quick (see grn/evaluation.hpp)
    std::string inputs = "all";          // experiment kinds a model may use (--inputs)
    std::vector<std::string> model_settings;  // --model-option key=value
    bool force = false;                  // replace an existing data set (simulate, demo)
    std::size_t block_rows = 8192;       // pair rows per scoring block (predict, infer)
    bool block_rows_given = false;       // --block-rows was on the command line
    // The files this run reads, each with the option that named it: no output may be one.
    std::vector<std::pair<std::string, std::string>> input_files;
};

// Adds to a subcommand every shared option whose row in the table (common.cpp) lists that
// subcommand; each subcommand calls it once, after add_subcommand.
void add_shared_options(CLI::App& sub, common_options& o);

// Validators with short messages ("got 0, expected a network number >= 1").
CLI::Validator positive_integer(const std::string& what);

grn::experiment_kinds inputs_of(const common_options& o);
grn::model_spec model_spec_of(const common_options& o, const std::string& name);
// Sets BLAS to one thread; resolves --data from $KNIT_DREAM4_DIR; refuses what cannot work
// (--networks naming a network twice, --out that is a file).
void prepare(common_options& o, bool needs_data = true);
// The networks of --networks, or every network present when none is named (fills it in).
// Their files become the run's inputs.
std::vector<grn::network_data> load_networks(common_options& o);
// One network of --data (score, predict), its files added to the inputs.
grn::network_data load_one_network(common_options& o, int network);
grn::schedule schedule_of(const common_options& o);

// What a method needs of the time series, refused here with the file and line instead of
// later without them: every network needs >= 2 genes; a time-series experiment needs >= 2
// points; the paper's models (common_length) need one length over all experiments.
void check_networks(const std::vector<grn::network_data>& networks, bool common_length);
void check_experiments(const std::vector<const grn::experiment_set*>& sets, bool common_length);
// True for the models that read fixed-length record arrays (rnn, cnn, ae-nn).
bool needs_common_length(const std::string& model);
// Refuses (at the experiment's line) a time series of another length than the one a
// fixed-length model file (rnn, cnn, ae-nn) was trained on; other models take any length.
void check_trained_length(const std::string& model_file, const std::string& model, const grn::experiment_set& data);

// Notes a file the run reads (what: the option that named it).
void add_input(common_options& o, const std::string& path, const std::string& what);
// Notes every file of network `network` in --data.
void add_network_inputs(common_options& o, int network);
// The model kind a model file's header names ("rnn", "evidence-mlp", ...).
std::string model_kind_of_file(const std::string& path);
// Refuses --block-rows for a method without scoring blocks (a record model's chunks are
// fixed; a baseline scores one matrix): only context-mlp and evidence-mlp have them.
void check_block_rows_apply(const common_options& o, const std::string& method);
// Refuses an output that is one of the inputs (same device and inode, through any link),
// or that cannot be written at all (a directory, a missing folder), before any work.
void check_output(const common_options& o, const std::string& path, const std::string& what);
// Under MPI ranks (ranks.hpp): refuses, on every rank, when the ranks were given different
// inputs. Compares a 64-bit FNV-1a hash of the data (genes, times, values), the input files'
// names and `settings` (the options that shape the output, as text). Nothing to do for one
// process.
void check_same_inputs_on_every_rank(const common_options& o, const grn::experiment_set& data,
                                     const std::string& settings);

// Writes name into --out (atomically), when --out is set; returns the path or "".
std::string write_output(const common_options& o, const std::string& name, const std::string& content);
// Writes every ranked list of `results` into --edges (when set), one file per method and
// network, <method>_<network>.tsv (.csv for --edges-format beeline), atomically; every path
// is checked against the inputs before the first is written.
void write_rankings(const common_options& o, const std::vector<grn::ranking_result>& results);
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

using knit::stopwatch;

// Says on stderr, per steady-state kind, which reference replaces a missing wild type.
void note_missing_wildtype(const std::string& name, const grn::experiment_set& data);

// Checks a list of experiment kinds (--inputs, simulate --kinds); the message is the parser's.
CLI::Validator kinds_validator();

// Registration of the subcommands (each in its own file).
void add_reproduce(CLI::App& app);
void add_evaluate(CLI::App& app);
void add_baselines(CLI::App& app);
void add_train(CLI::App& app);
void add_predict(CLI::App& app);
void add_score(CLI::App& app);
void add_simulate(CLI::App& app);
void add_demo(CLI::App& app);
void add_infer(CLI::App& app);

}  // namespace knit::cli
