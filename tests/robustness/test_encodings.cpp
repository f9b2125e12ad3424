// Issue 20, cases 5 and 8 (and the reader messages of case 9): a UTF-8 byte-order mark is
// read as nothing, everywhere; UTF-16 is refused with a whole message; gene names the
// outputs cannot hold are refused where they are read; messages stay short.
#include <functional>

#include "knit/core/error.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/grn/prediction.hpp"
#include "knit_grn.hpp"

using namespace knit::test;
namespace grn = knit::grn;
namespace fs = std::filesystem;

namespace {

const std::string bom = "\xef\xbb\xbf";

std::string utf16le(const std::string& ascii, bool with_bom) {
    std::string out = with_bom ? std::string("\xff\xfe", 2) : std::string();
    for (char c : ascii) out += c, out += '\0';
    return out;
}

std::string utf16be(const std::string& ascii, bool with_bom) {
    std::string out = with_bom ? std::string("\xfe\xff", 2) : std::string();
    for (char c : ascii) out += '\0', out += c;
    return out;
}

const std::string series_text = "\"Time\"\t\"G1\"\t\"G2\"\t\"G3\"\n\n0\t0.1\t0.2\t0.3\n50\t0.2\t0.1\t0.4\n100\t0.3\t0.3\t0.2\n";
const std::string steady_text = "\"G1\"\t\"G2\"\t\"G3\"\n0.1\t0.2\t0.3\n";
const std::string gold_text = "G1\tG2\t1\nG3\tG1\t1\nG1\tG3\t0\nG2\tG1\t0\nG2\tG3\t0\nG3\tG2\t0\n";
const std::string prediction_text = "G1\tG2\t0.9\nG3\tG1\t0.5\nG2\tG3\t0.1\n";
const std::string density_text = "auroc_X\tauroc_Y\taupr_X\taupr_Y\n0\t1\t0\t1\n0.5\t1\t0.5\t1\n";

// Every text reader, by name, on text in memory.
const std::vector<std::pair<std::string, std::function<void(const std::string&)>>>& readers() {
    static const std::vector<std::pair<std::string, std::function<void(const std::string&)>>> all = {
        {"time series", [](const std::string& t) { grn::parse_time_series(t, "x.tsv"); }},
        {"steady state", [](const std::string& t) { grn::parse_steady_state(t, grn::steady_state_kind::wildtype, "x.tsv"); }},
        {"matrix", [](const std::string& t) { grn::parse_expression_matrix(t, {}, "x.tsv"); }},
        {"gold standard", [](const std::string& t) { grn::parse_gold_standard(t, "x.tsv", nullptr); }},
        {"prediction", [](const std::string& t) { grn::parse_prediction(t, "x.tsv"); }},
        {"density", [](const std::string& t) { grn::parse_null_density(t, "x.tsv"); }},
        {"gene list", [](const std::string& t) { grn::parse_gene_list(t, "x.tsv"); }},
    };
    return all;
}

std::string sample_for(const std::string& reader) {
    if (reader == "time series") return series_text;
    if (reader == "steady state" || reader == "matrix") return steady_text;
    if (reader == "gold standard") return gold_text;
    if (reader == "prediction") return prediction_text;
    if (reader == "density") return density_text;
    return "G1\nG2\nG3\n";
}

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const knit::parse_error& e) {
        return e.what();
    }
    return "(accepted)";
}

}  // namespace

TEST_CASE("case 5: a UTF-8 byte-order mark changes nothing, in every reader") {
    // The result with a BOM equals the result without: the first name keeps its bytes.
    CHECK(grn::parse_prediction(bom + prediction_text, "p.txt") == grn::parse_prediction(prediction_text, "p.txt"));
    CHECK(grn::parse_prediction(bom + prediction_text, "p.txt").front().regulator == "G1");
    CHECK(grn::parse_gold_standard(bom + gold_text, "g.tsv", nullptr).genes() ==
          std::vector<std::string>{"G1", "G2", "G3"});  // no phantom "\xef\xbb\xbfG1"
    CHECK(grn::parse_time_series(bom + series_text, "t.tsv").genes == std::vector<std::string>{"G1", "G2", "G3"});
    CHECK(grn::parse_steady_state(bom + steady_text, grn::steady_state_kind::wildtype, "s.tsv").genes.front() == "G1");
    CHECK(grn::parse_expression_matrix(bom + steady_text, {}, "m.tsv").genes.front() == "G1");
    CHECK(grn::parse_null_density(bom + density_text, "d.tsv").auroc_x.size() == 2);
    CHECK(grn::parse_gene_list(bom + "G1\nG2\n", "genes.txt").front() == "G1");
    const std::string dir = scratch("case5_map");
    write_bytes(dir + "/map.tsv", bom + "from\tto\nA\tG1\n");
    CHECK(grn::read_gene_map(dir + "/map.tsv").front().first == "A");
    fs::remove_all(dir);
}

TEST_CASE("case 5: UTF-16 is refused by every reader, and the message says so in full") {
    for (const auto& reader : readers()) {
        // Named, not a structured binding: the lambdas below cannot capture one in C++17 (clang).
        const auto& name = reader.first;
        const auto& read = reader.second;
        CAPTURE(name);
        const std::string text = sample_for(name);
        read(text);  // the sample itself is fine
        const std::string le = message_of([&] { read(utf16le(text, true)); });
        CHECK(contains(le, "x.tsv:1:1: got UTF-16 text (byte-order mark FF FE, little-endian), expected UTF-8"));
        CHECK(contains(le, "iconv"));  // the message runs to its end: not cut at a NUL
        CHECK(contains(message_of([&] { read(utf16be(text, true)); }), "byte-order mark FE FF, big-endian"));
        const std::string no_bom = message_of([&] { read(utf16le(text, false)); });
        CHECK(contains(no_bom, "x.tsv:1:2: got a NUL byte, expected UTF-8 or ASCII text (is it UTF-16"));
        CHECK(contains(message_of([&] { read(utf16be(text, false)); }), "x.tsv:1:1: got a NUL byte"));
    }
}

