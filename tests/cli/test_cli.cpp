// knit-grn as a user meets it: every subcommand's --help, the simulate -> baselines ->
// train -> predict -> score round trip on a small simulated data set, the demo and
// context-mlp's evaluation with their numbers read from the JSON reports, and bad input
// refused with a one-line message and exit code 2.
#include <doctest/doctest.h>

#include <sstream>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/dream4.hpp"

namespace {

struct run_result {
    int code = -1;
    std::string output;  // stdout and stderr
};

run_result run(const std::string& args) {
    const std::string command = std::string(KNIT_GRN_BINARY) + " " + args + " 2>&1";
    run_result r;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buffer{};
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.output.append(buffer.data(), n);
    const int status = pclose(pipe);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string scratch(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("knit_cli_test_" + name);
    std::filesystem::remove_all(dir);
    return dir.string();
}

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// The mean of a JSON report's `field` over the results of one method, and how many there were.
std::pair<double, std::size_t> method_mean(const nlohmann::json& report, const std::string& method,
                                           const std::string& field) {
    double sum = 0;
    std::size_t count = 0;
    for (const auto& r : report.at("results"))
        if (r.at("method") == method) sum += r.at(field).get<double>(), ++count;
    return {count ? sum / double(count) : 0.0, count};
}

}  // namespace

TEST_CASE("every subcommand answers --help") {
    for (const char* sub : {"demo", "reproduce", "evaluate", "baselines", "train", "predict", "score", "simulate"}) {
        CAPTURE(sub);
        const run_result r = run(std::string(sub) + " --help");
        CHECK(r.code == 0);
        CHECK(contains(r.output, "Usage:"));
    }
    const run_result top = run("--help");
    CHECK(top.code == 0);
    CHECK(contains(top.output, "reproduce"));
    CHECK(run("--version").code == 0);
}

TEST_CASE("bad input is refused with a clear message and a non-zero exit") {
    const run_result none = run("");
    CHECK(none.code != 0);
    const run_result missing = run("baselines --data /nonexistent/folder");
    CHECK(missing.code == 2);
    CHECK(contains(missing.output, "knit-grn: error: data folder '/nonexistent/folder': not a directory"));
    const run_result bad_model = run("evaluate --model svm --data .");
    CHECK(bad_model.code != 0);
    CHECK(contains(bad_model.output, "svm"));
    const run_result bad_flag = run("simulate --genes -3 --out x");
    CHECK(bad_flag.code != 0);

    const std::string dir = scratch("bad");
    std::filesystem::create_directories(dir + "/size10/goldstandard");
    std::ofstream(dir + "/size10/insilico_size10_1_timeseries.tsv") << "\"Time\"\t\"G1\"\t\"G2\"\n\n0.0\t0.5\toops\n";
    const run_result parse = run("baselines --data " + dir + " --size 10 --networks 1");
    CHECK(parse.code == 2);
    CHECK(contains(parse.output, "insilico_size10_1_timeseries.tsv:3:"));
}

TEST_CASE("simulate, baselines, train, predict and score work together") {
    const std::string dir = scratch("flow"), out = scratch("flow_out");
    const run_result sim = run("simulate --genes 12 --networks 3 --seed 4 --out " + dir);
    REQUIRE(sim.code == 0);
    CHECK(std::filesystem::exists(dir + "/size12/insilico_size12_2_timeseries.tsv"));
    CHECK(std::filesystem::exists(dir + "/size12/goldstandard/DREAM4_GoldStandard_InSilico_Size12_3.tsv"));

    const run_result base = run("baselines --data " + dir + " --size 12 --out " + out);
    REQUIRE(base.code == 0);
    CHECK(contains(base.output, "abs-lag1-correlation"));
    CHECK(std::filesystem::exists(out + "/baselines.tsv"));
    CHECK(std::filesystem::exists(out + "/roc_size12_1.svg"));
    CHECK(std::filesystem::exists(out + "/fig2_abs-lag1-correlation.svg"));

    const std::string model = out + "/rnn.knit", prediction = out + "/prediction.txt";
    const run_result train = run("train --model rnn --schedule quick --data " + dir + " --size 12 --networks 1 2 --save " + model);
    REQUIRE(train.code == 0);
    CHECK(contains(train.output, "Total params: 2,038"));
    const run_result predict = run("predict --model-file " + model + " --data " + dir +
                                   " --size 12 --network 3 --prediction " + prediction);
    REQUIRE(predict.code == 0);
    CHECK(contains(predict.output, "ranked 132 ordered pairs"));
    const run_result score = run("score --json --prediction " + prediction + " --data " + dir + " --size 12 --network 3");
    REQUIRE(score.code == 0);
    CHECK(contains(score.output, "\"auroc\""));
    CHECK(contains(score.output, "\"ranked\": 132"));

    const run_result lono = run("evaluate --protocol lono --model rnn --schedule quick --data " + dir + " --size 12 --out " + out);
    REQUIRE(lono.code == 0);
    CHECK(contains(lono.output, "Leave-one-network-out"));
    CHECK(std::filesystem::exists(out + "/evaluate_lono.json"));

    const run_result pair_disjoint = run("evaluate --protocol pair-disjoint --model rnn --schedule quick --data " + dir +
                                         " --size 12 --json");
    REQUIRE(pair_disjoint.code == 0);
    CHECK(contains(pair_disjoint.output, "\"protocol\": \"pair-disjoint\""));
    CHECK(contains(pair_disjoint.output, "abs-lag1-correlation"));  // baselines on the same pairs

    const run_result reproduce = run("reproduce --models rnn cnn --schedule quick --repeats 2 --data " + dir +
                                     " --size 12 --networks 1 --out " + out);
    REQUIRE(reproduce.code == 0);
    CHECK(contains(reproduce.output, "Seed protocol"));
    CHECK(contains(reproduce.output, " ± "));  // two seeds give a spread
    CHECK(std::filesystem::exists(out + "/reproduce.tsv"));

    const run_result damaged = run("predict --model-file " + prediction + " --data " + dir +
                                   " --size 12 --network 3 --prediction " + out + "/x.txt");
    CHECK(damaged.code == 2);
    CHECK(contains(damaged.output, "not a knit model file"));
    std::filesystem::remove_all(dir);
    std::filesystem::remove_all(out);
}

KNIT_DREAM4_TEST_CASE("score reproduces an official DREAM4 example through the command line") {
    const std::string dir = knit::test::dream4_dir().value();
    const run_result r = run("score --prediction " + dir +
                             "/scoring/example_predictions/size10/DREAM4_Example_InSilico_Size10_1.txt --data " + dir +
                             " --size 10 --network 1 --json");
    REQUIRE(r.code == 0);
    CHECK(contains(r.output, "\"p_auroc\""));
}

TEST_CASE("simulate --steady-states newton writes the integrated data to within 1e-7") {
    const std::string a = scratch("steady_integrate"), b = scratch("steady_newton");
    REQUIRE(run("simulate --genes 15 --networks 1 --seed 2 --kinds knockouts,multifactorial --out " + a).code == 0);
    REQUIRE(run("simulate --genes 15 --networks 1 --seed 2 --kinds knockouts,multifactorial --steady-states newton --out " + b).code == 0);
    for (const char* kind : {"knockouts", "multifactorial"}) {
        CAPTURE(kind);
        std::ifstream fa(a + "/size15/insilico_size15_1_" + kind + ".tsv"), fb(b + "/size15/insilico_size15_1_" + kind + ".tsv");
        std::string la, lb;
        std::getline(fa, la), std::getline(fb, lb);
        CHECK(la == lb);  // the header
        double largest = 0;
        std::size_t values = 0;
        double x, y;
        while (fa >> x && fb >> y) largest = std::max(largest, std::abs(x - y)), ++values;
        CHECK(values == 15 * 15);
        CHECK(largest <= 1e-7);
    }
    const run_result bad = run("simulate --genes 15 --steady-states euler --out " + scratch("steady_bad"));
    CHECK(bad.code == 2);
    CHECK(contains(bad.output, "--steady-states"));
    std::filesystem::remove_all(a);
    std::filesystem::remove_all(b);
}

TEST_CASE("simulate writes the experiment design it is asked for") {
    const std::string dir = scratch("design");
    const run_result sim = run("simulate --genes 8 --networks 1 --seed 3 --time-series 3 --time-points 9 "
                               "--duration 400 --release 100 --kinds timeseries,knockouts --out " + dir);
    REQUIRE(sim.code == 0);
    const std::string stem = dir + "/size8/insilico_size8_1_";
    CHECK(std::filesystem::exists(stem + "knockouts.tsv"));
    for (const char* absent : {"wildtype.tsv", "knockdowns.tsv", "multifactorial.tsv"}) {
        CAPTURE(absent);
        CHECK_FALSE(std::filesystem::exists(stem + absent));
    }
    // Three blocks of nine rows each, at t = 0, 50, ..., 400.
    std::ifstream series(stem + "timeseries.tsv");
    std::string line;
    std::getline(series, line);  // header
    std::vector<std::vector<double>> blocks;
    while (std::getline(series, line)) {
        if (line.empty()) {
            blocks.emplace_back();
            continue;
        }
        if (blocks.empty()) blocks.emplace_back();
        blocks.back().push_back(std::stod(line.substr(0, line.find('\t'))));
    }
    REQUIRE(blocks.size() == 3);
    for (const auto& times : blocks) {
        REQUIRE(times.size() == 9);
        for (std::size_t t = 0; t < 9; ++t) CHECK(times[t] == doctest::Approx(50.0 * double(t)));
    }

    const run_result late = run("simulate --genes 8 --duration 100 --release 200 --out " + scratch("design_late"));
    CHECK(late.code == 2);
    CHECK(contains(late.output, "--release 200 after the end of the series"));
    const run_result kinds = run("simulate --genes 8 --kinds timeseries,genome --out " + scratch("design_kinds"));
    CHECK(kinds.code == 2);
    CHECK(contains(kinds.output, "got 'genome'"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("train writes the same evidence-mlp file, byte for byte, for the same data and seed") {
    // What scripts/simulated-only.sh relies on to reproduce its model exactly.
    const std::string dir = scratch("same_model"), out = scratch("same_model_out");
    REQUIRE(run("simulate --genes 12 --networks 3 --seed 8 --out " + dir).code == 0);
    std::filesystem::create_directories(out);
    auto bytes = [](const std::string& path) {
        std::ifstream f(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    };
    std::string first;
    for (const char* name : {"a.knit", "b.knit"}) {
        const run_result r = run("train --model evidence-mlp --schedule quick --seed 5 --data " + dir + " --size 12 --save " +
                                 out + "/" + name);
        REQUIRE(r.code == 0);
        const std::string now = bytes(out + "/" + name);
        REQUIRE(now.size() > 1000);
        if (first.empty()) first = now;
        else CHECK(now == first);
    }
    const run_result other = run("train --model evidence-mlp --schedule quick --seed 6 --data " + dir + " --size 12 --save " +
                                 out + "/c.knit");
    REQUIRE(other.code == 0);
    CHECK(bytes(out + "/c.knit") != first);  // the seed reaches the weights
    std::filesystem::remove_all(dir);
    std::filesystem::remove_all(out);
}

TEST_CASE("demo on a small setting: every method on every network, the learned ones well above the baselines") {
    const std::string out = scratch("demo");
    const run_result demo = run("demo --genes 12 --networks 3 --seed 1 --out " + out);
    REQUIRE(demo.code == 0);
    CHECK(contains(demo.output, "3 simulated 12-gene networks"));
    CHECK(contains(demo.output, "all 132 ordered pairs"));
    std::ifstream in(out + "/demo.json");
    const nlohmann::json report = nlohmann::json::parse(in);
    CHECK(report.at("genes") == 12);
    CHECK(report.at("networks") == 3);
    CHECK(report.at("schedule") == "quick");
    for (const auto& r : report.at("results")) {
        CAPTURE(r.dump());
        CHECK(r.at("auroc").get<double>() >= 0.0);
        CHECK(r.at("auroc").get<double>() <= 1.0);
        CHECK(r.at("aupr").get<double>() > 0.0);
        CHECK(r.at("aupr").get<double>() <= 1.0);
    }
    // Five baselines and five pair models, each on every network.
    for (const char* m : {"abs-pearson", "abs-lag1-correlation", "mutual-information", "knockout-z", "knockdown-z",
                          "rnn", "cnn", "ae-nn", "context-mlp", "evidence-mlp"}) {
        CAPTURE(m);
        CHECK(method_mean(report, m, "auroc").second == 3);
    }
    // Seed 1 gave evidence-mlp 0.91 and context-mlp 0.78 against abs-lag1's 0.56 (AUROC means).
    const double lag1 = method_mean(report, "abs-lag1-correlation", "auroc").first;
    CHECK(method_mean(report, "evidence-mlp", "auroc").first > 0.8);
    CHECK(method_mean(report, "evidence-mlp", "auroc").first > lag1 + 0.2);
    CHECK(method_mean(report, "context-mlp", "auroc").first > lag1 + 0.1);
    CHECK(std::filesystem::exists(out + "/roc_size12_3.svg"));
    CHECK(std::filesystem::exists(out + "/report.md"));

    // The simulated data set is not overwritten without --force.
    const run_result again = run("demo --genes 12 --networks 3 --out " + out);
    CHECK(again.code == 2);
    CHECK(contains(again.output, "--force"));
    CHECK(run("demo --genes 12 --networks 3 --force --out " + out).code == 0);
    std::filesystem::remove_all(out);
}

TEST_CASE("evaluate --model context-mlp: leave-one-network-out beats the correlation baselines it is given") {
    const std::string dir = scratch("context");
    REQUIRE(run("simulate --genes 12 --networks 3 --seed 4 --out " + dir).code == 0);
    const run_result ev = run("evaluate --protocol lono --model context-mlp --schedule quick --data " + dir +
                              " --size 12 --json");
    REQUIRE(ev.code == 0);
    const nlohmann::json report = nlohmann::json::parse(ev.output.substr(ev.output.find('{')));
    CHECK(report.at("protocol") == "leave-one-network-out");
    const auto [auroc, networks] = method_mean(report, "context-mlp", "auroc");
    CHECK(networks == 3);
    // Seed 4 gave context-mlp means 0.82 / 0.53 against abs-lag1's 0.64 / 0.34.
    const auto lag1 = method_mean(report, "abs-lag1-correlation", "auroc");
    CHECK(lag1.second == 3);
    CHECK(auroc > lag1.first + 0.1);
    CHECK(method_mean(report, "context-mlp", "aupr").first > 1.3 * method_mean(report, "abs-lag1-correlation", "aupr").first);
    std::filesystem::remove_all(dir);
}

namespace {
// Every file under `dir` (relative path -> bytes).
std::map<std::string, std::string> files_under(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
        if (e.is_regular_file()) {
            std::ifstream in(e.path(), std::ios::binary);
            out[std::filesystem::relative(e.path(), dir).string()] =
                std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
    return out;
}

// A JSON report without its wall times.
nlohmann::json without_seconds(nlohmann::json report) {
    for (auto& r : report.at("results")) r.erase("seconds");
    return report;
}
}  // namespace

TEST_CASE("--threads 1 and --threads 2 give the same data and the same numbers; --threads 0 is refused") {
    const std::string one = scratch("threads_1"), two = scratch("threads_2");
    REQUIRE(run("simulate --genes 12 --networks 3 --seed 4 --threads 1 --out " + one).code == 0);
    REQUIRE(run("simulate --genes 12 --networks 3 --seed 4 --threads 2 --out " + two).code == 0);
    const auto files = files_under(one);
    CHECK(files.size() == 3 * 7);
    CHECK(files == files_under(two));  // byte for byte

    const std::string evaluate = "evaluate --protocol lono --model all --schedule quick --json --size 12 --data " + one;
    const run_result serial = run(evaluate + " --threads 1");
    const run_result parallel = run(evaluate + " --threads 2");
    REQUIRE_MESSAGE(serial.code == 0, serial.output);
    REQUIRE_MESSAGE(parallel.code == 0, parallel.output);
    const nlohmann::json a = without_seconds(nlohmann::json::parse(serial.output));
    const nlohmann::json b = without_seconds(nlohmann::json::parse(parallel.output));
    CHECK(a.at("results").size() == 3 * (5 + 5));  // five models and five baselines, three networks
    CHECK(a == b);  // every AUROC, AUPR and early precision, as the same doubles

    // train (features, folds and members as tasks), predict and infer (pair blocks, the
    // sort and the formatting as tasks): the same bytes on 1 and 2 threads.
    const std::string train = "train --model context-mlp --schedule quick --size 12 --networks 1 2 --data " + one;
    REQUIRE(run(train + " --threads 1 --save " + two + "/m1.knit").code == 0);
    REQUIRE(run(train + " --threads 2 --save " + two + "/m2.knit").code == 0);
    const std::string series = one + "/size12/insilico_size12_3_timeseries.tsv";
    for (const char* t : {"1", "2"}) {
        const std::string n(t);
        const run_result predicted = run("predict --model-file " + two + "/m1.knit --timeseries " + series +
                                         " --threads " + n + " --prediction " + two + "/p" + n + ".tsv");
        REQUIRE_MESSAGE(predicted.code == 0, predicted.output);
        const run_result inferred = run("infer --timeseries " + series + " --method context-mlp --top-k 50 --threads " + n +
                                        " --out " + two + "/i" + n + ".tsv");
        REQUIRE_MESSAGE(inferred.code == 0, inferred.output);
        // Streamed (no (G, G) matrices): the same bytes on 1 and 2 threads, too.
        const run_result streamed = run("infer --timeseries " + series + " --method context-mlp --streaming on --threads " +
                                        n + " --format dream --out " + two + "/s" + n + ".tsv");
        REQUIRE_MESSAGE(streamed.code == 0, streamed.output);
        CHECK(contains(streamed.output, "context-mlp (shipped), streamed"));
    }
    for (const std::string& refused_streaming :
         {"infer --timeseries " + series + " --method abs-pearson --streaming on --out " + two + "/sa.tsv",
          "infer --timeseries " + series + " --method context-mlp --streaming maybe --out " + two + "/sm.tsv"}) {
        CAPTURE(refused_streaming);
        const run_result r = run(refused_streaming);
        CHECK(r.code == 2);
        CHECK(contains(r.output, "streaming"));
    }
    // --block-rows: 132 pairs as one block (the default) or as blocks of 7 on 2 threads
    // rank the same pairs with scores equal up to their last float bits; 0 is refused.
    const run_result small = run("predict --model-file " + two + "/m1.knit --timeseries " + series +
                                 " --threads 2 --block-rows 7 --prediction " + two + "/b7.tsv");
    REQUIRE_MESSAGE(small.code == 0, small.output);
    const run_result zero = run("predict --model-file " + two + "/m1.knit --timeseries " + series +
                                " --block-rows 0 --prediction " + two + "/b0.tsv");
    CHECK(zero.code == 2);
    CHECK(contains(zero.output, "--block-rows"));
    const auto made = files_under(two);
    {
        const auto by_pair = [](const std::string& text) {
            std::map<std::string, double> out;
            std::istringstream lines(text);
            std::string regulator, target;
            double score = 0;
            while (lines >> regulator >> target >> score) out[regulator + ">" + target] = score;
            return out;
        };
        const auto whole = by_pair(made.at("p1.tsv")), blocks = by_pair(made.at("b7.tsv"));
        REQUIRE(whole.size() == 132);
        REQUIRE(blocks.size() == 132);
        double largest = 0;
        for (const auto& [pair, score] : whole) largest = std::max(largest, std::abs(blocks.at(pair) - score));
        CHECK(largest < 1e-6);
        CHECK_FALSE(made.count("b0.tsv"));
    }
    CHECK(made.at("m1.knit") == made.at("m2.knit"));
    CHECK(made.at("p1.tsv") == made.at("p2.tsv"));
    CHECK(made.at("p1.tsv").size() > 132 * 8);  // all 132 pairs
    CHECK(made.at("i1.tsv") == made.at("i2.tsv"));
    CHECK(made.at("s1.tsv") == made.at("s2.tsv"));
    CHECK(made.at("s1.tsv").size() > 132 * 8);  // all 132 pairs
    CHECK_FALSE(made.count("sa.tsv"));
    CHECK_FALSE(made.count("sm.tsv"));

    // A record model (rnn) scores its records as --threads tasks: the same bytes; it has
    // no scoring blocks, so --block-rows is refused with it, as with a baseline.
    REQUIRE(run("train --model rnn --schedule quick --size 12 --networks 1 --threads 1 --data " + one + " --save " +
                two + "/rnn.knit")
                .code == 0);
    for (const char* t : {"1", "2"})
        REQUIRE(run("predict --model-file " + two + "/rnn.knit --timeseries " + series + " --threads " + t +
                    " --prediction " + two + "/r" + t + ".tsv")
                    .code == 0);
    const auto scored = files_under(two);
    CHECK(scored.at("r1.tsv") == scored.at("r2.tsv"));
    CHECK(scored.at("r1.tsv").size() > 132 * 8);
    for (const std::string& refused_blocks :
         {"predict --model-file " + two + "/rnn.knit --timeseries " + series + " --block-rows 64 --prediction " + two +
              "/rb.tsv",
          "infer --timeseries " + series + " --method abs-pearson --block-rows 64 --out " + two + "/ib.tsv"}) {
        CAPTURE(refused_blocks);
        const run_result r = run(refused_blocks);
        CHECK(r.code == 2);
        CHECK(contains(r.output, "--block-rows: sizes the pair-scoring blocks of context-mlp and evidence-mlp"));
    }
    CHECK_FALSE(files_under(two).count("rb.tsv"));

    for (const char* bad : {"0", "-2"}) {
        CAPTURE(bad);
        const run_result refused = run(evaluate + " --threads " + bad);
        CHECK(refused.code == 2);
        CHECK(contains(refused.output, std::string("--threads: got '") + bad + "', expected a thread count from 1 to 1024"));
    }
    std::filesystem::remove_all(one);
    std::filesystem::remove_all(two);
}
