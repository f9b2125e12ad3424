// Ranks the regulators of a user's own expression data with knit's shipped model: a
// time-series CSV and a steady-state CSV in, the ten most confident edges out, and the
// whole ranking scored against the known truth (the data are simulated, so it is known).
//
//   example_infer_grn [DATA_FOLDER]    (default: examples/data, made by make_example_data.py)
#include <cstdio>
#include <string>

#include "knit/grn.hpp"

int main(int argc, char** argv) {
    using namespace knit::grn;
    const std::string folder = argc > 1 ? argv[1] : "examples/data";

    user_files files;
    files.time_series = {folder + "/timeseries.csv"};
    files.steady_states = {folder + "/steady_states.csv"};
    const experiment_set data = read_user_experiments(files);
    std::printf("%s\n", data.describe().c_str());

    infer_options options;
    options.regulators = read_gene_list(folder + "/regulators.txt");  // candidate regulators only
    const inference result = infer(data, options);                     // no training step
    std::printf("%zu pairs ranked with %s; the top 10:\n", result.pairs_scored, result.method.c_str());
    for (std::size_t i = 0; i < 10 && i < result.edges.size(); ++i)
        std::printf("  %-4s -> %-4s %.4f\n", result.edges[i].regulator.c_str(), result.edges[i].target.c_str(),
                    result.edges[i].score);

    // Against the truth (DREAM metric): pairs left out of the list, those whose regulator is
    // not a candidate, count as DREAM's random tail.
    const gold_standard gold = read_gold_standard(folder + "/gold_standard.tsv", data.genes);
    const dream_score s = score_dream(result.edges, gold);
    std::printf("AUROC %.3f, AUPR %.3f over the %zu ranked pairs (%zu true edges among them)\n", s.auroc, s.aupr,
                s.ranked, s.true_positives);
    return 0;
}