TEST_CASE("case 5: through knit-grn, a BOM leaves the score unchanged and UTF-16 exits 2") {
    const std::string dir = scratch("case5_cli");
    write_bytes(dir + "/gold.tsv", gold_text);
    write_bytes(dir + "/gold_bom.tsv", bom + gold_text);
    write_bytes(dir + "/p.txt", prediction_text);
    write_bytes(dir + "/p_bom.txt", bom + prediction_text);
    write_bytes(dir + "/p16.txt", utf16le(prediction_text, true));
    const auto before = snapshot(dir);
    const run_result plain = knit_grn("score --json --prediction " + dir + "/p.txt --gold " + dir + "/gold.tsv");
    const run_result with_bom = knit_grn("score --json --prediction " + dir + "/p_bom.txt --gold " + dir + "/gold_bom.tsv");
    REQUIRE(plain.code == 0);
    REQUIRE(with_bom.code == 0);
    auto numbers = [](const std::string& json) { return json.substr(json.find("\"aupr\""), json.find("\"prediction\"") - json.find("\"aupr\"")); };
    CHECK(numbers(with_bom.out) == numbers(plain.out));
    CHECK(contains(with_bom.out, "\"ranked\": 3"));
    const run_result wide = knit_grn("score --prediction " + dir + "/p16.txt --gold " + dir + "/gold.tsv");
    CHECK(wide.code == 2);
    CHECK(contains(wide.err, dir + "/p16.txt:1:1: got UTF-16 text"));
    CHECK(contains(wide.err, "iconv -f UTF-16 -t UTF-8)\n"));
    CHECK(snapshot(dir) == before);
    fs::remove_all(dir);
}

TEST_CASE("case 8: gene names the outputs cannot hold are refused when read, at the name") {
    // Before, such names were read, scored for minutes, then refused by the writer.
    CHECK(contains(message_of([] { grn::parse_time_series("Time\t\"G 1\"\tG2\n0\t1\t2\n", "t.tsv"); }),
                   "t.tsv:1:6: got gene name 'G 1' holding a space"));
    CHECK(contains(message_of([] { grn::parse_prediction("G1\t\"G\"\"2\"\t0.5\n", "p.txt"); }),
                   "p.txt:1:4: got gene name 'G\"2' holding a double quote"));
    CHECK(contains(message_of([] { grn::parse_gold_standard("G1\t\"G,2\"\t1\n", "g.tsv", nullptr); }),
                   "g.tsv:1:4: got gene name 'G,2' holding a comma"));
    CHECK(contains(message_of([] { grn::parse_steady_state("G1\t\"G\x01\"\n1\t2\n", grn::steady_state_kind::other, "s.tsv"); }),
                   "s.tsv:1:4: got gene name 'G\\x01' holding a control character"));
    CHECK(contains(message_of([] { grn::parse_gene_list("G1\n\"G\tX\"\n", "l.txt"); }), "l.txt:2:1: got gene name"));
    const std::string dir = scratch("case8");
    const std::string data = simulated_data(dir + "/data");
    REQUIRE(knit_grn("train --json --model rnn --schedule quick --data " + data + " --size 10 --networks 1 --save " + dir + "/m.knit").code == 0);
    std::string series = read_bytes(series_file(data, 10, 1));
    series.replace(series.find("\"G3\""), 4, "\"G 3\"");
    write_bytes(dir + "/spaced.tsv", series);
    const auto before = snapshot(dir);
    const run_result r = knit_grn("predict --model-file " + dir + "/m.knit --timeseries " + dir + "/spaced.tsv --prediction " + dir + "/p.txt");
    CHECK(r.code == 2);
    CHECK(contains(r.err, dir + "/spaced.tsv:1:"));
    CHECK(contains(r.err, "got gene name 'G 3' holding a space"));
    CHECK(!fs::exists(dir + "/p.txt"));
    CHECK(snapshot(dir) == before);
    fs::remove_all(dir);
}

TEST_CASE("case 9: reader messages stay short and say what is there: a 10 MB name, a directory") {
    const std::string huge(10'000'000, 'G');
    const std::string duplicate = message_of([&] { grn::parse_time_series("Time\t" + huge + "\t" + huge + "\n0\t1\t2\n", "t.tsv"); });
    CHECK(contains(duplicate, "a second time"));
    CHECK(duplicate.size() < 300);
    const std::string dir = scratch("case9_dir");
    const std::string data = simulated_data(dir + "/data");
    const auto series = series_file(data, 10, 1);
    fs::remove(series);
    fs::create_directories(series);  // a directory where a file belongs
    const auto before = snapshot(dir);
    const run_result r = knit_grn("baselines --data " + data + " --size 10");
    CHECK(r.code == 2);
    CHECK(contains(r.err, "cannot read '" + series + "': it is a directory, expected a file"));
    CHECK(!contains(r.err, "empty file"));
    const run_result big = knit_grn("score --prediction " + dir + "/none.txt --gold " + std::string(5000, 'x'));
    CHECK(big.code == 2);
    CHECK(big.err.find('\n') == big.err.size() - 1);  // one line
    CHECK(snapshot(dir) == before);
    fs::remove_all(dir);
}
