// Issue 20, cases 2-4: no lost file. simulate never overwrites a data set without --force
// and never leaves a partial one; an output that is one of the command's inputs is
// refused; concurrent writers leave a whole file.
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "knit_grn.hpp"

using namespace knit::test;
namespace fs = std::filesystem;

namespace {

// The hidden staging folders simulate leaves beside `target` (".<name>.knit-tmp-*").
std::vector<fs::path> staging_folders(const std::string& parent, const std::string& name) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(parent))
        if (e.path().filename().string().rfind("." + name + ".knit-tmp-", 0) == 0) out.push_back(e.path());
    return out;
}

// Starts a long simulate into parent/set and returns once its first files exist.
pid_t simulate_until_first_files(const std::string& parent) {
    const pid_t pid = start_knit_grn("simulate --genes 30 --networks 200 --seed 5 --out " + parent + "/set");
    for (int i = 0; i < 3000; ++i) {
        for (const auto& s : staging_folders(parent, "set"))
            if (fs::exists(s / "size30" / "insilico_size30_1_timeseries.tsv")) return pid;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("simulate wrote nothing within 30 s");
    return pid;
}

}  // namespace

TEST_CASE("case 2: simulate refuses a folder that is not empty, unless --force") {
    const std::string dir = scratch("case2_refuse");
    const std::string data = simulated_data(dir + "/data");
    const auto before = snapshot(data);
    const run_result again = knit_grn("simulate --genes 10 --networks 2 --seed 9 --out " + data);
    CHECK(again.code == 2);
    CHECK(contains(again.err, "knit-grn: error: --out '" + data + "': got a folder that is not empty (size10)"));
    CHECK(contains(again.err, "--force"));
    CHECK(snapshot(data) == before);
    // A user's own folder needs no marker to be safe.
    fs::create_directories(dir + "/mine");
    write_bytes(dir + "/mine/notes.txt", "my notes\n");
    CHECK(knit_grn("simulate --genes 10 --networks 1 --out " + dir + "/mine").code == 2);
    CHECK(snapshot(dir + "/mine").size() == 1);
    // A file where the folder should be.
    const run_result file = knit_grn("simulate --genes 10 --networks 1 --out " + dir + "/mine/notes.txt");
    CHECK(file.code == 2);
    CHECK(contains(file.err, "got a file, expected a folder"));
    CHECK(read_bytes(dir + "/mine/notes.txt") == "my notes\n");
    fs::remove_all(dir);
}

TEST_CASE("case 2: simulate --force replaces the data set whole and keeps the folder's other files") {
    const std::string dir = scratch("case2_force");
    const std::string data = simulated_data(dir + "/data", 10, 3);
    write_bytes(data + "/README.txt", "mine\n");
    const std::string old_series = read_bytes(series_file(data, 10, 1));
    const run_result r = knit_grn("simulate --json --genes 10 --networks 1 --seed 9 --force --out " + data);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(read_bytes(series_file(data, 10, 1)) != old_series);  // the new set...
    CHECK(!fs::exists(series_file(data, 10, 2)));                // ...and nothing of the old one
    CHECK(read_bytes(data + "/README.txt") == "mine\n");
    CHECK(staging_folders(dir, "data").empty());
    // Exactly what the same command writes into an empty folder, plus the user's file.
    REQUIRE(knit_grn("simulate --json --genes 10 --networks 1 --seed 9 --out " + dir + "/fresh").code == 0);
    auto replaced = snapshot(data);
    replaced.erase("README.txt");
    CHECK(replaced == snapshot(dir + "/fresh"));
    fs::remove_all(dir);
}

TEST_CASE("case 4: a killed simulate leaves no partial data set under --out") {
    const std::string dir = scratch("case4_kill");
    // SIGKILL: nothing can run, yet --out never holds a partial set; what remains is the
    // hidden staging folder, which no reader takes for data.
    pid_t pid = simulate_until_first_files(dir);
    ::kill(pid, SIGKILL);
    CHECK(wait_for(pid) == -SIGKILL);
    CHECK(!fs::exists(dir + "/set"));
    CHECK(staging_folders(dir, "set").size() == 1);
    const run_result use = knit_grn("baselines --data " + dir + "/set --size 30");
    CHECK(use.code == 2);
    CHECK(contains(use.err, "not a directory"));
    for (const auto& s : staging_folders(dir, "set")) fs::remove_all(s);
    // SIGTERM (and Ctrl-C): the staging folder is removed before the process dies.
    pid = simulate_until_first_files(dir);
    ::kill(pid, SIGTERM);
    CHECK(wait_for(pid) == -SIGTERM);
    CHECK(fs::is_empty(dir));
    pid = simulate_until_first_files(dir);
    ::kill(pid, SIGINT);
    CHECK(wait_for(pid) == -SIGINT);
    CHECK(fs::is_empty(dir));
    fs::remove_all(dir);
}

