// Issue 20, case 6 (and issue 15's score section): score never gives a wrong result in
// silence. No shared gene: exit 2. The gene universe comes from --genes or --expression,
// or from the gold standard with a warning when that lists positives only. Dropped edges
// are counted on stderr. A null density of another network size is refused.
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/metrics.hpp"
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
