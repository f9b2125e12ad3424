// Issue 20, case 6 (and issue 15's score section): score never gives a wrong result in
// silence. No shared gene: exit 2. The gene universe comes from --genes or --expression,
// or from the gold standard with a warning when that lists positives only. Dropped edges
// are counted on stderr. A null density of another network size is refused.
// Issue 15: arboreto and BEELINE lists and BEELINE refNetwork.csv gold standards score as
// their DREAM twins; evaluate and baselines --edges write the lists they scored.
#include <nlohmann/json.hpp>

#include <cmath>

#include "knit/grn/gold_standard.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/grn/prediction.hpp"
#include "knit/grn/report.hpp"
#include "knit_grn.hpp"
#include "support/dream4.hpp"

using namespace knit::test;
namespace fs = std::filesystem;

namespace {

// "\"aupr\": 0.25" -> 0.25 from score --json.
double json_number(const std::string& json, const std::string& key) {
    const auto at = json.find("\"" + key + "\": ");
    REQUIRE(at != std::string::npos);
    return std::stod(json.substr(at + key.size() + 4));
}

// Four genes; G4 has no edge, so a positives-only file cannot name it.
const std::string all_pairs =
    "G1\tG2\t1\nG2\tG3\t1\nG3\tG1\t1\n"
    "G1\tG3\t0\nG1\tG4\t0\nG2\tG1\t0\nG2\tG4\t0\nG3\tG2\t0\nG3\tG4\t0\nG4\tG1\t0\nG4\tG2\t0\nG4\tG3\t0\n";
const std::string positives_only = "G1\tG2\nG2\tG3\nG3\tG1\n";
// A ranking over all 12 pairs, two true edges near the top.
const std::string ranking =
    "G1\tG2\t0.95\nG4\tG1\t0.9\nG2\tG3\t0.85\nG1\tG4\t0.8\nG2\tG1\t0.7\nG3\tG4\t0.6\n"
    "G3\tG1\t0.5\nG4\tG2\t0.4\nG1\tG3\t0.3\nG2\tG4\t0.2\nG3\tG2\t0.1\nG4\tG3\t0.05\n";

}  // namespace

TEST_CASE("case 6: a prediction that shares no gene with the gold standard exits 2") {
    const std::string dir = scratch("case6_disjoint");
    write_bytes(dir + "/gold.tsv", all_pairs);
    write_bytes(dir + "/p.txt", "g1\tg2\t0.9\ng2\tg3\t0.5\n");  // other case: other genes
    const auto before = snapshot(dir);
    const run_result r = knit_grn("score --prediction " + dir + "/p.txt --gold " + dir + "/gold.tsv");
    CHECK(r.code == 2);
    CHECK(contains(r.err, "score: got no gene of the prediction '" + dir + "/p.txt' ('g1', 'g2', 'g3') among the 4 genes"));
    CHECK(contains(r.err, "expected the same gene names"));
    CHECK(!contains(r.out, "AUROC"));  // no 0.5 with exit 0
    CHECK(snapshot(dir) == before);
    fs::remove_all(dir);
}

