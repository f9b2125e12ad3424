// Issue 20, case 9 (data messages): what the models and scores would refuse later without
// a file or line is refused when the data are loaded, naming both: experiments of
// different lengths, a 1-point series, a single gene.
#include "knit_grn.hpp"

using namespace knit::test;
namespace fs = std::filesystem;

namespace {

// The lines of a file, and back.
std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find('\n', start);
        out.push_back(text.substr(start, end - start));
        start = end == std::string::npos ? text.size() : end + 1;
    }
    return out;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

}  // namespace

TEST_CASE("case 9: experiments of different lengths are refused at the shorter one's line") {
    const std::string dir = scratch("case9_lengths");
    const std::string data = simulated_data(dir + "/data");
    auto lines = lines_of(read_bytes(series_file(data, 10, 1)));
    // Header, blank, 21 rows of experiment 1, blank, then experiment 2 from line 25: drop its
    // last row (line 45).
    REQUIRE(lines[1].empty());
    REQUIRE(lines[23].empty());
    lines.erase(lines.begin() + 44);
    write_bytes(series_file(data, 10, 1), joined(lines));
    const auto before = snapshot(dir);
    const std::string file = series_file(data, 10, 1);
    const run_result train = knit_grn("train --model rnn --schedule quick --data " + data + " --size 10 --save " + dir + "/m.knit");
    CHECK(train.code == 2);
    CHECK(contains(train.err, file + ":25: got an experiment of 20 time points, expected 21 like the experiment at " +
                                  file + ":3"));
    // Methods that take any lengths still run on these data.
    CHECK(knit_grn("baselines --json --data " + data + " --size 10").code == 0);
    CHECK(snapshot(dir) == before);
    fs::remove_all(dir);
}

TEST_CASE("case 9: a 1-point series and a 1-gene file are refused with their file and line") {
    const std::string dir = scratch("case9_short");
    const std::string data = simulated_data(dir + "/data");
    const std::string file = series_file(data, 10, 1);
    auto lines = lines_of(read_bytes(file));
    write_bytes(file, joined({lines[0], "", lines[2], "", lines[24], lines[25]}));
    const auto before = snapshot(dir);
    const run_result one_point = knit_grn("baselines --data " + data + " --size 10 --networks 1");
    CHECK(one_point.code == 2);
    CHECK(contains(one_point.err, file + ":3: got an experiment of 1 time point, expected at least 2"));
    CHECK(!contains(one_point.err, "cross_correlation"));
    CHECK(snapshot(dir) == before);

    REQUIRE(knit_grn("train --json --model rnn --schedule quick --data " + data + " --size 10 --networks 2 --save " +
                     dir + "/m.knit").code == 0);
    write_bytes(dir + "/one_gene.tsv", "\"Time\"\t\"G1\"\n\n0\t0.5\n50\t0.6\n");
    const run_result one_gene = knit_grn("predict --model-file " + dir + "/m.knit --timeseries " + dir +
                                         "/one_gene.tsv --prediction " + dir + "/p.txt");
    CHECK(one_gene.code == 2);
    CHECK(contains(one_gene.err, dir + "/one_gene.tsv:1: got 1 gene in the header, expected at least 2"));
    CHECK(!contains(one_gene.err, "pair_records"));
    // A series of another length than the model was trained on: the file, the line, the model.
    write_bytes(dir + "/short.tsv", joined({lines[0], "", lines[2], lines[3], lines[4]}));
    const run_result other = knit_grn("predict --model-file " + dir + "/m.knit --timeseries " + dir +
                                      "/short.tsv --prediction " + dir + "/p.txt");
    CHECK(other.code == 2);
    CHECK(contains(other.err, dir + "/short.tsv:3: got an experiment of 3 time points, expected 21, the length rnn model"));
    CHECK(!fs::exists(dir + "/p.txt"));
    fs::remove_all(dir);
}
