// knit::grn::gold_standard: the edge table, the readers (all pairs, positives only, signed),
// their refusals, the writers and the DREAM4 files.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <unistd.h>
#include <fstream>
#include <string>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/grn/gold_standard.hpp"
#include "support/parse_error.hpp"
#include "support/dream4.hpp"

using knit::grn::gold_standard;

using knit::test::expect_parse_error;

namespace {

std::vector<std::string> gene_names(std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 1; i <= n; ++i) out.push_back("G" + std::to_string(i));
    return out;
}

// A file in the temporary directory, removed at the end of the test.
struct temp_file {
    std::string path;
    explicit temp_file(const std::string& name)
        : path((std::filesystem::temp_directory_path() /
                ("knit_test_gs_" + std::to_string(::getpid()) + "_" + name))
                   .string()) {}
    ~temp_file() { std::remove(path.c_str()); }
    void write(const std::string& text) const {
        std::ofstream(path, std::ios::binary) << text;
    }
};


gold_standard parse(const std::string& text, const std::vector<std::string>* genes = nullptr) {
    return knit::grn::parse_gold_standard(text, "gs.tsv", genes);
}

}  // namespace

TEST_CASE("gold_standard: edge table, signs and refusals") {
    gold_standard gs(gene_names(4));
    CHECK(gs.size() == 4);
    CHECK(gs.pairs() == 12);
    CHECK(gs.index("G3").value() == 2);
    CHECK_FALSE(gs.index("G5").has_value());
    gs.add_edge(2, 0, +1);
    gs.add_edge(0, 1);
    gs.add_edge(3, 2, -1);
    CHECK(gs.positives() == 3);
    CHECK(gs.negatives() == 9);
    CHECK(gs.is_edge(2, 0));
    CHECK_FALSE(gs.is_edge(0, 2));  // directed
    CHECK(gs.sign(2, 0) == 1);
    CHECK(gs.sign(3, 2) == -1);
    CHECK(gs.sign(0, 1) == 0);
    CHECK(gs.sign(1, 0) == 0);
    CHECK_FALSE(gs.is_signed());
    const std::vector<std::pair<std::size_t, std::size_t>> expected{{0, 1}, {2, 0}, {3, 2}};
    CHECK(gs.edges() == expected);

    CHECK_THROWS_AS(gs.add_edge(1, 1), knit::value_error);   // self-loop
    CHECK_THROWS_AS(gs.add_edge(0, 4), knit::value_error);   // out of range
    CHECK_THROWS_AS(gs.add_edge(0, 1), knit::value_error);   // twice
    CHECK_THROWS_AS(gs.add_edge(1, 2, 2), knit::value_error);  // bad sign
    CHECK_THROWS_AS(gs.is_edge(9, 0), knit::value_error);
    CHECK(gs.positives() == 3);  // refused calls changed nothing
    CHECK_THROWS_AS(gold_standard({"A", "B", "A"}), knit::value_error);
    CHECK_THROWS_AS(gold_standard({"A", ""}), knit::value_error);
}

TEST_CASE("natural_less: G2 before G10, total order") {
    using knit::grn::natural_less;
    CHECK(natural_less("G2", "G10"));
    CHECK_FALSE(natural_less("G10", "G2"));
    CHECK(natural_less("G1", "G1a"));
    CHECK(natural_less("a9b", "a10a"));
    CHECK(natural_less("G01", "G1"));  // equal numbers: byte order decides
    CHECK_FALSE(natural_less("G1", "G01"));
    CHECK_FALSE(natural_less("G7", "G7"));
    CHECK(natural_less("G99999999999999999999", "G100000000000000000000"));  // no overflow
}

