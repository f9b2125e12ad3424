// knit-grn infer: a ranked network from a user's own expression data (CSV/TSV tables,
// optionally gzipped; BEELINE's ExpressionData.csv + PseudoTime.csv; a DREAM4-layout
// folder), with a shipped model or a baseline and no training step.
#include <algorithm>
#include <iostream>

#include "common.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/expression_table.hpp"
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/infer.hpp"

namespace knit::cli {
namespace {

struct infer_options : common_options {
    std::vector<std::string> timeseries, steady_states;
    std::string expression, pseudotime;  // BEELINE
    int network = 0;                      // with --data
    std::string genes_as;                 // rows, columns or "" (detect)
    std::string regulators, targets;      // gene-list files
    std::string method, model_file;
    std::string format = "arboreto";
    std::size_t top_k = 0;
    std::string streaming = "auto";
    std::string output;                   // a file, or "-" for stdout
};

grn::experiment_set read_data(infer_options& o) {
    if (o.network > 0) {
        prepare(o, true);
        add_network_inputs(o, o.network);
        return grn::read_dream4_experiments(o.data, o.size, o.network);
    }
    prepare(o, false);
    grn::user_files files;
    files.time_series = o.timeseries;
    files.steady_states = o.steady_states;
    files.beeline_expression = o.expression;
    files.beeline_pseudotime = o.pseudotime;
    for (const auto& f : o.timeseries) add_input(o, f, "--timeseries");
    for (const auto& f : o.steady_states) add_input(o, f, "--steady-state");
    add_input(o, o.expression, "--expression");
    add_input(o, o.pseudotime, "--pseudotime");
    grn::table_options options;
    if (o.genes_as == "rows") options.genes_as = grn::gene_axis::rows;
    if (o.genes_as == "columns") options.genes_as = grn::gene_axis::columns;
    return grn::read_user_experiments(files, options);
}

// The genes of a gene-list file, refused (with the file and the first unknown gene's line)
// unless every one is a gene of the data.
std::vector<std::string> known_genes(const std::string& path, const grn::experiment_set& data) {
    std::vector<std::string> genes = grn::read_gene_list(path);
    const grn::gene_index index(data.genes);
    std::vector<std::string> unknown;
    for (const auto& g : genes)
        if (!index.find(g)) unknown.push_back(g);
    if (!unknown.empty()) {
        std::string names;
        for (std::size_t i = 0; i < unknown.size() && i < 5; ++i)
            names += (i ? ", '" : "'") + grn::detail::shorten(unknown[i]) + "'";
        if (unknown.size() > 5) names += " and " + std::to_string(unknown.size() - 5) + " more";
        throw value_error(path + ": " + std::to_string(unknown.size()) + " of its " + std::to_string(genes.size()) +
                          " genes are not genes of the data (" + names + "); expected genes of the data's " +
                          std::to_string(data.gene_count()) + " (remove the others from the list)");
    }
    return genes;
}

void run_infer(infer_options& o) {
    const stopwatch clock;
    KNIT_CHECK_AS(value_error,
                  o.network > 0 || !o.timeseries.empty() || !o.steady_states.empty() || !o.expression.empty(),
                  "infer: got no data, expected --timeseries, --steady-state, --expression with --pseudotime, "
                  "or --data with --network");
    const grn::experiment_set data = read_data(o);
    add_input(o, o.regulators, "--regulators");
    add_input(o, o.targets, "--targets");
    add_input(o, o.model_file, "--model-file");
    const std::string method = o.method.empty() && o.model_file.empty()
                                   ? grn::default_method(data.restricted_to(inputs_of(o)).kinds())
                                   : o.method;
    const auto shipped = grn::shipped_model_names();
    if (std::find(shipped.begin(), shipped.end(), method) != shipped.end())
        add_input(o, grn::shipped_model_path(method), "the shipped model " + method);
    if (o.output != "-") check_output(o, o.output, "--out");
    check_block_rows_apply(o, o.model_file.empty() ? method : model_kind_of_file(o.model_file));

    grn::infer_options options;
    options.method = o.method;
    options.model_file = o.model_file;
    if (!o.regulators.empty()) options.regulators = known_genes(o.regulators, data);
    if (!o.targets.empty()) options.targets = known_genes(o.targets, data);
    options.top_k = o.top_k;
    options.inputs = inputs_of(o);
    options.threads = std::size_t(o.threads);
    options.block_rows = o.block_rows;
    options.streamed = o.streaming == "on"    ? grn::infer_options::streaming::always
                       : o.streaming == "off" ? grn::infer_options::streaming::never
                                              : grn::infer_options::streaming::automatic;
    const grn::experiment_set used = data.restricted_to(options.inputs);
    if (!o.model_file.empty()) {
        const std::string kind = model_kind_of_file(o.model_file);
        check_experiments({&used}, needs_common_length(kind));
        check_trained_length(o.model_file, kind, used);
    } else {
        check_experiments({&used}, false);
    }
    note_missing_wildtype("the data", used);

    std::string settings = "infer " + o.method + " " + o.model_file + " " + o.format + " " + o.output + " " +
                           std::to_string(o.top_k) + " " + o.inputs + " " + o.streaming;
    for (const auto& gene : options.regulators) settings += " r:" + gene;
    for (const auto& gene : options.targets) settings += " t:" + gene;
    check_same_inputs_on_every_rank(o, data, settings);
    // Under MPI every rank shares the scoring, the sort and the formatting; rank 0 writes
    // and prints. The list stays flat pair indices until it is written.
    options.ranks = &ranks();
    const grn::pair_inference result = grn::infer_pairs(data, options);
    const grn::edge_format format = grn::edge_format_from_string(o.format);
    if (o.output != "-")
        grn::write_ranked_pairs(o.output, result.scores, result.row_names(data.genes), data.genes, result.order, format,
                                options.threads, options.ranks);
    if (ranks().rank() != 0) return;
    for (const auto& w : result.warnings) std::cerr << "knit-grn: warning: " << w << "\n";
    if (o.output == "-") {
        std::vector<grn::scored_edge> edges;
        edges.reserve(result.order.size());
        for (std::size_t k : result.order)
            edges.push_back({data.genes[result.regulator_of(k)], data.genes[result.target_of(k)], result.scores.data()[k]});
        std::cout << grn::format_edges(edges, format) << std::flush;
        KNIT_CHECK_AS(io_error, std::cout.good(), "--out -: writing the list to stdout failed (closed, full or a broken pipe)");
    }
    std::cerr << "knit-grn infer: " << used.describe() << "; ranked " << result.pairs_scored << " pairs with "
              << result.method << (result.score_rows.empty() ? "" : ", streamed") << "; wrote " << result.order.size() << " edges (" << o.format << ") to "
              << (o.output == "-" ? std::string("stdout") : o.output) << " in " << grn::fixed(clock.seconds(), 2)
              << " s\n";
}

}  // namespace

void add_infer(CLI::App& app) {
    auto o = std::make_shared<infer_options>();
    auto* sub = app.add_subcommand("infer", "rank the regulators of a user's own expression data with a shipped model (no training)");
    add_shared_options(*sub, *o);
    auto* series = sub->add_option("--timeseries", o->timeseries,
                                   "a time-series table (CSV/TSV, .gz ok): a time column and an experiment column, or "
                                   "blank-line blocks; repeatable")
                       ->check(CLI::ExistingFile);
    auto* steady = sub->add_option("--steady-state", o->steady_states,
                                   "a steady-state table with a condition column (wt, KO:<gene>, KD:<gene>, any other "
                                   "label = multifactorial); repeatable")
                       ->check(CLI::ExistingFile);
    auto* expression = sub->add_option("--expression", o->expression, "BEELINE's ExpressionData.csv (genes as rows); needs --pseudotime")
                           ->check(CLI::ExistingFile);
    auto* pseudotime = sub->add_option("--pseudotime", o->pseudotime, "BEELINE's PseudoTime.csv; needs --expression")
                           ->check(CLI::ExistingFile);
    expression->needs(pseudotime);
    pseudotime->needs(expression);
    auto* network = sub->add_option("--network", o->network, "or: network number in --data (a DREAM4-layout folder)")
                        ->check(positive_integer("network number"));
    sub->get_option("--data")->needs(network);
    sub->get_option("--size")->needs(network);
    auto* genes_as = sub->add_option("--genes-as", o->genes_as, "rows or columns (default: detected from the header)")
                         ->check(CLI::IsMember({"rows", "columns"}));
    for (CLI::Option* file : {series, steady, expression, pseudotime, genes_as}) file->excludes(network);
    sub->add_option("--regulators", o->regulators, "candidate regulators (e.g. transcription factors), one gene per line")
        ->check(CLI::ExistingFile);
    sub->add_option("--targets", o->targets, "targets to rank, one gene per line (default: every gene)")->check(CLI::ExistingFile);
    std::string methods;
    for (const auto& m : grn::infer_method_names()) methods += (methods.empty() ? "" : ", ") + m;
    auto* method = sub->add_option("--method", o->method,
                                   "a shipped model or a baseline: " + methods +
                                       " (default: evidence-mlp with steady states, context-mlp with time series alone)")
                       ->check(CLI::IsMember(grn::infer_method_names()));
    sub->add_option("--model-file", o->model_file, "instead of --method: a model file written by knit-grn train")
        ->check(CLI::ExistingFile)
        ->excludes(method);
    sub->add_option("--format", o->format, "dream (Gi Gj score, no header), arboreto (TF target importance) or beeline "
                                           "(Gene1,Gene2,EdgeWeight)")
        ->capture_default_str()
        ->check(CLI::IsMember({"dream", "arboreto", "beeline"}));
    sub->add_option("--streaming", o->streaming,
                    "context-mlp without (G, G) matrices, the regulators' rows in passes, for genome-scale data: "
                    "auto (when the whole-network matrices would pass 2 GiB, from 4,940 genes), on or off")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "on", "off"}));
    sub->add_option("--top-k", o->top_k, "write only the best N edges (default: every pair)")->check(positive_integer("number of edges"));
    sub->add_option("--out", o->output, "the ranked list to write, or - for stdout")->required();
    sub->callback([o] { run_infer(*o); });
}

}  // namespace knit::cli
