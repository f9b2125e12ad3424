// Issue 20, cases 9 (argument messages) and 10: every argument error exits 2 with one short
// line; options a subcommand does not use are refused; --json prints only JSON on stdout.
#include "knit_grn.hpp"

using namespace knit::test;
namespace fs = std::filesystem;

namespace {

// One line on stderr, "knit-grn: error: ...", nothing on stdout, exit 2.
void check_refused(const run_result& r, const std::string& needle) {
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("knit-grn: error: ", 0) == 0);
    CHECK(r.err.find('\n') == r.err.size() - 1);
    CHECK(r.err.size() < 300);
    CHECK(contains(r.err, needle));
}

}  // namespace

TEST_CASE("case 9: argument errors exit 2 with one short line, --help and --version exit 0") {
    const std::string dir = scratch("case9_args");
    write_bytes(dir + "/p.txt", "G1\tG2\t1\n");
    const std::string p = " --prediction " + dir + "/p.txt";
    check_refused(knit_grn("score --network 0" + p), "--network: got '0', expected a network number from 1");
    check_refused(knit_grn("frobnicate"), "got unknown subcommand 'frobnicate', expected one of demo, reproduce, "
                                          "evaluate, baselines, train, predict, score, simulate");
    check_refused(knit_grn(""), "got no subcommand, expected one of demo,");
    check_refused(knit_grn("score"), "--prediction is required");                 // was exit 106
    check_refused(knit_grn("score --prediction " + dir + "/none.txt"), "File does not exist");  // was 105
    check_refused(knit_grn("simulate --genes 1 --out x"), "--genes");              // was 105
    check_refused(knit_grn("score --frobnicate" + p), "got option '--frobnicate', which score does not take");  // was 109
    check_refused(knit_grn("evaluate --model svm"), "svm");
    check_refused(knit_grn("train --size -3 --save m.knit"), "--size: got '-3'");
    check_refused(knit_grn("reproduce --repeats 0"), "--repeats: got '0'");
    for (const char* sub : {"demo", "reproduce", "evaluate", "baselines", "train", "predict", "score", "simulate"}) {
        CAPTURE(sub);
        const run_result help = knit_grn(std::string(sub) + " --help");
        CHECK(help.code == 0);
        CHECK(contains(help.out, "Usage:"));
    }
    CHECK(knit_grn("--help").code == 0);
    CHECK(knit_grn("--version").code == 0);
    fs::remove_all(dir);
}

TEST_CASE("case 10: seeds are decimal numbers 0 .. 2^64-1; networks and models are not repeated") {
    const std::string dir = scratch("case10_values");
    const std::string data = simulated_data(dir + "/data");
    const auto before = snapshot(data);
    const std::string train = "train --model rnn --schedule quick --data " + data + " --size 10 --save " + dir + "/m.knit";
    check_refused(knit_grn(train + " --seed 18446744073709551616"),
                  "--seed: got '18446744073709551616', expected a decimal number from 0 to 18446744073709551615");
    check_refused(knit_grn(train + " --seed -1"), "--seed: got '-1'");
    check_refused(knit_grn(train + " --seed 0x10"), "--seed: got '0x10'");
    CHECK(knit_grn(train + " --json --networks 1 --seed 18446744073709551615").code == 0);
    check_refused(knit_grn(train + " --networks 1 1"), "--networks: got network 1 twice, expected each network once");
    check_refused(knit_grn("reproduce --models rnn rnn --data " + data + " --size 10"), "--models: got rnn twice");
    check_refused(knit_grn("predict --model-file " + dir + "/m.knit --timeseries " + series_file(data, 10, 1) +
                           " --network 2 --prediction " + dir + "/p.txt"),
                  "--timeseries excludes --network");
    check_refused(knit_grn("predict --model-file " + dir + "/m.knit --timeseries " + series_file(data, 10, 1) +
                           " --data " + data + " --prediction " + dir + "/p.txt"),
                  "--data excludes --timeseries");
    check_refused(knit_grn("score --gold " + gold_file(data, 10, 1) + " --network 1 --prediction " + dir + "/m.knit"),
                  "--gold excludes --network");
    CHECK(!fs::exists(dir + "/p.txt"));
    CHECK(snapshot(data) == before);
    fs::remove_all(dir);
}