TEST_CASE("gold standard readers: all pairs, positives only and signed agree") {
    const std::string all_pairs =
        "G1\tG2\t1\nG3\tG1\t1\nG1\tG3\t0\nG2\tG1\t0\nG2\tG3\t0\nG3\tG2\t0\n";
    const std::string positives_3col = "G3\tG1\t1\nG1\tG2\t1\n";
    const std::string positives_2col = "G1\tG2\r\nG3\tG1\r\n";  // CRLF
    const std::string signed_text = "G3\tG1\t-\nG1\tG2\t+\n";
    const auto a = parse(all_pairs);
    const auto b = parse(positives_3col);
    const auto c = parse(positives_2col);
    const auto s = knit::grn::parse_signed_gold_standard(signed_text, "s.tsv", nullptr);
    for (const gold_standard* gs : {&a, &b, &c, &s}) {
        CHECK(gs->genes() == gene_names(3));
        CHECK(gs->positives() == 2);
        CHECK(gs->is_edge(0, 1));
        CHECK(gs->is_edge(2, 0));
        CHECK_FALSE(gs->is_edge(1, 0));
    }
    CHECK(s.is_signed());
    CHECK(s.sign(0, 1) == 1);
    CHECK(s.sign(2, 0) == -1);
    CHECK(a.sign(0, 1) == 0);

    // Inferred genes are in natural order, whatever the file order.
    const auto d = parse("G10\tG2\t1\nG2\tG9\t0\n");
    CHECK(d.genes() == std::vector<std::string>{"G2", "G9", "G10"});
    // A given gene list fixes the order and may hold genes the file never names.
    const std::vector<std::string> genes{"G3", "G2", "G1", "G4"};
    const auto e = parse(positives_2col, &genes);
    CHECK(e.genes() == genes);
    CHECK(e.is_edge(2, 1));  // G1 -> G2
    CHECK(e.is_edge(0, 2));  // G3 -> G1
    CHECK(e.pairs() == 12);
    // Spaces instead of TABs, and trailing empty lines, are accepted.
    const auto f = parse("G1 G2 1\nG3  G1 1\n\n\n");
    CHECK(f.edges() == a.edges());
}

TEST_CASE("gold standard readers refuse bad input with file, line and column") {
    const std::vector<std::string> genes = gene_names(3);
    expect_parse_error([] { parse(""); }, 1, 0, "empty file");
    expect_parse_error([] { parse("\n\n  \n"); }, 3, 0, "empty file");
    expect_parse_error([] { parse("G1\tG2\t1\nG1\tG3\n"); }, 2, 0, "ragged");
    expect_parse_error([] { parse("G1\tG2\t1\tx\n"); }, 1, 0, "expected 'regulator");
    expect_parse_error([] { parse("G1\n"); }, 1, 0, "got 1 field");
    expect_parse_error([] { parse("G1\tG2\t1\nG2\tG1\t2\n"); }, 2, 7, "label '2'");
    expect_parse_error([] { parse("G1\tG2\t+\n"); }, 1, 7, "read_signed_gold_standard");
    expect_parse_error([] { parse("G1\tG2\t1.0\n"); }, 1, 7, "expected 0 or 1");
    expect_parse_error([] { parse("G1\tG2\t1\nG3\tG1\t0\nG1\tG2\t0\n"); }, 3, 0,
                       "first on line 1");
    expect_parse_error([] { parse("G1\tG1\t0\n"); }, 1, 4, "self-loop");
    expect_parse_error([] { parse("\tG1\t0\n"); }, 1, 1, "empty regulator");
    expect_parse_error([] { parse("G1\t\t0\n"); }, 1, 4, "empty target");
    expect_parse_error([] { parse("G1\tG2\t1\n\nG2\tG1\t0\n"); }, 2, 0, "empty line");
    expect_parse_error([&] { parse("G1\tG2\t1\nG1\tG7\t0\n", &genes); }, 2, 4,
                       "gene 'G7', expected one of the 3 genes");
    expect_parse_error([] { parse("\"G1\tG2\t1\n"); }, 1, 1, "unterminated");
    auto parse_signed = [](const std::string& text) {
        return knit::grn::parse_signed_gold_standard(text, "s.tsv", nullptr);
    };
    expect_parse_error([&] { parse_signed("G1\tG2\t1\n"); }, 1, 7, "expected '+' or '-'");
    expect_parse_error([&] { parse_signed("G1\tG2\n"); }, 1, 0, "got 2 field");
    expect_parse_error([&] { parse_signed("G1\tG2\t+\nG1\tG2\t-\n"); }, 2, 0, "again");
    // Binary junk gives a readable message, not a crash.
    expect_parse_error([] { parse(std::string("G1\tG2\t\x01\xff", 8)); }, 1, 7, "\\x01\\xff");
    CHECK_THROWS_AS(knit::grn::read_gold_standard("/nonexistent/knit/gs.tsv"), knit::io_error);
}