TEST_CASE("case 6: the gene universe comes from --genes or --expression; a positives-only gold warns") {
    const std::string dir = scratch("case6_universe");
    write_bytes(dir + "/all.tsv", all_pairs);
    write_bytes(dir + "/pos.tsv", positives_only);
    write_bytes(dir + "/p.txt", ranking);
    write_bytes(dir + "/genes.txt", "G1\nG2\nG3\nG4\n");
    write_bytes(dir + "/series.tsv", "Time\tG1\tG2\tG3\tG4\n0\t1\t2\t3\t4\n1\t2\t3\t4\t5\n");
    write_bytes(dir + "/wildtype.tsv", "G4\tG3\tG2\tG1\n1\t2\t3\t4\n");
    const auto before = snapshot(dir);
    const std::string score = "score --json --prediction " + dir + "/p.txt --gold ";
    const run_result truth = knit_grn(score + dir + "/all.tsv");
    REQUIRE(truth.code == 0);
    CHECK(!contains(truth.err, "warning"));
    const double aupr = json_number(truth.out, "aupr"), auroc = json_number(truth.out, "auroc");
    CHECK(json_number(truth.out, "genes") == 4);
    // Positives only, no universe: three genes, another (wrong) score, and a warning.
    const run_result shrunk = knit_grn(score + dir + "/pos.tsv");
    REQUIRE(shrunk.code == 0);
    CHECK(json_number(shrunk.out, "genes") == 3);
    CHECK(std::abs(json_number(shrunk.out, "aupr") - aupr) > 0.01);
    CHECK(contains(shrunk.err, "warning: the gold standard '" + dir + "/pos.tsv' lists positives only"));
    CHECK(contains(shrunk.err, "--genes FILE or --expression FILE"));
    // With the universe given, the positives-only file scores as the all-pairs one.
    for (const std::string& universe : {"--genes " + dir + "/genes.txt", "--expression " + dir + "/series.tsv",
                                        "--expression " + dir + "/wildtype.tsv"}) {
        CAPTURE(universe);
        const run_result r = knit_grn(score + dir + "/pos.tsv " + universe);
        REQUIRE(r.code == 0);
        CHECK(json_number(r.out, "genes") == 4);
        CHECK(json_number(r.out, "aupr") == doctest::Approx(aupr).epsilon(1e-12));
        CHECK(json_number(r.out, "auroc") == doctest::Approx(auroc).epsilon(1e-12));
        CHECK(!contains(r.err, "warning"));
    }
    // A gold-standard gene outside the universe is an error at its line.
    write_bytes(dir + "/three.txt", "G1\nG2\nG4\n");
    const run_result outside = knit_grn(score + dir + "/pos.tsv --genes " + dir + "/three.txt");
    CHECK(outside.code == 2);
    CHECK(contains(outside.err, dir + "/pos.tsv:2:"));
    fs::remove(dir + "/three.txt");
    CHECK(snapshot(dir) == before);
    fs::remove_all(dir);
}

TEST_CASE("case 6: dropped, repeated and unknown edges are counted on stderr, without --json too") {
    const std::string dir = scratch("case6_dropped");
    write_bytes(dir + "/gold.tsv", all_pairs);
    write_bytes(dir + "/p.txt", "G1\tG2\t0.9\nG1\tG1\t0.8\nG1\tG2\t0.7\nG9\tG1\t0.6\nG7\tG8\t0.5\nG2\tG3\t0.4\n");
    const run_result r = knit_grn("score --prediction " + dir + "/p.txt --gold " + dir + "/gold.tsv");
    REQUIRE(r.code == 0);
    CHECK(contains(r.err, "knit-grn score: scored 2 of the 6 listed edges; dropped 1 self-loop(s), 1 repeated pair(s) and "
                          "2 edge(s) naming a gene outside the gold standard's 4 genes"));
    CHECK(contains(r.out, "DREAM metric"));
    fs::remove_all(dir);
}

TEST_CASE("case 6: a null density for another network size is refused") {
    const std::string dir = scratch("case6_density");
    write_bytes(dir + "/gold.tsv", all_pairs);
    write_bytes(dir + "/p.txt", ranking);
    const std::string density = "auroc_X\tauroc_Y\taupr_X\taupr_Y\n0\t1\t0\t1\n0.5\t1\t0.5\t1\n";
    write_bytes(dir + "/pdf_size100_1.tsv", density);
    write_bytes(dir + "/pdf_size4_1.tsv", density);
    write_bytes(dir + "/mine.tsv", density);  // a name that says nothing: not checked
    const std::string score = "score --prediction " + dir + "/p.txt --gold " + dir + "/gold.tsv --density " + dir;
    const run_result wrong = knit_grn(score + "/pdf_size100_1.tsv");
    CHECK(wrong.code == 2);
    CHECK(contains(wrong.err, "got a density for networks of 100 genes and a gold standard of 4 genes"));
    CHECK(knit_grn(score + "/pdf_size4_1.tsv").code == 0);
    CHECK(knit_grn(score + "/mine.tsv").code == 0);
    CHECK(knit::grn::null_density_size_from_name("a/pdf_size10_3.tsv") == 10);
    CHECK(knit::grn::null_density_size_from_name("pdf_multifactorial_2.tsv") == 100);
    CHECK(knit::grn::null_density_size_from_name("pdf_sizeX_1.tsv") == 0);
    CHECK(knit::grn::null_density_size_from_name("pdf_size10.tsv") == 0);
    fs::remove_all(dir);
}

