// knit-grn train / predict / score: a model file from labelled networks, a DREAM
// prediction list from a model and a time series, and the DREAM metric (with BEELINE's
// early precision) of a list in any of the formats prediction.hpp reads.
#include <cctype>
#include <cmath>
#include <iostream>
#include <unordered_set>

#include "common.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/models/pair_model.hpp"
#include "knit/grn/pairs.hpp"
#include "knit/grn/protocol.hpp"
#include "knit/nn/serialize.hpp"

namespace knit::cli {
namespace {

struct train_options : common_options {
    std::string model = "rnn";
    std::string save;
};

void run_train(train_options& o) {
    prepare(o);
    const stopwatch clock;
    const auto networks = load_networks(o);
    check_output(o, o.save, "--save");  // before the minutes of training, not after
    check_networks(networks, needs_common_length(o.model));
    grn::pair_records records;
    for (const auto& n : networks) records.add_network(n.experiments, n.gold);
    auto model = grn::make_pair_model(model_spec_of(o, o.model), schedule_of(o));
    // Every positive record of each network plus as many negatives (REFERENCE §2), or every
    // record for models that learn from all pairs.
    rng g(o.seed);
    std::vector<std::size_t> train;
    for (std::size_t k = 0; k < records.network_count(); ++k) {
        const auto chosen = model->balanced_training() ? grn::balance_records(records, records.network_indices(k), g)
                                                       : records.network_indices(k);
        train.insert(train.end(), chosen.begin(), chosen.end());
    }
    // The trainer's progress bar draws on stdout: none in --json mode, which prints JSON only.
    model->fit(records, train, {o.seed, !o.json, std::size_t(o.threads)});
    model->save(o.save);
    if (o.json) {
        std::cout << nlohmann::json{{"model", o.model}, {"file", o.save}, {"records", train.size()},
                                    {"parameters", model->parameter_count()}, {"seconds", clock.seconds()}}.dump(2)
                  << std::endl;
    } else {
        std::cout << model->summary() << "\ntrained " << o.model << " on " << train.size() << (model->balanced_training() ? " balanced" : "") << " records of "
                  << networks.size() << " network(s) in " << grn::fixed(clock.seconds(), 1) << " s; saved to " << o.save << "\n";
    }
}

struct predict_options : common_options {
    std::string model_file;
    std::string timeseries;
    // Steady-state files beside (or instead of) the time series, in the DREAM4 format.
    std::string wildtype, knockouts, knockdowns, multifactorial;
    int network = 0;
    std::string prediction;
    bool has_files() const {
        return !timeseries.empty() || !wildtype.empty() || !knockouts.empty() || !knockdowns.empty() || !multifactorial.empty();
    }
};

// The data of --timeseries and the steady-state files, with the genes of the first file.
grn::experiment_set read_given_files(const predict_options& o) {
    grn::experiment_set data;
    std::vector<std::string> genes;
    if (!o.timeseries.empty()) {
        data = grn::experiments_from_time_series(grn::read_time_series(o.timeseries), o.timeseries);
        genes = data.genes;
    }
    const std::pair<const std::string*, grn::steady_state_kind> files[] = {
        {&o.wildtype, grn::steady_state_kind::wildtype},
        {&o.knockouts, grn::steady_state_kind::knockouts},
        {&o.knockdowns, grn::steady_state_kind::knockdowns},
        {&o.multifactorial, grn::steady_state_kind::multifactorial}};
    for (const auto& [path, kind] : files) {
        if (path->empty()) continue;
        grn::steady_state_data table = grn::read_steady_state(*path, kind, genes);
        if (genes.empty()) genes = table.genes;
        grn::add_steady_state(data, std::move(table), *path);
    }
    data.validate();
    return data;
}

void run_predict(predict_options& o) {
    prepare(o, !o.has_files());
    KNIT_CHECK_AS(value_error, o.has_files() || o.network > 0,
                  "predict: got neither data files (--timeseries, --knockouts, ...) nor --network, expected one of them");
    add_input(o, o.model_file, "--model-file");
    add_input(o, o.timeseries, "--timeseries");
    add_input(o, o.wildtype, "--wildtype");
    add_input(o, o.knockouts, "--knockouts");
    add_input(o, o.knockdowns, "--knockdowns");
    add_input(o, o.multifactorial, "--multifactorial");
    if (!o.has_files()) add_network_inputs(o, o.network);
    check_output(o, o.prediction, "--prediction");
    const grn::experiment_set data =
        (o.has_files() ? read_given_files(o) : grn::read_dream4_experiments(o.data, o.size, o.network)).restricted_to(inputs_of(o));
    auto model = grn::load_pair_model(o.model_file);
    check_block_rows_apply(o, model->name());
    note_missing_wildtype(o.has_files() ? "the data" : "network " + std::to_string(o.network), data);
    if (ranks().rank() == 0)
        for (const auto& w : model->warnings(data)) std::cerr << "knit-grn: warning: " << w << "\n";
    check_experiments({&data}, needs_common_length(model->name()));
    check_trained_length(o.model_file, model->name(), data);
    check_same_inputs_on_every_rank(o, data, "predict " + o.prediction);
    const std::vector<std::string>& genes = data.genes;
    // Under MPI every rank scores its share of the pair blocks and sorts its slice of the
    // ranking; rank 0 writes the list and prints (ranks.hpp).
    communicator& shared = ranks();
    grn::pair_scoring_options scoring;
    scoring.threads = std::size_t(o.threads);
    scoring.block_rows = o.block_rows;
    scoring.ranks = &shared;
    const tensor<double> scores = model->score_all_pairs(data, scoring);
    // Flat pair indices, not edges with names: 8 bytes a pair until the file is written.
    const auto ranking = grn::rank_pair_indices(scores, genes, 0, std::size_t(o.threads), &shared);
    grn::write_ranked_pairs(o.prediction, scores, genes, ranking, grn::edge_format::dream, std::size_t(o.threads),
                            &shared);
    if (shared.rank() != 0) return;
    if (o.json)
        std::cout << nlohmann::json{{"model", model->name()}, {"model_file", o.model_file}, {"genes", genes.size()},
                                    {"ranked", ranking.size()}, {"prediction", o.prediction}}.dump(2)
                  << std::endl;
    else
        std::cout << "ranked " << ranking.size() << " ordered pairs of " << genes.size() << " genes with "
                  << model->name() << "; wrote " << o.prediction << "\n";
}

struct score_options : common_options {
    std::string prediction, gold, density, genes, expression;
    int network = 0;
};

// The genes of an expression file, in file order: a time series (first header cell "Time")
// or a table with one column per gene (steady states, DREAM4 layout).
std::vector<std::string> expression_file_genes(const std::string& path) {
    const std::string text = grn::detail::read_file(path);
    grn::detail::line_cursor lines(grn::detail::text_body(text, path));
    std::string_view line;
    while (lines.next(line) && grn::detail::is_blank(line)) {
    }
    const char delimiter = grn::detail::detect_delimiter(line);
    const auto header = grn::detail::split_fields(line, delimiter, path, lines.line_number());
    std::string first = header.empty() ? "" : header[0].text;
    for (auto& c : first) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (first == "time") return grn::parse_time_series(text, path).genes;
    return grn::parse_steady_state(text, grn::steady_state_kind_from_path(path), path).genes;
}

// "'G1', 'G2', 'G3', ..." for messages.
std::string some_names(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < 3; ++i) out += (i ? ", '" : "'") + grn::detail::shorten(names[i]) + "'";
    return names.size() > 3 ? out + ", ..." : out;
}

void run_score(score_options& o) {
    const bool from_folder = o.gold.empty();
    prepare(o, from_folder);
    KNIT_CHECK_AS(value_error, !from_folder || o.network > 0,
                  "score: got neither --gold nor --network, expected one of them");
    add_input(o, o.prediction, "--prediction");
    add_input(o, o.gold, "--gold");
    add_input(o, o.density, "--density");
    add_input(o, o.genes, "--genes");
    add_input(o, o.expression, "--expression");
    grn::edge_format format = grn::edge_format::dream;
    const auto ranking = grn::parse_prediction(grn::detail::read_file(o.prediction), o.prediction, format);

    // The gene universe: the pairs a gold standard does not list are its negatives, so the
    // genes it covers change AUROC and AUPR. A positives-only file knows only the genes
    // with an edge.
    std::optional<grn::gold_standard> gold;
    std::optional<grn::null_density> density;
    std::string gold_name = o.gold;
    if (from_folder) {
        grn::network_data n = load_one_network(o, o.network);
        gold_name = grn::dream4_path(o.data, o.size, o.network, grn::dream4_file::gold_standard);
        gold = std::move(n.gold);  // read over the network's genes
        density = std::move(n.density);
    } else {
        std::vector<std::string> universe;
        if (!o.genes.empty()) universe = grn::read_gene_list(o.genes);
        else if (!o.expression.empty()) universe = expression_file_genes(o.expression);
        grn::gold_standard_listing listing;
        gold = grn::read_gold_standard(o.gold, universe.empty() ? nullptr : &universe, listing);
        if (listing.skipped_self_loops + listing.skipped_repeats > 0)
            std::cerr << "knit-grn score: note: skipped " << listing.skipped_self_loops << " self-loop(s) and "
                      << listing.skipped_repeats << " repeated pair(s) of the BEELINE gold standard '" << o.gold
                      << "' (as BEELINE does)\n";
        if (universe.empty() && listing.positives_only())
            std::cerr << "knit-grn score: warning: the gold standard '" << o.gold
                      << "' lists positives only, so its genes are the " << gold->size()
                      << " that have an edge; genes without one are missing, and AUROC and AUPR change with them. "
                         "Give every gene with --genes FILE or --expression FILE."
                      << (listing.beeline ? " (BEELINE's own evaluation scores over these genes too.)" : "") << "\n";
    }
    if (!o.density.empty()) density = grn::read_null_density(o.density);

    std::size_t shared = 0;
    std::unordered_set<std::string> seen;
    std::vector<std::string> predicted;
    for (const auto& e : ranking)
        for (const std::string* name : {&e.regulator, &e.target})
            if (seen.insert(*name).second) {
                predicted.push_back(*name);
                shared += gold->index(*name).has_value();
            }
    KNIT_CHECK_AS(value_error, shared > 0,
                  "score: got no gene of the prediction '" << o.prediction << "' (" << some_names(predicted)
                      << ") among the " << gold->size() << " genes of the gold standard '" << gold_name << "' ("
                      << some_names(gold->genes()) << "), expected the same gene names");

    const grn::dream_score s = grn::score_dream(ranking, *gold, density ? &*density : nullptr);
    std::cerr << "knit-grn score: scored " << s.ranked << " of the " << ranking.size() << " listed edges; dropped "
              << s.dropped_self_loops << " self-loop(s), " << s.dropped_repeats << " repeated pair(s) and "
              << s.dropped_unknown_genes << " edge(s) naming a gene outside the gold standard's " << gold->size()
              << " genes\n";
    grn::table t({"prediction", "AUROC", "AUPR", "p(AUROC)", "p(AUPR)", "AUPR ratio", "early precision", "EPR",
                  "ranked", "true positives"});
    t.add_row({o.prediction, grn::fixed(s.auroc, 4), grn::fixed(s.aupr, 4), grn::scientific(s.p_auroc),
               grn::scientific(s.p_aupr), grn::fixed(s.aupr_ratio, 4), grn::fixed(s.early_precision, 4),
               grn::fixed(s.epr, 4), std::to_string(s.ranked), std::to_string(s.true_positives)});
    emit_table(o, std::string("DREAM metric and BEELINE's early precision (") + grn::to_string(format) + " list)", t,
               "score");
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    emit_json(o, {{"prediction", o.prediction}, {"format", grn::to_string(format)}, {"auroc", num(s.auroc)},
                  {"aupr", num(s.aupr)}, {"p_auroc", num(s.p_auroc)}, {"p_aupr", num(s.p_aupr)},
                  {"aupr_ratio", num(s.aupr_ratio)}, {"early_precision", num(s.early_precision)}, {"epr", num(s.epr)},
                  {"early_called", s.early_called}, {"early_true_positives", s.early_true_positives},
                  {"ranked", s.ranked}, {"true_positives", s.true_positives}, {"genes", gold->size()},
                  {"gold_positives", gold->positives()}, {"dropped_self_loops", s.dropped_self_loops},
                  {"dropped_unknown_genes", s.dropped_unknown_genes}, {"dropped_repeats", s.dropped_repeats}},
              "score");
}

}  // namespace