TEST_CASE("gold standard writers round-trip through the readers") {
    gold_standard gs({"TF_b", "g10", "g2", "x"});
    gs.add_edge(0, 1, +1);
    gs.add_edge(0, 2, -1);
    gs.add_edge(3, 0, +1);
    gs.add_edge(2, 1, -1);
    const temp_file all("all.tsv"), pos("pos.tsv"), sig("sig.tsv");
    knit::grn::write_gold_standard(all.path, gs);
    knit::grn::write_gold_standard(pos.path, gs, false);
    knit::grn::write_signed_gold_standard(sig.path, gs);
    const auto a = knit::grn::read_gold_standard(all.path, gs.genes());
    const auto p = knit::grn::read_gold_standard(pos.path, gs.genes());
    const auto s = knit::grn::read_signed_gold_standard(sig.path, gs.genes());
    CHECK(a.edges() == gs.edges());
    CHECK(p.edges() == gs.edges());
    CHECK(s.edges() == gs.edges());
    for (auto [r, t] : gs.edges()) CHECK(s.sign(r, t) == gs.sign(r, t));
    // The all-pairs file lists every ordered pair once, positives first.
    const auto inferred = knit::grn::read_gold_standard(all.path);
    CHECK(inferred.size() == 4);
    std::ifstream in(all.path);
    std::string line;
    std::size_t lines = 0, ones = 0;
    bool zero_seen = false, ordered = true;
    while (std::getline(in, line)) {
        ++lines;
        const bool one = line.back() == '1';
        ones += one;
        if (one && zero_seen) ordered = false;
        zero_seen |= !one;
    }
    CHECK(lines == 12);
    CHECK(ones == 4);
    CHECK(ordered);
    // Unsigned edges cannot go to a signed file; empty output is refused.
    gold_standard unsigned_gs(gene_names(2));
    unsigned_gs.add_edge(0, 1);
    CHECK_THROWS_AS(knit::grn::write_signed_gold_standard(sig.path, unsigned_gs), knit::value_error);
    CHECK_THROWS_AS(knit::grn::write_gold_standard(pos.path, gold_standard(gene_names(3)), false),
                    knit::value_error);
    CHECK_THROWS_AS(knit::grn::write_gold_standard(pos.path, gold_standard({"a b", "c"})),
                    knit::value_error);
}

KNIT_DREAM4_TEST_CASE("gold standard: the DREAM4 files (counts from the data README)") {
    const std::string dir = knit::test::dream4_dir().value();
    const std::size_t positives_10[5] = {15, 16, 15, 13, 12};
    const std::size_t plus_10[5] = {8, 10, 7, 5, 4};
    const std::size_t positives_100[5] = {176, 249, 195, 211, 193};
    const std::size_t plus_100[5] = {86, 132, 98, 100, 100};
    for (int size : {10, 100}) {
        for (int n = 1; n <= 5; ++n) {
            const std::string s = std::to_string(size), k = std::to_string(n);
            const std::string unsigned_path = dir + "/size" + s +
                                              "/goldstandard/DREAM4_GoldStandard_InSilico_Size" +
                                              s + "_" + k + ".tsv";
            const auto gs = knit::grn::read_gold_standard(unsigned_path);
            CHECK(gs.genes() == gene_names(size));
            CHECK(gs.positives() == (size == 10 ? positives_10 : positives_100)[n - 1]);
            const auto sg = knit::grn::read_signed_gold_standard(
                dir + "/size" + s + "/goldstandard_signed/insilico_size" + s + "_" + k +
                    "_goldstandard_signed.tsv",
                gs.genes());
            CHECK(sg.edges() == gs.edges());
            CHECK(sg.is_signed());
            std::size_t plus = 0;
            for (auto [r, t] : sg.edges()) plus += sg.sign(r, t) > 0;
            CHECK(plus == (size == 10 ? plus_10 : plus_100)[n - 1]);
            // Reading against the genes of the data works and keeps the same edges.
            CHECK(knit::grn::read_gold_standard(unsigned_path, gene_names(size)).edges() ==
                  gs.edges());
            // The size-10 genes are not the size-100 genes.
            if (size == 10)
                CHECK_THROWS_AS(knit::grn::read_gold_standard(unsigned_path, gene_names(9)),
                                knit::parse_error);
        }
    }
}