KNIT_DREAM4_TEST_CASE("case 6: DREAM4 size-10 scored with the size-100 density is refused, with size 10 it works") {
    const std::string d4 = dream4_dir().value();
    const std::string score = "score --json --prediction " + d4 +
                              "/scoring/example_predictions/size10/DREAM4_Example_InSilico_Size10_1.txt --gold " + d4 +
                              "/size10/goldstandard/DREAM4_GoldStandard_InSilico_Size10_1.tsv --density " + d4 +
                              "/scoring/probability_densities/pdf_size";
    const run_result wrong = knit_grn(score + "100_1.tsv");
    CHECK(wrong.code == 2);  // was p 1.8e-71 with exit 0
    CHECK(contains(wrong.err, "pdf_size100_1.tsv': got a density for networks of 100 genes and a gold standard of 10"));
    const run_result right = knit_grn(score + "10_1.tsv");
    REQUIRE(right.code == 0);
    const run_result folder = knit_grn("score --json --prediction " + d4 +
                                       "/scoring/example_predictions/size10/DREAM4_Example_InSilico_Size10_1.txt --data " +
                                       d4 + " --size 10 --network 1");
    REQUIRE(folder.code == 0);
    CHECK(json_number(right.out, "p_aupr") == json_number(folder.out, "p_aupr"));
    CHECK(json_number(right.out, "p_auroc") > 0.01);
}

// ---- issue 15: the formats the field uses ----------------------------------------------

namespace {

// `ranking` above in the arboreto and BEELINE forms (same edges, same order).
std::string as_format(const std::string& dream, const std::string& header, char delimiter) {
    std::string out = header + "\n";
    for (char c : dream) out += c == '\t' ? delimiter : c;
    return out;
}

}  // namespace