TEST_CASE("case 10: each subcommand refuses the options it does not use") {
    const std::string dir = scratch("case10_options");
    write_bytes(dir + "/p.txt", "G1\tG2\t1\n");
    const std::vector<std::pair<std::string, std::string>> unused = {
        {"score", "--seed 3"},      {"score", "--threads 2"},   {"score", "--schedule quick"},
        {"train", "--out x"},       {"predict", "--seed 1"},    {"predict", "--networks 1"},
        {"predict", "--out x"},     {"baselines", "--seed 1"},  {"baselines", "--schedule quick"},
        {"simulate", "--inputs all"}, {"simulate", "--data x"},  {"demo", "--json"},
        {"demo", "--data x"},       {"reproduce", "--force"},   {"evaluate", "--force"},
        {"score", "--inputs all"},  {"reproduce", "--inputs all"}, {"predict", "--model-option hidden=3"},
        {"score", "--edges x"},     {"predict", "--edges x"},   {"train", "--edges x"},
        {"reproduce", "--edges x"}, {"demo", "--edges-format dream"},
    };
    // The options each subcommand requires, so that only the unused option is wrong.
    const std::map<std::string, std::string> required = {
        {"score", "--prediction " + dir + "/p.txt"},
        {"predict", "--model-file " + dir + "/p.txt --prediction " + dir + "/q.txt"},
        {"train", "--save " + dir + "/m.knit"},
        {"simulate", "--out " + dir + "/sim"},
    };
    for (const auto& sub_option : unused) {
        // Named, not a structured binding: CAPTURE's lambda cannot capture one in C++17 (clang).
        const auto& sub = sub_option.first;
        const auto& option = sub_option.second;
        CAPTURE(sub);
        CAPTURE(option);
        const auto base = required.find(sub);
        const run_result r = knit_grn(sub + " " + option + " " + (base == required.end() ? "" : base->second));
        CHECK(r.code == 2);
        CHECK(contains(r.err, "got option '" + option.substr(0, option.find(' ')) + "', which " + sub + " does not take"));
    }
    fs::remove_all(dir);
}

TEST_CASE("case 10: --json writes JSON only on stdout") {
    const std::string dir = scratch("case10_json");
    const std::string data = simulated_data(dir + "/data");
    const std::string model = dir + "/m.knit";
    const std::vector<std::string> commands = {
        "simulate --json --genes 10 --networks 1 --out " + dir + "/sim",
        "train --json --model rnn --schedule quick --data " + data + " --size 10 --networks 1 --save " + model,
        "predict --json --model-file " + model + " --data " + data + " --size 10 --network 2 --prediction " + dir + "/p.txt",
        "score --json --prediction " + dir + "/p.txt --data " + data + " --size 10 --network 2",
        "baselines --json --data " + data + " --size 10",
        "evaluate --json --protocol lono --model rnn --no-baselines --schedule quick --data " + data + " --size 10",
    };
    for (const auto& command : commands) {
        CAPTURE(command);
        const run_result r = knit_grn(command);
        REQUIRE_MESSAGE(r.code == 0, r.err);
        // One JSON document: it opens and closes with a bracket, and nothing else is there.
        REQUIRE(!r.out.empty());
        CHECK((r.out.front() == '{' || r.out.front() == '['));
        CHECK((r.out.substr(r.out.size() - 2) == "}\n" || r.out.substr(r.out.size() - 2) == "]\n"));
        CHECK(!contains(r.out, "Epoch"));
        CHECK(!contains(r.out, "wall time"));
        CHECK(!contains(r.out, "network 1:"));
    }
    fs::remove_all(dir);
}

TEST_CASE("KNIT_SIMD: an unknown level is refused at start-up with exit 2, a known one runs") {
    const run_result bad = knit_grn("--version", "KNIT_SIMD=avx9000");
    INFO(bad.err);
    CHECK(bad.code == 2);
    CHECK(bad.out.empty());
    CHECK(contains(bad.err, "KNIT_SIMD=avx9000 is not a SIMD level: expected avx512, avx2, neon or scalar"));
    for (const char* level : {"scalar", "avx2", "avx512"}) {
        CAPTURE(level);
        CHECK(knit_grn("--version", std::string("KNIT_SIMD=") + level).code == 0);
    }
}
