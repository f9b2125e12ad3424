// knit-grn infer as a user meets it (issue 15): the example CSVs in, a ranked list out in
// each format, equal to what knit::grn::infer gives; the summary line; and the refusals
// (exit 2, one line naming the problem) for bad arguments and bad genes.
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>

#include "knit/core/blas.hpp"
#include "knit/grn/expression_table.hpp"
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/infer.hpp"
#include "knit/grn/prediction.hpp"
#include "knit_grn.hpp"

using namespace knit::test;

namespace {

const std::string examples = std::string(KNIT_SOURCE_DIR) + "/examples/data";
const std::string series = examples + "/timeseries.csv";
const std::string steady = examples + "/steady_states.csv";
const std::string regulators = examples + "/regulators.txt";

std::size_t lines_of(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

}  // namespace

TEST_CASE("infer ranks the example tables exactly as knit::grn::infer does, in every format") {
    const std::string dir = scratch("infer_formats");
    const run_result r = knit_grn("infer --timeseries " + series + " --steady-state " + steady + " --regulators " +
                                  regulators + " --format dream --out " + dir + "/edges.tsv");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const std::size_t candidates = knit::grn::read_gene_list(regulators).size();
    CHECK(contains(r.err, "knit-grn infer: 30 genes: 4 time series"));
    CHECK(contains(r.err, "ranked " + std::to_string(candidates * 29) + " pairs with evidence-mlp (shipped)"));

    knit::grn::user_files files;
    files.time_series = {series};
    files.steady_states = {steady};
    knit::grn::infer_options options;
    options.regulators = knit::grn::read_gene_list(regulators);
    // As the command (OpenBLAS on one thread whatever --threads is): OpenBLAS's threaded
    // sgemm splits its sums otherwise, which moves the last bits of the scores.
    knit::set_blas_threads(1);
    const auto expected = knit::grn::infer(knit::grn::read_user_experiments(files), options).edges;
    CHECK(knit::grn::read_prediction(dir + "/edges.tsv") == expected);  // scores bit for bit

    const run_result arboreto = knit_grn("infer --timeseries " + series + " --steady-state " + steady +
                                         " --regulators " + regulators + " --top-k 7 --out -");
    REQUIRE_MESSAGE(arboreto.code == 0, arboreto.err);
    CHECK(arboreto.out.rfind("TF\ttarget\timportance\n", 0) == 0);  // the default format
    CHECK(lines_of(arboreto.out) == 8);
    CHECK(contains(arboreto.out, expected[0].regulator + "\t" + expected[0].target + "\t"));
    CHECK(contains(arboreto.err, "wrote 7 edges"));

    const run_result beeline = knit_grn("infer --timeseries " + series + " --format beeline --out " + dir + "/b.csv");
    REQUIRE_MESSAGE(beeline.code == 0, beeline.err);
    CHECK(read_bytes(dir + "/b.csv").rfind("Gene1,Gene2,EdgeWeight\n", 0) == 0);
    CHECK(lines_of(read_bytes(dir + "/b.csv")) == 30 * 29 + 1);
    CHECK(contains(beeline.err, "with context-mlp (shipped)"));  // time series alone
    const run_result unused = knit_grn("infer --timeseries " + series + " --steady-state " + steady +
                                       " --method context-mlp --out " + dir + "/c.tsv");
    REQUIRE_MESSAGE(unused.code == 0, unused.err);
    CHECK(contains(unused.err, "warning: the data's wildtype,knockouts,knockdowns,multifactorial are not used: context-mlp reads timeseries only"));
}

TEST_CASE("infer takes a DREAM4-layout folder, a baseline and a trained model file") {
    const std::string dir = scratch("infer_folder");
    const std::string data = simulated_data(dir + "/data", 10, 1);
    const run_result r = knit_grn("infer --data " + data + " --size 10 --network 1 --method knockout-z --format dream --out " +
                                  dir + "/ko.tsv");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(lines_of(read_bytes(dir + "/ko.tsv")) == 90);
    CHECK(contains(r.err, "with knockout-z"));
    const run_result file = knit_grn("infer --data " + data + " --size 10 --network 1 --model-file " + std::string(KNIT_SOURCE_DIR) +
                                     "/models/context-mlp.knit --out " + dir + "/c.tsv");
    REQUIRE_MESSAGE(file.code == 0, file.err);
    CHECK(contains(file.err, "with context-mlp ("));
    // An evidence-mlp trained without time series records their range as 0-0; it loads.
    const run_result train = knit_grn("train --model evidence-mlp --data " + data + " --size 10 --inputs knockouts --schedule quick --save " + dir + "/ko.knit");
    REQUIRE_MESSAGE(train.code == 0, train.err);
    const run_result ko = knit_grn("infer --data " + data + " --size 10 --network 1 --model-file " + dir + "/ko.knit --out " + dir + "/ko-model.tsv");
    CHECK_MESSAGE(ko.code == 0, ko.err);
    CHECK(contains(ko.err, "with evidence-mlp ("));
}

TEST_CASE("infer refuses bad arguments and unknown genes with exit 2 and one line") {
    const std::string dir = scratch("infer_refusals");
    write_bytes(dir + "/tfs.txt", "G1\nNOT_A_GENE\n");
    const std::string base = "infer --timeseries " + series + " --out " + dir + "/x.tsv ";
    struct refusal {
        std::string args, needle;
    };
    const refusal cases[] = {
        {base + "--regulators " + dir + "/tfs.txt", "tfs.txt: 1 of its 2 genes are not genes of the data ('NOT_A_GENE')"},
        {base + "--method rnn", "--method"},
        {base + "--method abs-pearson --model-file " + std::string(KNIT_SOURCE_DIR) + "/models/context-mlp.knit", "excludes"},
        {base + "--method knockout-z", "knockouts"},
        {base + "--seed 3", "'--seed', which infer does not take"},
        {base + "--top-k 0", "expected a number of edges from 1"},
        {base + "--top-k 99999999999999999999", "expected a number of edges from 1"},
        {"infer --out " + dir + "/x.tsv", "got no data"},
        {"infer --expression " + series + " --out " + dir + "/x.tsv", "--pseudotime"},
        {"infer --data " + dir + " --out " + dir + "/x.tsv", "--network"},
        {"infer --timeseries " + series + " --out " + series, "same file as the input"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.args);
        const run_result r = knit_grn(c.args);
        CHECK(r.code == 2);
        CHECK(contains(r.err, c.needle));
        CHECK(lines_of(r.err) == 1);
    }
    CHECK_FALSE(std::filesystem::exists(dir + "/x.tsv"));
}

TEST_CASE("infer writes plain files only, and never over the shipped model it reads") {
    const std::string dir = scratch("infer_special_outputs");
    write_bytes(dir + "/target.tsv", "keep\n");
    std::filesystem::create_symlink(dir + "/target.tsv", dir + "/link.tsv");
    REQUIRE(mkfifo((dir + "/fifo").c_str(), 0600) == 0);
    std::filesystem::create_directories(dir + "/models");
    std::filesystem::copy_file(std::string(KNIT_SOURCE_DIR) + "/models/context-mlp.knit", dir + "/models/context-mlp.knit");
    const std::string model = read_bytes(dir + "/models/context-mlp.knit");
    const std::string base = "infer --timeseries " + series + " --out ";
    struct refusal {
        std::string args, needle;
    };
    const refusal cases[] = {
        {base + dir + "/link.tsv", "got a symbolic link"},
        {base + dir + "/fifo", "got a device, pipe or socket, expected a plain file path (use --out - for stdout)"},
        {base + "/dev/null", "got a device, pipe or socket"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.args);
        const run_result r = knit_grn(c.args);
        CHECK(r.code == 2);
        CHECK(contains(r.err, c.needle));
    }
    CHECK(read_bytes(dir + "/target.tsv") == "keep\n");
    CHECK(std::filesystem::is_fifo(dir + "/fifo"));
    CHECK(std::filesystem::is_character_file("/dev/null"));
    ::setenv("KNIT_MODEL_DIR", (dir + "/models").c_str(), 1);
    const run_result over_model = knit_grn("infer --timeseries " + series + " --out " + dir + "/models/context-mlp.knit");
    ::unsetenv("KNIT_MODEL_DIR");
    CHECK(over_model.code == 2);
    CHECK(contains(over_model.err, "the shipped model context-mlp"));
    CHECK(read_bytes(dir + "/models/context-mlp.knit") == model);
    // A full stdout is an error, not a silent success.
    const std::string full = std::string(KNIT_GRN_BINARY) + " infer --timeseries " + series + " --out - >/dev/full 2>" + dir + "/full.err";
    const int status = std::system(full.c_str());
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 2));
    CHECK(contains(read_bytes(dir + "/full.err"), "writing the list to stdout failed"));
}