TEST_CASE("issue 15: score reads arboreto and BEELINE lists and a BEELINE refNetwork.csv, with the DREAM numbers") {
    const std::string dir = scratch("issue15_formats");
    write_bytes(dir + "/all.tsv", all_pairs);
    write_bytes(dir + "/p.txt", ranking);
    write_bytes(dir + "/grnboost.tsv", as_format(ranking, "TF\ttarget\timportance", '\t'));
    write_bytes(dir + "/rankedEdges.csv", as_format(ranking, "Gene1,Gene2,EdgeWeight", ','));
    write_bytes(dir + "/rankedEdges_tab.csv", as_format(ranking, "Gene1\tGene2\tEdgeWeight", '\t'));
    // BEELINE's refNetwork.csv of the same network (G4 has no edge), with a self-loop and a
    // repeated pair that BEELINE's evaluation skips, as knit does.
    write_bytes(dir + "/refNetwork.csv", "Gene1,Gene2,Type\nG1,G2,+\nG2,G3,-\nG3,G1,+\nG4,G4,+\nG1,G2,+\n");
    write_bytes(dir + "/genes.txt", "G1\nG2\nG3\nG4\n");
    const auto before = snapshot(dir);
    const run_result dream = knit_grn("score --json --prediction " + dir + "/p.txt --gold " + dir + "/all.tsv");
    REQUIRE(dream.code == 0);
    // By hand: positives at ranks 1, 3 and 7 of all 12 pairs (P = 3, N = 9), with 0, 1 and
    // 4 negatives above them: AUROC = 1 - 5 / 27. AUPR = (1 + (1 - ln(3/2)) + (1 - 4 ln(7/6))) / 3.
    // Early precision: k = 3, the 3rd largest score is 0.85, so G1->G2, G4->G1 and G2->G3
    // are called, 2 true: EP = 2/3, EPR = (2/3) / (3/12) = 8/3; AUPR ratio = 4 AUPR.
    const double auroc = 1 - 5.0 / 27, aupr = (3 - std::log(1.5) - 4 * std::log(7.0 / 6)) / 3;
    CHECK(json_number(dream.out, "auroc") == doctest::Approx(auroc).epsilon(1e-12));
    CHECK(json_number(dream.out, "aupr") == doctest::Approx(aupr).epsilon(1e-12));
    CHECK(json_number(dream.out, "early_precision") == doctest::Approx(2.0 / 3).epsilon(1e-12));
    CHECK(json_number(dream.out, "epr") == doctest::Approx(8.0 / 3).epsilon(1e-12));
    CHECK(json_number(dream.out, "aupr_ratio") == doctest::Approx(4 * aupr).epsilon(1e-12));
    CHECK(contains(dream.out, "\"format\": \"dream\""));
    for (const auto& file_format : std::vector<std::pair<std::string, std::string>>{
             {"grnboost.tsv", "arboreto"}, {"rankedEdges.csv", "beeline"}, {"rankedEdges_tab.csv", "beeline"}}) {
        // Named, not a structured binding: CAPTURE's lambda cannot capture one in C++17 (clang).
        const std::string& file = file_format.first;
        const std::string& format = file_format.second;
        CAPTURE(file);
        const run_result r = knit_grn("score --json --prediction " + dir + "/" + file + " --gold " + dir +
                                      "/refNetwork.csv --genes " + dir + "/genes.txt");
        REQUIRE(r.code == 0);
        CHECK(contains(r.out, "\"format\": \"" + format + "\""));
        CHECK(json_number(r.out, "genes") == 4);
        CHECK(json_number(r.out, "ranked") == 12);
        for (const char* key : {"auroc", "aupr", "early_precision", "epr", "aupr_ratio"})
            CHECK(json_number(r.out, key) == json_number(dream.out, key));
        CHECK(contains(r.err, "skipped 1 self-loop(s) and 1 repeated pair(s) of the BEELINE gold standard"));
        CHECK(!contains(r.err, "warning"));
    }
    // The table names the new measures too.
    const run_result table = knit_grn("score --prediction " + dir + "/rankedEdges.csv --gold " + dir +
                                      "/refNetwork.csv --genes " + dir + "/genes.txt");
    REQUIRE(table.code == 0);
    CHECK(contains(table.out, "AUPR ratio"));
    CHECK(contains(table.out, "early precision"));
    CHECK(contains(table.out, "EPR"));
    CHECK(contains(table.out, "(beeline list)"));
    CHECK(contains(table.out, knit::grn::fixed(8.0 / 3, 4)));  // 2.6667
    // Without --genes, refNetwork.csv knows only the genes with an edge (G1..G3), as
    // BEELINE itself; the positives-only warning says so.
    const run_result shrunk = knit_grn("score --json --prediction " + dir + "/grnboost.tsv --gold " + dir + "/refNetwork.csv");
    REQUIRE(shrunk.code == 0);
    CHECK(json_number(shrunk.out, "genes") == 3);
    CHECK(contains(shrunk.err, "lists positives only"));
    CHECK(contains(shrunk.err, "BEELINE's own evaluation scores over these genes too"));
    // A bad header exits 2 at the cell; a refNetwork gene outside --genes at its line.
    write_bytes(dir + "/bad.csv", "Gene1,Gene2,Weight\nG1,G2,1\n");
    const run_result bad = knit_grn("score --prediction " + dir + "/bad.csv --gold " + dir + "/all.tsv");
    CHECK(bad.code == 2);
    CHECK(contains(bad.err, dir + "/bad.csv:1:13: got header cell 'Weight', expected 'EdgeWeight'"));
    write_bytes(dir + "/three.txt", "G1\nG2\nG4\n");
    const run_result outside = knit_grn("score --prediction " + dir + "/p.txt --gold " + dir +
                                        "/refNetwork.csv --genes " + dir + "/three.txt");
    CHECK(outside.code == 2);
    CHECK(contains(outside.err, dir + "/refNetwork.csv:3:"));
    fs::remove(dir + "/bad.csv");
    fs::remove(dir + "/three.txt");
    CHECK(snapshot(dir) == before);
    fs::remove_all(dir);
}