TEST_CASE("case 3: an output that is one of the command's inputs is refused, and the input is kept") {
    const std::string dir = scratch("case3");
    const std::string data = simulated_data(dir + "/data");
    const std::string model = dir + "/m.knit", series = dir + "/ts.tsv";
    REQUIRE(knit_grn("train --json --model rnn --schedule quick --data " + data + " --size 10 --networks 1 --save " + model).code == 0);
    fs::copy_file(series_file(data, 10, 2), series);
    fs::create_symlink(series, dir + "/link.tsv");
    fs::create_hard_link(series, dir + "/hard.tsv");
    const auto data_before = snapshot(data);
    const std::string series_before = read_bytes(series), model_before = read_bytes(model);
    const std::string predict = "predict --model-file " + model + " --timeseries " + series + " --prediction ";
    for (const std::string& target : {series, dir + "/link.tsv", dir + "/hard.tsv"}) {
        CAPTURE(target);
        const run_result r = knit_grn(predict + target);
        CHECK(r.code == 2);
        CHECK(contains(r.err, "got the same file as the input '" + series + "' (--timeseries)"));
    }
    const run_result onto_model = knit_grn(predict + model);
    CHECK(onto_model.code == 2);
    CHECK(contains(onto_model.err, "(--model-file)"));
    const run_result onto_data = knit_grn("predict --model-file " + model + " --data " + data +
                                          " --size 10 --network 2 --prediction " + gold_file(data, 10, 2));
    CHECK(onto_data.code == 2);
    CHECK(contains(onto_data.err, "(--data)"));
    // train: the check comes before training, so a mistake costs nothing.
    const run_result save = knit_grn("train --model rnn --schedule quick --data " + data + " --size 10 --networks 1 --save " +
                                     series_file(data, 10, 1));
    CHECK(save.code == 2);
    CHECK(contains(save.err, "--save '" + series_file(data, 10, 1) + "': got the same file as the input"));
    CHECK(!contains(save.out, "trained"));
    // score writes score.tsv into --out: not over the prediction it reads.
    fs::create_directories(dir + "/results");
    REQUIRE(knit_grn(predict + dir + "/results/score.tsv").code == 0);
    const std::string prediction_before = read_bytes(dir + "/results/score.tsv");
    const run_result score = knit_grn("score --prediction " + dir + "/results/score.tsv --gold " + gold_file(data, 10, 2) +
                                      " --out " + dir + "/results");
    CHECK(score.code == 2);
    CHECK(contains(score.err, "--out '" + dir + "/results/score.tsv': got the same file as the input"));
    CHECK(read_bytes(dir + "/results/score.tsv") == prediction_before);
    CHECK(snapshot(data) == data_before);
    CHECK(read_bytes(series) == series_before);
    CHECK(read_bytes(model) == model_before);
    fs::remove_all(dir);
}

TEST_CASE("case 4: two predict runs writing one path at once leave one whole list") {
    const std::string dir = scratch("case4_concurrent");
    const std::string data = simulated_data(dir + "/data", 10, 2);
    const std::string model = dir + "/m.knit", out = dir + "/p.txt";
    REQUIRE(knit_grn("train --json --model rnn --schedule quick --data " + data + " --size 10 --networks 1 --save " + model).code == 0);
    auto command = [&](int network, const std::string& to) {
        return "predict --model-file " + model + " --timeseries " + series_file(data, 10, network) + " --prediction " + to;
    };
    REQUIRE(knit_grn(command(1, dir + "/one.txt")).code == 0);
    REQUIRE(knit_grn(command(2, dir + "/two.txt")).code == 0);
    const std::string one = read_bytes(dir + "/one.txt"), two = read_bytes(dir + "/two.txt");
    REQUIRE(one != two);
    const auto inputs = snapshot(data);
    for (int round = 0; round < 8; ++round) {
        const pid_t a = start_knit_grn(command(1, out)), b = start_knit_grn(command(2, out));
        CHECK(wait_for(a) == 0);
        CHECK(wait_for(b) == 0);
        const std::string got = read_bytes(out);
        CHECK((got == one || got == two));
    }
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
    CHECK(names == std::set<std::string>{"data", "m.knit", "one.txt", "p.txt", "two.txt"});
    CHECK(snapshot(data) == inputs);
    fs::remove_all(dir);
}

TEST_CASE("case 4: predict that runs out of memory says so (exit 3) and leaves no list") {
#ifdef KNIT_SANITIZED
    // The sanitizers reserve terabytes of address space: a virtual-memory limit stops them first.
    MESSAGE("skipped in sanitized builds");
#else
    const std::string dir = scratch("out_of_memory");
    REQUIRE(knit_grn("simulate --genes 2000 --networks 1 --kinds timeseries --seed 1 --out " + dir + "/data").code == 0);
    const std::string series = dir + "/data/size2000/insilico_size2000_1_timeseries.tsv";
    // 2,000 genes need about 370 MB; 500 MB of address space leaves too little for it.
    const run_result r = knit_grn("predict --model-file " KNIT_SOURCE_DIR "/models/context-mlp.knit --timeseries " +
                                      series + " --threads 1 --prediction " + dir + "/list.tsv",
                                  "ulimit -v 500000;");
    CHECK(r.code == 3);
    CHECK(contains(r.err, "predict ran out of memory"));
    CHECK(contains(r.err, "10 G^2 numbers"));
    CHECK(contains(r.err, "lower --block-rows or --threads"));
    CHECK_FALSE(contains(r.err, "internal error"));
    std::size_t entries = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) entries += e.path().filename() != "data";
    CHECK(entries == 0);  // neither the list nor a temporary file
    std::filesystem::remove_all(dir);
#endif
}