void add_train(CLI::App& app) {
    auto o = std::make_shared<train_options>();
    auto* sub = app.add_subcommand("train", "train a pair model on labelled networks and save it");
    add_shared_options(*sub, *o);
    sub->add_option("--model", o->model, "rnn, cnn, ae-nn, context-mlp or evidence-mlp")->capture_default_str()->check(CLI::IsMember({"rnn", "cnn", "ae-nn", "context-mlp", "evidence-mlp"}));
    sub->add_option("--save", o->save, "model file to write")->required();
    sub->callback([o] { run_train(*o); });
}

void add_predict(CLI::App& app) {
    auto o = std::make_shared<predict_options>();
    auto* sub = app.add_subcommand("predict", "rank all ordered gene pairs of a time series into a DREAM prediction list");
    add_shared_options(*sub, *o);
    sub->add_option("--model-file", o->model_file, "a file written by knit-grn train")->required()->check(CLI::ExistingFile);
    auto* series = sub->add_option("--timeseries", o->timeseries, "a DREAM4-format time-series file")->check(CLI::ExistingFile);
    auto* wildtype = sub->add_option("--wildtype", o->wildtype, "a DREAM4-format wild-type file")->check(CLI::ExistingFile);
    auto* knockouts = sub->add_option("--knockouts", o->knockouts, "a DREAM4-format knockout file (row i knocks out gene i)")->check(CLI::ExistingFile);
    auto* knockdowns = sub->add_option("--knockdowns", o->knockdowns, "a DREAM4-format knockdown file")->check(CLI::ExistingFile);
    auto* multifactorial = sub->add_option("--multifactorial", o->multifactorial, "a DREAM4-format multifactorial file")->check(CLI::ExistingFile);
    auto* network = sub->add_option("--network", o->network, "or: network number in --data")->check(positive_integer("network number"));
    // Data files or a network of --data, never both (the network would be ignored).
    for (CLI::Option* file : {series, wildtype, knockouts, knockdowns, multifactorial})
        file->excludes(network)->excludes(sub->get_option("--data"))->excludes(sub->get_option("--size"));
    sub->add_option("--prediction", o->prediction, "the list to write (Gi Gj score, best first)")->required();
    sub->callback([o] { run_predict(*o); });
}