TEST_CASE("issue 15: baselines and evaluate --edges write every ranked list, and each scores as the table says") {
    const std::string dir = scratch("issue15_edges");
    const std::string data = simulated_data(dir + "/data", 10, 2);
    const auto data_before = snapshot(data);
    for (const std::string format : {"dream", "beeline"}) {
        CAPTURE(format);
        const std::string edges = dir + "/edges_" + format;
        const run_result r = knit_grn("baselines --json --data " + data + " --size 10 --edges " + edges +
                                      (format == "dream" ? "" : " --edges-format " + format));
        REQUIRE_MESSAGE(r.code == 0, r.err);
        const auto doc = nlohmann::json::parse(r.out);
        REQUIRE(doc["results"].size() >= 6);  // |Pearson|, |lag-1|, MI, knockout-z, knockdown-z per network
        std::size_t files = 0;
        for (const auto& row : doc["results"]) {
            const std::string method = row["method"], network = row["network"];
            const std::string path = edges + "/" + method + "_" + network + (format == "beeline" ? ".csv" : ".tsv");
            CAPTURE(path);
            REQUIRE(fs::exists(path));
            ++files;
            const auto list = knit::grn::read_prediction(path);
            CHECK(list.size() == 90);  // every ordered pair of 10 genes
            for (std::size_t i = 1; i < list.size(); ++i) CHECK(list[i - 1].score >= list[i].score);
            if (format == "beeline") CHECK(read_bytes(path).rfind("Gene1,Gene2,EdgeWeight\n", 0) == 0);
            const int n = network.back() - '0';
            const run_result s = knit_grn("score --json --prediction " + path + " --gold " + gold_file(data, 10, n) +
                                          " --expression " + series_file(data, 10, n));
            REQUIRE(s.code == 0);
            CHECK(json_number(s.out, "auroc") == row["auroc"].get<double>());
            CHECK(json_number(s.out, "aupr") == row["aupr"].get<double>());
            CHECK(json_number(s.out, "epr") == row["epr"].get<double>());
            CHECK(row["auroc"].get<double>() != doctest::Approx(0.5).epsilon(1e-3));  // a real ranking, not a tie
        }
        std::size_t listed = 0;
        for (const auto& entry : fs::directory_iterator(edges)) listed += entry.is_regular_file();
        CHECK(listed == files);  // nothing else, no temporaries
    }
    // evaluate writes the lists it scored too (a pretrained model ranks both networks).
    REQUIRE(knit_grn("train --json --model context-mlp --model-option epochs=1 hidden=4 ensemble=1 --data " + data +
                     " --size 10 --networks 1 --save " + dir + "/m.knit")
                .code == 0);
    const run_result ev = knit_grn("evaluate --json --no-baselines --model-file " + dir + "/m.knit --data " + data +
                                   " --size 10 --edges " + dir + "/ev --edges-format arboreto");
    REQUIRE_MESSAGE(ev.code == 0, ev.err);
    const auto ev_doc = nlohmann::json::parse(ev.out);
    REQUIRE(ev_doc["results"].size() == 2);
    std::size_t ev_files = 0;
    for (const auto& entry : fs::directory_iterator(dir + "/ev")) {
        ++ev_files;
        CHECK(read_bytes(entry.path().string()).rfind("TF\ttarget\timportance\n", 0) == 0);
        CHECK(knit::grn::read_prediction(entry.path().string()).size() == 90);
    }
    CHECK(ev_files == 2);
    // Refused before any work: --edges with pair-disjoint (it ranks no list), --edges-format
    // without --edges, options on a subcommand that does not use them, a file in the way.
    const run_result pair = knit_grn("evaluate --protocol pair-disjoint --model rnn --data " + data + " --size 10 --edges " +
                                     dir + "/never");
    CHECK(pair.code == 2);
    CHECK(contains(pair.err, "got --edges with --protocol pair-disjoint, expected lono"));
    CHECK(!fs::exists(dir + "/never"));
    CHECK(knit_grn("baselines --data " + data + " --size 10 --edges-format beeline").code == 2);
    CHECK(knit_grn("baselines --data " + data + " --size 10 --edges x --edges-format csv").code == 2);
    const run_result score_edges = knit_grn("score --prediction " + dir + "/edges_dream/abs-pearson_size10_1.tsv --data " +
                                            data + " --size 10 --network 1 --edges " + dir + "/x");
    CHECK(score_edges.code == 2);
    CHECK(contains(score_edges.err, "--edges"));
    write_bytes(dir + "/a_file", "x");
    CHECK(knit_grn("baselines --data " + data + " --size 10 --edges " + dir + "/a_file").code == 2);
    // An output that is an input (a link to the gold standard in the folder) is refused,
    // and the gold standard is unchanged.
    fs::create_directories(dir + "/linked");
    fs::create_symlink(gold_file(data, 10, 1), dir + "/linked/abs-pearson_size10_1.tsv");
    const run_result linked = knit_grn("baselines --data " + data + " --size 10 --edges " + dir + "/linked");
    CHECK(linked.code == 2);
    CHECK(contains(linked.err, "got the same file as the input"));
    CHECK(snapshot(data) == data_before);
    fs::remove_all(dir);
}