TEST_CASE("BEELINE refNetwork.csv: detected, positives only, self-loops and repeats skipped") {
    const std::string ref = "Gene1,Gene2,Type\r\nG3,G1,-\r\nG1,G2,+\r\nG2,G2,+\r\nG3,G1,+\r\n";
    knit::grn::gold_standard_listing listing;
    const auto a = knit::grn::parse_gold_standard(ref, "refNetwork.csv", nullptr, &listing);
    // Without a gene list the genes are those with an edge (BEELINE's own universe).
    CHECK(a.genes() == gene_names(3));
    CHECK(a.positives() == 2);
    CHECK(a.is_edge(2, 0));
    CHECK(a.is_edge(0, 1));
    CHECK_FALSE(a.is_edge(1, 0));
    CHECK(a.sign(2, 0) == 0);  // the unsigned reader ignores Type
    CHECK(listing.beeline);
    CHECK(listing.positives_only());
    CHECK(listing.positive_lines == 2);
    CHECK(listing.skipped_self_loops == 1);
    CHECK(listing.skipped_repeats == 1);
    // The same edges as the DREAM positives-only file.
    CHECK(a.edges() == parse("G3\tG1\nG1\tG2\n").edges());
    // Over a given universe, as the DREAM reader: the genes are the universe.
    const std::vector<std::string> genes{"G4", "G3", "G2", "G1"};
    const auto b = knit::grn::parse_gold_standard(ref, "refNetwork.csv", &genes, &listing);
    CHECK(b.genes() == genes);
    CHECK(b.pairs() == 12);
    CHECK(b.positives() == 2);
    CHECK(b.is_edge(1, 3));  // G3 -> G1
    // Two columns, lower-case quoted header, no final newline.
    const auto c = parse("\"gene1\",\"GENE2\"\nG1,G2\n\"G3\",G1");
    CHECK(c.edges() == a.edges());
    // The signed reader takes Type (first listing of a pair wins: G3 -> G1 is '-').
    const auto s = knit::grn::parse_signed_gold_standard(ref, "refNetwork.csv", nullptr);
    CHECK(s.is_signed());
    CHECK(s.sign(2, 0) == -1);
    CHECK(s.sign(0, 1) == 1);
    // The file reader detects it too.
    const temp_file file("refNetwork.csv");
    file.write(ref);
    CHECK(knit::grn::read_gold_standard(file.path).edges() == a.edges());
    CHECK(knit::grn::read_gold_standard(file.path, genes).genes() == genes);
}

TEST_CASE("BEELINE refNetwork.csv: bad headers and rows are parse errors with line and column") {
    const std::vector<std::string> genes = gene_names(3);
    expect_parse_error([] { parse("Gene1,Target\nG1,G2\n"); }, 1, 7,
                       "got header cell 'Target', expected 'Gene2' of a BEELINE header");
    expect_parse_error([] { parse("Gene1,Gene2,Sign\nG1,G2,+\n"); }, 1, 13, "expected 'Type'");
    expect_parse_error([] { parse("G1,G2\nG2,G3\n"); }, 1, 1, "got header cell 'G1', expected 'Gene1'");
    expect_parse_error([] { parse("Gene1\n"); }, 1, 0, "got 1 field");  // no comma: DREAM form
    expect_parse_error([] { parse("Gene1,Gene2,Type,Score\n"); }, 1, 0, "got 4 comma-separated cell(s)");
    expect_parse_error([] { parse("Gene1,Gene2\n"); }, 1, 0, "got a header and no edge");
    expect_parse_error([] { parse("Gene1,Gene2\nG1,G1\n"); }, 2, 0, "got a header and no edge but self-loops");
    expect_parse_error([] { parse("Gene1,Gene2\nG1,G2\nG1,G2,+\n"); }, 3, 0,
                       "got 3 field(s), expected 2 comma-separated like the header on line 1");
    expect_parse_error([] { parse("Gene1,Gene2,Type\nG1,G2,1\n"); }, 2, 7, "got Type '1', expected '+' or '-'");
    expect_parse_error([] { parse("Gene1,Gene2\n,G2\n"); }, 2, 1, "got an empty Gene1 name");
    expect_parse_error([] { parse("Gene1,Gene2\nG1,\"G 2\"\n"); }, 2, 4, "holding a space");
    expect_parse_error([] { parse("Gene1,Gene2\nG1,G2\n\nG2,G3\n"); }, 3, 0, "empty line");
    expect_parse_error([&] { parse("Gene1,Gene2\nG1,G2\nG1,G7\n", &genes); }, 3, 4,
                       "gene 'G7', expected one of the 3 genes");
    expect_parse_error([] { knit::grn::parse_signed_gold_standard("Gene1,Gene2\nG1,G2\n", "s.csv", nullptr); }, 1, 0,
                       "without a Type column");
}
