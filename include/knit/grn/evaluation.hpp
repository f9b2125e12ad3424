// End-to-end evaluations: the seed protocol (the paper's, REFERENCE §4), the honest
// protocols (pair-disjoint, leave-one-network-out; §5) and the classic baselines, each
// returning numbers that name their metric and protocol. knit-grn prints these; users
// call them directly.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "knit/grn/experiment_set.hpp"
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/grn/models/pair_model.hpp"
#include "knit/grn/prediction.hpp"

namespace knit::grn {

// One network: its whole experiment set (time series, wild type, knockouts, knockdowns,
// multifactorial: whatever it came with), its gold standard and (for DREAM4) the null
// densities that turn AUROC/AUPR into p-values.
struct network_data {
    std::string name;  // e.g. "size100_1"
    experiment_set experiments;
    gold_standard gold;
    std::optional<null_density> density;
};

// Network `index` of the given size from a folder in the DREAM4 layout (the DREAM4 data,
// or a folder written by knit-grn simulate): every experiment kind that is there
// (read_dream4_experiments), restricted to `inputs`. The density is read when the folder has
// one (dream4_path(..., dream4_file::null_density)).
network_data load_network(const std::string& root, int size, int index,
                          const experiment_kinds& inputs = experiment_kinds::all());

// Reports progress: a line of text per finished step.
using progress_fn = std::function<void(const std::string&)>;

// How models train.
//   exact     REFERENCE §3 to the letter, the CNN included: 1,500 full-batch updates
//             (about 7 minutes per DREAM4 network on this project's 2-core machine).
//   standard  exact, except that the CNN trains on shuffled mini-batches of 32 for its
//             30 epochs (30 passes over the data instead of 1,500): the one named
//             deviation, for time (docs/grn.md). knit-grn's default.
//   quick     about a tenth of standard's epochs, for demos and smoke tests.
// Every reported number names its schedule.
enum class schedule { exact, standard, quick };
std::string to_string(schedule s);
schedule schedule_from_string(const std::string& name);
// The model of a spec, with the schedule's settings, then the spec's own settings applied.
std::unique_ptr<pair_model> make_pair_model(const model_spec& spec, schedule s);

// --- the seed protocol --------------------------------------------------------------
struct seed_result {
    std::string network, model;
    std::size_t train_records = 0, test_records = 0;
    prec_rec_result seed_metrics;   // the paper's prec_rec on the balanced test set
    double average_precision = 0;   // scikit-learn's, same test set
    double roc_auc = 0;
    double seconds = 0;
};
// Per network: balance, split 80/20 at the record level (seeded), train every model on
// the same split, score the test records. Each (network, model) is a task on one of
// `threads` threads (parallel_for); the results, in network-then-model order, are the
// same for every count.
std::vector<seed_result> run_seed_protocol(const std::vector<network_data>& networks,
                                           const std::vector<std::string>& models, schedule s,
                                           std::uint64_t seed, const progress_fn& progress = {},
                                           std::size_t threads = 1);

// --- rankings scored with the DREAM metric --------------------------------------------
struct ranking_result {
    std::string network, method;
    dream_score score;
    std::vector<scored_edge> ranking;  // all n(n-1) pairs, best first
    double seconds = 0;
};
// Ranks a (G, G) score matrix of one network and scores it against its gold standard.
ranking_result score_matrix(const tensor<double>& scores, const network_data& network,
                            const std::string& method);

// The unsupervised baselines: |Pearson|, |lag-1 correlation| and MI on the time series,
// knockout-z and knockdown-z on the steady states (steady_state_features.hpp). Each needs
// some experiment kinds; run_baselines runs, on each network, those its data have.
std::vector<std::string> baseline_names();
experiment_kinds baseline_inputs(const std::string& name);
// The baselines whose inputs `available` holds, in baseline_names() order.
std::vector<std::string> baseline_names_for(const experiment_kinds& available);
tensor<double> baseline_scores(const std::string& name, const experiment_set& data);
tensor<double> baseline_scores(const std::string& name, const time_series_data& data);
// Each (baseline, network) is a parallel_for task on up to `threads` threads; the results
// come in the serial order (baseline by baseline, networks in order), bit-identical for
// every thread count; `progress` as in run_leave_one_network_out below.
std::vector<ranking_result> run_baselines(const std::vector<network_data>& networks,
                                          const progress_fn& progress = {}, std::size_t threads = 1);

// Leave-one-network-out: for each network, train `model` on the balanced records of the
// others, score every record of the held-out one, average per pair, rank all pairs.
// The folds run as parallel_for tasks on up to `threads` threads (core/parallel.hpp);
// the results, in network order, are bit-identical for every thread count. `progress`
// is then called from the worker threads, one call at a time, in the order folds finish.
std::vector<ranking_result> run_leave_one_network_out(const std::vector<network_data>& networks,
                                                      const model_spec& model, schedule s,
                                                      std::uint64_t seed, const progress_fn& progress = {},
                                                      std::size_t threads = 1);
// The same for several models in one loop: every (model, fold) is a task, so two threads
// are not left with an odd fold per model. The results are those of one call per model,
// concatenated in `models` order.
std::vector<ranking_result> run_leave_one_network_out(const std::vector<network_data>& networks,
                                                      const std::vector<model_spec>& models, schedule s,
                                                      std::uint64_t seed, const progress_fn& progress = {},
                                                      std::size_t threads = 1);

// A model trained elsewhere (for example on simulated networks only) ranks every network
// as it is: no training, no label read. The method is named `method`.
std::vector<ranking_result> run_pretrained(const std::vector<network_data>& networks, pair_model& model,
                                           const std::string& method, const progress_fn& progress = {});

// --- pair-disjoint split within each network ------------------------------------------
struct pair_split_result {
    std::string network, model;
    std::size_t train_pairs = 0, test_pairs = 0, test_positive_pairs = 0;
    double average_precision = 0;  // over the test pairs (mean of their record scores)
    double roc_auc = 0;
    double seconds = 0;
    // The unsupervised baselines on exactly the same test pairs: name -> (AP, ROC AUC).
    std::map<std::string, std::pair<double, double>> baselines;
};
// One task per network on `threads` threads (parallel_for); results in network order,
// the same for every count.
std::vector<pair_split_result> run_pair_disjoint(const std::vector<network_data>& networks,
                                                 const model_spec& model, schedule s,
                                                 std::uint64_t seed, const progress_fn& progress = {},
                                                 std::size_t threads = 1);

// The paper's numbers under its own protocol (REFERENCE §4): AUPR exact from the authors'
// figure data, AUROC read off their Fig. 12. Index 0..4 = networks 1..5.
struct paper_numbers {
    std::string model;
    double aupr[5];
    double auroc[5];
};
const std::vector<paper_numbers>& paper_seed_results();

}  // namespace knit::grn