void add_score(CLI::App& app) {
    auto o = std::make_shared<score_options>();
    auto* sub = app.add_subcommand("score", "score a prediction list against a gold standard (DREAM metric, BEELINE's "
                                            "early precision)");
    add_shared_options(*sub, *o);
    sub->add_option("--prediction", o->prediction, "the prediction list: DREAM (Gi Gj score), arboreto "
                                                   "(TF target importance) or BEELINE (Gene1,Gene2,EdgeWeight)")
        ->required()
        ->check(CLI::ExistingFile);
    auto* gold = sub->add_option("--gold", o->gold, "gold-standard file: DREAM (all pairs or positives only) or "
                                                    "BEELINE refNetwork.csv (Gene1,Gene2[,Type])")
                     ->check(CLI::ExistingFile);
    sub->add_option("--density", o->density, "null density (pdf_*.tsv) for p-values")->check(CLI::ExistingFile);
    auto* genes = sub->add_option("--genes", o->genes, "with --gold: the genes of the network, one per line")->check(CLI::ExistingFile);
    auto* expression = sub->add_option("--expression", o->expression, "with --gold: the genes of this expression file (time series or steady states)")->check(CLI::ExistingFile);
    auto* network = sub->add_option("--network", o->network, "or: network number in --data (gold standard and density from there)")->check(positive_integer("network number"));
    gold->excludes(network);
    genes->excludes(expression)->excludes(network);
    expression->excludes(network);
    sub->callback([o] { run_score(*o); });
}

}  // namespace knit::cli
